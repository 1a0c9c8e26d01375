"""Score a reply for sincerity: 0-100 with findings an agent understands.

A rule-based check, one function used by drafting, ``assistant lint``,
``assistant check`` and the pages. It starts at 100 and deducts for what makes
a reply sound canned or unsafe: hollow stock phrases, no reference to the
customer's problem, no concrete action, no time commitment, blaming the
customer, unbounded promises, compensation details in public, a length out of
range, actions claimed as already done that nobody did (a draft promises, it does
not report), and (severe) any inducement to change or delete a review, which platform
rules and Chinese law (《电子商务法》, 《反不正当竞争法》) forbid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.taxonomy import KIND_TEMPLATES, OFFLINE

MIN_CHARS, MAX_CHARS = 60, 300

HOLLOW = (
    "亲亲",
    "亲爱的顾客",
    "亲爱的用户",
    "给您带来不便",
    "带来的不便",
    "带来不便",
    "敬请谅解",
    "深表歉意",
    "加强管理",
    "感谢您的理解与支持",
    "感谢您的支持与理解",
    "感谢您的理解和支持",
    "感谢您的理解",
    "请您谅解",
    "请谅解",
    "望谅解",
    "我们会努力改进",
    "我们一定会改进",
    "我们会继续努力",
    "以后会注意",
    "如有疑问请联系客服",
    "如有问题请联系客服",
    "祝您生活愉快",
    "欢迎再次光临",
    "欢迎下次光临",
    "您的满意是我们最大的动力",
    "您的支持是我们前进的动力",
    "已反馈给相关部门",
    "反馈给相关部门",
)
_HOLLOW_QIN = re.compile(r"(^|[。！!？?，,\s])亲[，,！!~～。 ]")
# Review inducement reads meaning, not a word list: a change to the review (删除这条差评, 撤销评价, 改成五星, 给个好评,
# 追评, 晒图 …) is severe on its own, and so is a mention of the review tied to a benefit under a condition
# ("那条评价如果方便处理，补偿您20元"). Every gap is bounded and stops at a clause mark, so the search stays linear.
_GAP = r"[^，,。；;！!？?\n“”]{0,8}?"
_REVIEW = r"(?:差评|中评|评价|评论|评分|点评|星级|一星|二星|两星|三星)"
_ABOUT = r"(?![里中内区上]|提到|所|反映|说|写)"  # "评价里提到的问题" refers to what the review says
_CHANGE = re.compile(
    rf"(?:删|撤|修改|更改|(?<![修更])改(?![进善正变])|更新|调整|取消|去掉|拿掉|隐藏|处理(?:一下|掉)|追加){_GAP}{_REVIEW}{_ABOUT}"
    rf"|{_REVIEW}{_ABOUT}{_GAP}(?:删|撤|改(?![进善正变])|取消|去掉|拿掉|隐藏|追加)"
    r"|(?:五星好评|5星好评|五颗星|五星|5星|满分|满星|好评)"
    r"|晒图|晒单|带图评价|追评(?![里中内区上]|提到|所|说|写)"
)
_GOOD_REVIEW = re.compile(r"五星好评|5星好评|五颗星|五星|5星|满分|满星|好评")
_THANKED = re.compile(r"(?:的|看到|收到)$|谢[^，,]*$")  # "感谢您的五星好评", "谢谢好评": a review already given, thanked
_MENTION = re.compile(rf"{_REVIEW}|好评|五星|追评|晒图")
_BENEFIT = re.compile(
    r"返现|返还|返利|返您|红包|券|补偿|赠品|赠送|(?:再|另|加|多|额外)送|送(?:您|你|给您|一|个|份|张|小|精美|\d)|礼品|礼物|"
    r"礼包|有礼|优惠|折扣|打折|免单|退一半|退(?:您)?(?:一部分|部分)|退款|退钱|转账|打款|现金|(?<!\d)\d{1,6} ?(?:元|块)|"
    r"积分|奖励|好处|福利|运费险|包邮|报销|抽奖|小样"
)
_IF = re.compile(r"如果|的话|只要|方便|麻烦|能否|可否|能不能|可以|帮忙|之后|后")
_ABOUT_RE = re.compile(_ABOUT)
_REVIEW_CHAR = re.compile(r"[评星晒分]")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_ACTION = re.compile(
    r"补发|补寄|换新|更换|换一|换货|退款|退货|退回|退还|退差|退您|退给|寄出|寄回|重新(发|寄|安排|做|送)|上门|安排|取件|取回|检测|维修|"
    r"回电|致电|打电话|给您电话|联系您|核实|核查|查明|调查|开具|补开|重开|补差|返还|召回|派送|加急|催促|催办|送到|送达|"
    r"赔付|报销|承担|撤销|解除|修复|冻结|排查|封存|复核|回访|补偿|调换|处理结果|书面"
)
_TIME = re.compile(
    r"今天|今日|今晚|明天|明早|明日|当天|本周|马上|立刻|立即|\d{1,2}[:：]\d{2}|\d{1,2}点(前|之前)|"
    # A number starts only where a run of digits starts and is at most 6 long: unbounded, "1" x 20,000
    # took quadratic time (14 s) and blocked the server.
    r"(?<![\d一二两三四五六七八九十半])[\d一二两三四五六七八九十半]{1,6} ?(个)?(小时|分钟|工作日|个工作日|天|日)(内|之内|前)|"
    r"周[一二三四五六日天]前"
)
_BLAME = re.compile(
    r"您自己|你自己|使用不当|操作不当|人为(损坏|原因|因素)|您没有(仔细|按|认真)|请(您)?仔细阅读|不是我们的问题|"
    r"与我们无关|跟我们没关系|不属于质量问题|您的问题|个人原因造成|您操作有误|您理解有误"
)
_UNBOUNDED = re.compile(r"保证再也不会|绝对不会再|再也不会发生|百分之百|100%|永远不会|保证以后|杜绝一切")
_MONEY = re.compile(r"(?<!\d)\d{1,9} ?(元|块)|优惠券|红包|代金券|现金补偿|无门槛券")  # bounded, as _TIME
# Words that show a reply is about some concrete problem, when no complaint is given to compare with.
_PROBLEM = re.compile(
    r"坏|故障|异响|异味|破损|碎|漏|少发|漏发|错发|发错|缺|慢|延误|没收到|未收到|丢件|物流|快递|降价|保价|差价|优惠|"
    r"发票|扣费|扣款|过期|临期|变质|发霉|异物|假|正品|翻新|退款|退货|换货|安装|维修|师傅|态度|隐私|信息|骚扰|"
    r"色差|尺码|描述|不符|过敏|受伤|烫|起火|冒烟|漏电|使用|说明|设置|问题|情况"
)
# Done-claims: the shop or agent says an action has already happened ("聊天记录我已经调出", "已经找财务加急",
# "已为您补发", "给您账户发了一张券"). A draft is written before anything is done, so it must promise with a time
# instead. Every gap is bounded and stops at a clause boundary, so the search stays linear in the text's length.
_DONE_VERBS = (
    r"调出|调取|调了|查|核对|核实|核查|复核|联系|反馈|安排|加急|标|提交|补发|补寄|寄出|发出|退款|退回|退还|发到|发了|发给|发您|"
    r"申请|登记|转给|转交|转人工|转到|交给|报给|找|下架|冻结|移除|改为|停止|出库|通过|整理|投诉|催|要求|关闭|开通|通知|"
    r"处理|办理|开始|约|预约|提到|拿着|让(?!您|你)|撤下|上报|录入|备注|更换|修改|取消|锁定|屏蔽|拦截|调查|排查|确认|加上|更新|"
    r"截图|落实"
)
_CLAUSE = r"[^，,。；;！!？?\n“”]"
_CHECKS = r"看|查看|查|核实|核对|核查|复核|排查|检查|调查|调取|比对|了解|询问|问|翻|确认"
_DONE = re.compile(
    rf"(?P<mark>已经|刚刚|刚才|已|刚)(?P<gap>(?<=已经|刚刚|刚才){_CLAUSE}{{0,24}}?|(?:为您|给您|帮您|替您|被|全额|直接|先|把|都)?)"
    rf"(?P<verb>{_DONE_VERBS})"
    rf"|(?P<to>给|为|帮|替)您{_CLAUSE}{{0,8}}?(?P<past>发|申请|登记|安排|办理|提交|补发|寄出|退|开通|关闭)了"
    # Checking or investigating told as done or under way: "记录我都看过了", "逐条核实了一遍", "同批次的货我们正在排查".
    rf"|(?:都|也)?(?P<checked>{_CHECKS})(?:过了|过一遍|了一遍|完了)"
    rf"|正在(?:为您|给您|帮您|全力|加紧|紧急|积极|抓紧)?(?:{_CHECKS}|{_DONE_VERBS}|跟进|追查|协调|对接|审核)"
)
# Not a claim: the customer did it ("您已经联系我们好几次"), or it is a condition or a future ("如果已经付过", "…后会").
_NOT_OURS = re.compile(r"[您你]$")
_CONDITION_BEFORE = re.compile(r"如果|假如|若|万一|要是|是否|有没有|一旦|等到|会|将|后")
_CONDITION_AFTER = re.compile(r"的话|之后|以后|后|的时候")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
# A check with no 已经 before it ("查完了", "问过了") is ours only when no 您/你 is its subject ("您之前问过了"), and a
# check still to come is a promise: "等我核实完了", "我今天查完了马上告诉您", "看完了就给您回电".
_YOU_LAST = re.compile(r"[您你][^我]*$")
_CHECK_LATER_BEFORE = re.compile(r"等(?!了)|待")
_CHECK_LATER_AFTER = re.compile(r"(?:[我们]{0,2})(?:马上|就|再|立刻|立即|随即|第一时间)")
# What a text is about, by the problem words it uses (not the remedies every reply offers: 退款, 上门取件, 快递…).
# A reply whose problems are all ones the complaint never raises answers someone else's complaint.
_TOPICS = {
    "物流": r"物流|配送|派送|延误|揽收|发货|(?<!收)到货|没到|还没收到|没收到|丢件|签收|驿站|快递柜|骑手|送餐|送货|在途|中转|"
    r"(?<![转拧按推拉搬扭])不动",  # a parcel that does not move, not a blade that will not turn ("转不动")
    "破损": r"破损|压坏|压扁|压烂|摔坏|碎|裂|漏液|漏了|漏得|洒|凹|变形|外箱|包装破|破破烂烂",
    "质量": r"质量|坏了|故障|异响|做工|毛刺|开线|起球|掉色|不加热|开不了机|没反应|失灵|死机|黑屏|用不了|不能用|续航|电池|"
    r"卡顿|面料",
    "错发漏发": r"发错|错发|漏发|少发|少了|缺|少收|配件|赠品|型号|颜色不对|尺码不对|拣货|对不上|只收到|"
    r"我要的是|我拍的是|我买的是|下单的是",
    "与描述不符": r"描述|图片|照片|色差|不符|实物|宣传|参数|页面|尺码表|夸大|不一致|号称|标称|写着|宣称|防水|"
    r"成色|99新|九成新|95新|无拆修",
    "真假": r"假货|假的|正品|真假|鉴定|仿|授权|防伪|盗版|证书|镀金",
    "价格": r"降价|差价|保价|价格|便宜|贵|活动|满减|优惠|价保|原价|涨价|砍单|券|折扣|杀熟|半价",
    "退换退款": r"退款|退货|换货|审核|驳回|拒绝|退不了|不给退|到账|取消|手续费",
    "服务态度": r"态度|不回|敷衍|不理|骂|踢皮球|推诿|没人回|爱答不理|不耐烦",
    "安装维修": r"安装|维修|修好|修了|修过|送修|返修|网点|保修|装好|装机",
    "临期变质": r"过期|变质|霉|临期|保质期|馊|臭|不新鲜|(?<![破烂])烂|坏果|生产日期",
    "安全": r"过敏|受伤|烫伤|起火|着火|冒烟|漏电|触电|鼓包|鼓起来|爆炸|就医|医院|红肿|安全",
    "隐私": r"隐私|泄露|骚扰|个人信息|被盗|盗号|诈骗|号码",
    "扣费发票": r"发票|扣费|扣款|扣了|多扣|重复扣|开票|抬头|税号|续费|扣钱|账单|流水",
    "使用": r"怎么用|使用方法|说明书|设置|连接|教程|操作",
}
_TOPIC_OF = {re.sub(r"\(\?<!(?:.|\[[^]]*\])\)", "", w): topic for topic, words in _TOPICS.items() for w in words.split("|")}
_TOPIC = re.compile(  # one plain alternation, longest words first: twice as fast as a group per topic
    "|".join(sorted((w for words in _TOPICS.values() for w in words.split("|")), key=lambda w: -len(w)))
)
# Money that has not arrived ("退款还没到", "钱也没收到", "还没到账") is a refund's topic, never a parcel's (没到, 没收到);
# a 款 that is a model ("新款还没到") is not money, nor is money paid out for goods that have not come ("付了钱还没收到货",
# "付了尾款还没到货"): what has not arrived there is the parcel.
MONEY_NOT_ARRIVED = re.compile(
    r"(?<!付了)(?<!交了)(?<!花了)(?<![付交])(?:钱|退款|货款|尾款|余款|款项)[都也还]?还?[没未]收?到"
    r"(?:账|(?!货|东西|包裹|快递|件|商品|手))"
    r"|还?[没未]收?到账"
)
# The topic each intent's replies answer, by the names above.
INTENT_TOPICS = {
    "quality_defect": "质量",
    "damaged_delivery": "破损",
    "wrong_missing_item": "错发漏发",
    "logistics_delay": "物流",
    "not_as_described": "与描述不符",
    "counterfeit": "真假",
    "price_promotion": "价格",
    "refund_return": "退换退款",
    "service_attitude": "服务态度",
    "installation_repair": "安装维修",
    "expired_spoiled": "临期变质",
    "safety_hazard": "安全",
    "privacy_security": "隐私",
    "billing_invoice": "扣费发票",
    "usage_question": "使用",
}
OFF_TOPIC = "答非所问"  # the finding's first words
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_QUOTED = re.compile(r"“[^”]{0,60}”")
_STOP = set("的了是我你他她它们在也都就还又很太和与及或但而着过吗呢吧啊呀哦么这那一个有没不")


@dataclass(frozen=True)
class Sincerity:
    """The sincerity verdict of one reply: 0-100 and the reasons for every deduction."""

    score: int
    findings: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"score": self.score, "findings": list(self.findings)}


def answers_the_problem(template_id: str | None) -> bool:
    """Whether a reply from this template must be about the complaint's problem: not an offline invitation (it answers
    the reason to talk in private: an injury after spoiled milk is "安全", not "临期变质") nor a thank-you or an answer
    to a question (no problem raised). Unknown or no template: yes."""
    return not template_id or not (template_id.startswith(f"{OFFLINE}.") or template_id in KIND_TEMPLATES.values())


def check_sincerity(
    text: str,
    complaint: str | None = None,
    *,
    public: bool = True,
    done: Iterable[str] = (),
    template_id: str | None = None,
    recognised: str | None = None,
) -> Sincerity:
    """Score a reply's sincerity and explain each deduction in Chinese.

    :param text: the reply as the customer would read it
    :param complaint: the complaint it answers, when known; the reply must pick up its words
    :param public: False for a private follow-up script (compensation, length and time rules relaxed)
    :param done: past-tense phrases of actions the agent ticked as done on the draft page: true, so not a finding
    :param template_id: the template the reply was drafted from, if any: an offline invitation, a thank-you or a
        question's answer need not talk about the complaint's problem (``answers_the_problem``). The draft, the live
        badge, the send gate, the log, the library's previews and lint all score with it.
    :param recognised: the intent the assistant ranked first for the complaint: a reply on its problem is on topic
        whatever words the complaint uses (「手机相册里有别人的照片」 is a used phone sold as new, though 照片 reads as
        与描述不符). The topic words alone flagged a correct first draft 答非所问 on 68 of 600 train.jsonl complaints. A
        draft from a template of this intent is never 答非所问.
    """
    reply = _simplified(text.strip())  # a Traditional reply is checked like its Simplified form
    complaint = _simplified(complaint) if complaint else complaint
    own = _QUOTED.sub("", reply)  # the reply's own words: a quote of the customer's complaint is not ours
    penalties: list[tuple[int, str]] = []

    changes, benefits = review_inducement(own)
    if changes:
        tied = f"，并和好处挂钩（{'、'.join(benefits)}）" if benefits else ""
        penalties.append(
            (80, f"严重：要求或诱导顾客改评/删评/给好评（{'、'.join(changes)}）{tied}，违反平台规则和法律，必须删除")
        )

    hollow = [p for p in HOLLOW if p in reply]
    hollow = [p for p in hollow if not any(p != q and p in q for q in hollow)]  # report the longest phrase only
    if _HOLLOW_QIN.search(reply) and "亲亲" not in hollow:
        hollow.append("亲")
    if hollow:
        penalties.append(
            (min(45, 15 * len(hollow)), f"套话：{'、'.join('「' + h + '」' for h in hollow)}，换成针对顾客问题的具体说明")
        )

    if complaint:
        if not _shares_words(reply, complaint):
            penalties.append((20, "没有提到顾客说的具体问题，请用上顾客的原话"))
        # A draft of the intent shown first answers what the assistant recognised: for an intent with a topic its own
        # counts as raised (below); ``other`` has none, and its replies ask what went wrong (「是商品本身、送货，还是
        # 服务？」), which the topic words read as the reply talking about delivery (16 of 600 train.jsonl complaints).
        group = template_id.split(".")[0] if template_id else None  # the template's intent, or "offline"
        of_recognised = group is not None and group == recognised
        raised = topics(complaint) if answers_the_problem(template_id) and not of_recognised else frozenset()
        if raised and recognised in INTENT_TOPICS:
            raised |= {INTENT_TOPICS[recognised]}
        said = topics(own) if raised else frozenset()  # the reply's own words: a quote of the complaint is no answer
        if said and group and (own_topic := INTENT_TOPICS.get(group)):
            said |= {own_topic}  # a template answers its own intent's problem, named in its words or not (「东西在路上出了问题」)
        if said and not said & raised:
            about, raises = "、".join(sorted(said)), "、".join(sorted(raised))
            penalties.append((35, f"{OFF_TOPIC}：回复说的是{about}，顾客说的是{raises}，换一份对应的草稿或改写"))
    elif not _PROBLEM.search(reply):
        penalties.append((20, "看不出回复针对的是什么问题"))

    if not _ACTION.search(reply):
        penalties.append((20, "没有说要做什么：写明补发、换新、退款、上门等具体动作"))
    if public and not _TIME.search(reply):
        penalties.append((15, "没有时间承诺：写明什么时候给答复或处理好（如今天18:00前）"))

    blame = sorted({m.group(0) for m in _BLAME.finditer(own)})
    if blame:
        penalties.append((25, f"把责任推给顾客（{'、'.join(blame)}）"))
    ticked = own
    for phrase in done:
        if phrase:
            ticked = ticked.replace(phrase, "。")
    claims = done_claims(ticked)
    if claims:
        penalties.append(
            (25, f"未做的事不要写成已做：{'、'.join('「' + c + '」' for c in claims)}，改成承诺（如「今天18:00前为您…」）")
        )

    unbounded = sorted({m.group(0) for m in _UNBOUNDED.finditer(own)})
    if unbounded:
        penalties.append((10, f"做不到的承诺（{'、'.join(unbounded)}），只承诺能兑现的事"))
    if public and _MONEY.search(own):
        penalties.append((15, "公开回复里写了补偿金额或券，补偿细节放到私聊里说"))

    length = len(re.sub(r"\s", "", reply))
    if public and not MIN_CHARS <= length <= MAX_CHARS:
        penalties.append((10, f"长度{length}字，建议{MIN_CHARS}到{MAX_CHARS}字"))

    score = max(0, 100 - sum(p for p, _ in penalties))
    return Sincerity(score, tuple(f for _, f in penalties))


@lru_cache(maxsize=1)
def _converter():
    import opencc  # built on first use, not at import

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=256)  # a complaint is checked with each of its drafts
def _simplified(text: str) -> str:
    # OpenCC cannot encode a lone surrogate (a direct caller's "\ud800"; the API strips them): it is dropped first.
    return _converter().convert(_SURROGATES.sub("", text)) if _NOT_ASCII.search(text) else text


_SURROGATES = re.compile("[\ud800-\udfff]")  # as normalize.strip_surrogates, without importing jieba here


@lru_cache(maxsize=256)
def topics(text: str) -> frozenset[str]:
    """The problems a text talks about ("物流", "质量", …), by its problem words."""
    return frozenset(_TOPIC_OF[m.group(0)] for m in _TOPIC.finditer(MONEY_NOT_ARRIVED.sub("到账", text)))


def review_inducement(text: str) -> tuple[list[str], list[str]]:
    """The phrases that ask for a change to the review, and the benefits tied to them, sentence by sentence.

    A change is a request to delete, withdraw or alter the review, to give a good one, a follow-up or photos
    ("如果方便删除这条差评", "改成五星", "晒图"); thanking for a review already given ("感谢您的五星好评") or
    referring to what it says ("您在评价里提到的问题") is not. A plain mention of the review counts as a change
    when its sentence also offers a benefit under a condition ("那条评价如果能处理，补偿您20元").
    """
    changes: dict[str, None] = {}
    benefits: dict[str, None] = {}
    if not _REVIEW_CHAR.search(text):  # every change or mention has one of these: most replies are done here
        return [], []
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group(0)
        found = [m.group(0) for m in _CHANGE.finditer(s) if not _thanked(s, m)]
        offered = [m.group(0) for m in _BENEFIT.finditer(s)]
        if not found and offered and _IF.search(s):
            found = [m.group(0) for m in _MENTION.finditer(s) if not _thanked(s, m) and _ABOUT_RE.match(s, m.end())]
        if found:
            changes.update(dict.fromkeys(found))
            benefits.update(dict.fromkeys(offered))
    return list(changes), list(benefits)


def _thanked(sentence: str, m: re.Match) -> bool:
    """A good review mentioned as already given ("感谢您的好评"), or a review referred to by its content."""
    if _GOOD_REVIEW.fullmatch(m.group(0)) or _MENTION.fullmatch(m.group(0)):
        return bool(_THANKED.search(sentence, max(0, m.start() - 12), m.start()))
    return False


def done_claims(text: str) -> list[str]:
    """The phrases of a reply that say the shop or agent already did something ("已经找财务加急").

    Quotes of the customer's words (“…”) are not the reply's own and are skipped. Neither is a claim:
    a clause with the customer as subject ("您已经联系我们好几次"), a condition or a future
    ("如果已经付过", "收到后会…", "一…就…").
    """
    text = _QUOTED.sub("", text)
    found: dict[str, None] = {}  # ordered, and a constant-time membership test however many claims
    for m in _DONE.finditer(text):
        start, end = m.start(), m.end()
        if _NOT_OURS.search(text, max(0, start - 1), start):
            continue
        clause_start = max((c.end() for c in _CLAUSE_END.finditer(text, max(0, start - 30), start)), default=max(0, start - 30))
        before = text[clause_start:start]
        tail = _CLAUSE_END.search(text, end, end + 40)
        after = text[end : tail.start() if tail else min(len(text), end + 40)]
        if _CONDITION_BEFORE.search(before) or _CONDITION_AFTER.search(after) or ("一" in before and "就" in after):
            continue
        if m.group("checked") and (
            _YOU_LAST.search(before)
            or _CHECK_LATER_BEFORE.search(before)
            or (m.group(0).endswith("完了") and _CHECK_LATER_AFTER.match(after))  # "查过了就是少发了" is done
        ):
            continue
        found[text[start:end]] = None
    return list(found)


def _shares_words(reply: str, complaint: str) -> bool:
    """True when the reply repeats a content bigram of the complaint (a word of two or more characters)."""
    return not _content_bigrams(complaint).isdisjoint(map(str.__add__, reply, reply[1:]))  # the reply's bigrams, in C


@lru_cache(maxsize=256)
def _content_bigrams(text: str) -> frozenset[str]:
    grams = {text[i : i + 2] for i in range(len(text) - 1)}
    return frozenset(
        g for g in grams if g[0] not in _STOP and g[1] not in _STOP and all("\u4e00" <= c <= "\u9fff" or c.isalnum() for c in g)
    )
