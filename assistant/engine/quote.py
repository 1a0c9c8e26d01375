"""The complaint's own words a draft quotes: the clause that carries an intent's evidence (``grievance``), the
praise or question a thank-you or an answer quotes (``kind_issue``), and ``{{ issue }}`` made of either
(``issue_phrase``)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from functools import lru_cache

from assistant.engine.evidence import PROBLEM_WORDS
from assistant.engine.fields import REGULATOR, as_written
from assistant.engine.library import GENERIC_PRODUCTS, PLACEHOLDERS, Library
from assistant.engine.match import PRAISE_WORDS, QUESTION_WORDS, IntentMatch, is_praise
from assistant.engine.normalize import Normalized
from assistant.taxonomy import OTHER, PRAISE

_CLAUSE_SPLIT = re.compile(r"[,.!?;:，。！？；：、~～\n（）()\[\]【】“”\"#]+")
# Clause separators; a point or colon inside a run of Latin letters and digits ("12.7", "18:00", a model name such as
# "note7s.2") is part of a word (jieba keeps it in one token), not a clause end; nor is one space between two of them
# (「A B楼」, 「iPhone 13」): 「酒店有A B楼之分」 is not quoted as “酒店有A”.
_SEPARATOR = re.compile(
    r"(?:[,!?;，。！？；、~～\n（）()\[\]【】“”\"#]|(?<![\dA-Za-z])\s|\s(?![\dA-Za-z]))+|[.:：](?![\dA-Za-z])|(?<![\dA-Za-z])[.:：]"
)
# A quotation of a few words inside a clause (「叫“彩铃套餐”的业务」, 「收到的却是"番茄味"」): a name or someone's words.
_SHORT_QUOTATION = re.compile(r'“[^“”"\n，。！？；,!?;]{1,12}”|"[^“”"\n，。！？；,!?;]{1,12}"')
_STRAY_MARK = re.compile('[“”"]')
_FILLER = re.compile(
    r"而且|但是|可是|就是|结果|然后|还有|另外|并且|关键|不过|我们的|我的|我们|我|这|真的|居然|竟然|感觉|觉得|"
    r"请问|想问一下|想问下|问一下|咨询一下"  # 「您问的“请问…”」 repeats the asking
)
_ASKING = re.compile(r"(?:我?想请?问一下|我?想请?问下|请问|问一下|咨询一下)[，,\s]*")
# The problem in our own words, for a draft whose intent has no phrase of the complaint to quote.
_OWN_WORDS = {
    "quality_defect": "质量问题",
    "damaged_delivery": "运输破损问题",
    "wrong_missing_item": "发错漏发问题",
    "logistics_delay": "物流问题",
    "not_as_described": "实物和描述不符的问题",
    "counterfeit": "正品疑虑",
    "price_promotion": "价格优惠问题",
    "refund_return": "退换货和退款的问题",
    "service_attitude": "客服服务问题",
    "installation_repair": "安装维修问题",
    "expired_spoiled": "临期变质问题",
    "safety_hazard": "安全隐患",
    "privacy_security": "个人信息安全问题",
    "billing_invoice": "扣费发票问题",
    "usage_question": "使用问题",
}
_NAMES_A_PROBLEM = re.compile(r"(?:问题|毛病|故障|情况)$")  # a quote that says "problem" itself
# Our words, narrowed where the complaint never says part of them: rotten fruit is no 「临期」 matter, an invoice never
# issued no 「扣费」 one. (narrower words, words whose absence calls for them, words that must be there if any)
_INVOICE, _CHARGE = re.compile(r"发票|开票|票据|抬头"), re.compile(r"扣|费|钱|付|账单")
_NARROWER: dict[str, tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]] = {
    "expired_spoiled": (("变质问题", re.compile(r"期"), None),),
    "billing_invoice": (("发票问题", _CHARGE, _INVOICE), ("扣费问题", _INVOICE, _CHARGE)),
}
# Intents whose problem is not the product's: {{ issue }} names no product for them.
_NOT_THE_PRODUCTS = frozenset({"service_attitude", "privacy_security"})
# 另外 after 要/需/得/会/再 is "separately" (「安装要另外约」), not "besides": the clause is not cut there.
# 还有 after a place word is "there is also" (「屏幕上还有划痕」), not "and besides".
_CONNECTIVE = re.compile(r"结果|而且|但是|可是|然后|(?<![上里中内外])还有|并且|不过|况且|甚至|(?<![要需得会再])另外")
_MEASURE = set("条件个款双台次把张套只瓶盒包袋支根块片顶副")  # measure words, as in 这条裙子, 这台冰箱
# A span of time after 这 goes with it: 「这阵子小区又断网了」 is quoted as “小区又断网了”, not “阵子小区又断网了”.
_TIME_SPAN = re.compile(r"阵子|一阵|几天|两天|些天|些日子|段时间|段日子|会儿|几个月|两个月|几年|几次")
_ASCII_WORD = re.compile(r"[\dA-Za-z]+$")  # a number or Latin word a trimmed quote must not start inside of
_WEAK_START = set("的了地得和就都也还又而且却是")
# Words a quote does not open on, where a cut fell after the words they belong to: 「…的时候打电话要求退票」 was quoted
# as “时候打电话要求退票”, 「确认成功后店家…」 as “后店家…”.
_WEAK_OPENING = re.compile(
    r"的时候|时候|之后|以后|(?<![以之然])后|对于|由于|之所以|其次|首先|特别是|总之|完了|但(?!是)|或者|所以|再就是|一下"
)
# A negation just before a trimmed quote's first word is kept with it: 「无法搜索到无线信号」 is not quoted as
# “搜索到无线信号的故障”, nor 「没有一天安生日子」 as “一天安生日子”: the cut would say the opposite.
_NEGATION = re.compile(r"(?:没有|没|不能|不会|无法|不|未|无|别)$")
_CAME = re.compile(r"发来|发的是|发了个|收到|到手|寄来|送来")  # what came, against what was ordered
_GUESS_TAIL = re.compile(r"吧(?:这是)?$")  # 「盗版吧这是」 is quoted as “盗版”
_WEAK_END = set("的地得和就都也还又而却上下里在把被给跟与及从对向往")  # a cut quote does not stop on these: 「存着上」
MAX_QUOTE = 20  # characters: a quote longer than this is trimmed around its evidence at word boundaries
QUOTE_CONTEXT = 8  # characters kept each side of the evidence word when trimming
_GREETING = re.compile(r"(?:亲|你好|您好|哈喽)?[，,\s]*(?:在吗|在不在|有人吗|人呢)[？?！!。~～]*")  # not a question to quote
_RATING = re.compile(r"(?:给个?|必须)?(?:五星|5星|满分)?(?:好评|五星|5星|满分)")  # a bare rating ("好评")
_DENIAL = re.compile(r"(?:并|倒|也)?不是")  # a clause that says what the problem is not ("不是质量问题，就是…")
# Not inside everyday words: 草莓, 不靠谱, 操作, 滚筒洗衣机, 卡死, 死机, 妈妈, 逼着 are what a complaint is about.
# 狗 is rude (狗东西, 黑心狗), not a pet (狗狗, 狗粮, 小狗, 我家狗): 「狗狗吃了狗粮上吐下泻」 is the harm to quote.
_RUDE = re.compile(
    r"(?<!妈)妈(?!妈)|(?<![被相])逼(?![着迫问近真债])|垃圾|傻|(?<![小养遛狗家])狗(?![狗粮绳窝盆子毛屋笼链])|屎|操(?!作|心|场)|草(?!莓|地|坪|原|本|稿|帽|席|药|根|木|丛)|靠(?!谱|近|边|着|窗|墙|背|枕)|"
    r"滚(?!筒|动|轮|珠)|(?<!卡)死(?!机)|恶心|骗子|智障|sb|tm|nm|特么|尼玛|马丹|丫的|次奥|卧槽"
)
# A feeling is no problem to quote: 「您说的“呵呵”这个问题」, 「“一般般吧”这个问题」, 「“太失望了”这个问题」 read wrong.
_FEELING = re.compile(
    r"(?:呵呵|哈哈|唉|哎|嗯|就这|一般般?|太|很|真的?|非常|特别|超级?|有点|好|失望|不推荐|差评|差劲|太差|差|无语|服了|醉了|不满意|"
    r"糟糕|生气|气死|郁闷|后悔|心累|无奈|不好|不行|不怎么样|吧|了|啊|呀|哦|的|呢|嘛|么|我|人|极|透)+"
)
# Counting contacts is how often they asked, not what they asked about: 「为了“联系了客服三次”这个问题」. Not 要 or 说:
# 「一天要重启三次」 counts a fault, and is the problem to quote.
_CONTACTS = re.compile(
    r"(?:联系|找|打|问|催|反映|投诉|沟通|申请|留言)了?(?:客服|你们|商家|卖家|电话)?[^，,。；;]{0,2}?"
    r"[几两三四五六七八九十\d]+(?:次|遍|回|趟)|第[二三四五六七八九十\d]+次(?:联系|找|打|问|催|投诉|反映|来)|"
    r"换了[几两三四五六七八九十\d]+个客服"
)
# A threat is what the customer will do, not the problem: 「把“再不退款我去消协投诉你们”这个问题解决好」 read wrong.
_THREAT = re.compile(
    rf"{REGULATOR.pattern}|律师|起诉|法院|打官司|报警|举报|曝光|记者|电视台|媒体|投诉到|黑猫投诉|"
    r"发(?:到|在)?(?:微博|抖音|小红书|网上)|你们等着|等着瞧"
)
# A taunt or a parting shot is said at us, not what went wrong: 「“你们自己看看这做工”这个问题」, 「“你敢说正品”这个问题」,
# 「“客服是不想干了吗”这个问题」, 「“以后不会再来了”这个问题」 read wrong. Another clause with the evidence is quoted, or
# the problem is named in our words.
# A demand is what the customer wants from us, not what went wrong: 「“要求赔偿地板的维修费用”这个问题本该早点处理好」.
# A clause that only asks for the money back (「不仅要退款，还要赔偿误工费」) is a demand too: 「“不仅要退款”这个问题」.
_DEMAND = re.compile(
    r"要求(?:赔|补偿)|赔偿(?:损失|我|费)|你们得赔|赔我|给(?:我)?个说法|假一赔|"
    r"^\s*(?:不仅|不但|我|就|必须|还)?(?:要|要求)(?:全额)?(?:退款|退货|退钱)\s*$"
)
# A clause that says what was fine is not the problem: 「您说的“冰箱送来外包装没问题”这个问题」, nor faint praise:
# 「“酒店设施还可以”这个问题」 beside 「就是服务不太好」.
# Nor speed praised: 「送餐速度快」 quoted as a late delivery, 「物流挺快的」 beside a fault.
_FINE = re.compile(
    r"(?:没|没有|无)(?:发现|出现|遇到|见)?(?:什么|任何)?(?:问题|毛病|破损|瑕疵)|完好无损|好好的|"
    r"(?:速度|配送|送餐|送货|物流|发货)(?:也|都|还)?(?:很|挺|蛮|算|比较|非常|超|特别)?(?:快|及时|迅速)(?![递点些])"
)
_FAINT_PRAISE = re.compile(
    r"^(?!.*[不没无差]).*(?:还|也|都|挺|很|蛮|比较|算)(?:可以|行|方便|干净|凑合|过得去)(?:吧|啦|的|了)?\s*$"
)
# Praise said in sarcasm is said at us: 「“客服小李的态度太好了”这个问题」. (「好到…」 and what follows carry the grievance.)
# So is a jibe at how well we do the wrong thing: 「踢皮球踢得挺溜啊」, 「推得可真快呀」.
_IRONY = re.compile(
    r"(?:太|真是?|可真|实在太?)(?:好|棒|厉害|贴心|周到|及时|专业)(?:了|啊|呀)|真是好\w{0,3}啊|"
    r"得(?:挺|真|可真|够)[\u4e00-\u9fff]{1,2}(?:啊|呀)"
)
_RHETORIC = re.compile(
    r"(?:你们?|大家)自己(?:看看|瞧瞧|看|瞧)|(?:你们?|谁)还?敢说|还好意思|不想干了|"
    r"(?:以后|再也|下次)(?:都|也)?不会?再?(?:来|买|光顾|入住|住|去|订|点|选)|不会再(?:来|买|光顾|入住|住|去|订|点|选)|"
    r"再也不会|好自为之|"
    # A warning to other readers is what they should do, not what went wrong: 「一定不要上当」, 「大家千万别住」.
    r"(?:千万|一定|最好|建议|大家|朋友们?)(?:不要|别)(?:再)?(?:上当|入住|住|订|选|去|来|买)|千万别|避雷|"
    # A retort or a challenge is not what went wrong either (「什么态度」, 「你们卖的到底是不是正品」), nor the verdict the
    # customer reached (「假货实锤了」): the clause that says what they saw or were told is quoted instead.
    r"什么(?:态度|服务|玩意)|到底是不是|实锤|"
    # Nor a label the customer puts on it (「虚假宣传」): what they saw is the problem.
    r"^\s*(?:纯属|就是|这是|典型的)?虚假宣传\s*$"
)
# Seeing a doctor is what the customer did about the harm, not the harm: 「“已经去医院了”这个问题」 read wrong beside
# 「脚上起了水泡」. These words still weigh for the intent and for escalation; they are not what a draft quotes.
_TREATMENT = re.compile(r"医院|住院|就医|就诊|看医生|医生|急诊|挂水|输液|诊所|打针|开了?药")
# A clause that only sets the scene: what was booked, promised or advertised, how long it was used, that it was installed
# (「订的海景房」「约好的上午安装」「电热水器用了半年」「空调安装完」「宣传续航一整天」). What went wrong is in the clause after
# it, and the two are quoted together when short enough; a clause with a word of what went wrong is no mere scene.
_SCENE = re.compile(
    r"^(?:我|我们)?(?:跟|和)?(?:订|买|约|点|拍|选|要)(?:了|的|好的|好了)|^(?:跟|和)?(?:宣传|广告|详情页|页面|图片上?|描述|说好的?|号称|标的|标着|写的|介绍)|"
    r"(?:说|写着?|标着?|号称)(?:有|是|送)|(?:卖家|商家|店家|客服)说|"  # what was claimed: 「书里说有配套光盘」, 「卖家说无拆修」
    r"^[\u4e00-\u9fff]{1,5}上买的|^官方翻新的|"  # where and what was bought: 「闲鱼上买的二手相机」
    r"(?:用|戴|穿|住|装|买|吃)了(?:不到|才|快|将近)?[一二两三四五六七八九十半几\d]*个?(?:天|周|星期|礼拜|月|年)$|"
    r"(?:安装|装好|装完|收到|到手|开箱|拆开)(?:完|了|后|以后|之后)?$|"
    # when the guest came and how long they stayed: 「晚上9点到酒店」, 「第一次住了一晚」
    r"(?:到|抵达|入住)(?:了)?(?:酒店|宾馆)$|^(?:第一次)?住了?[一二两三\d]+晚$"
)
_OUTCOME = re.compile(r"没|不|无|坏|破|裂|漏|错|少|差|慢|假|烂|臭|霉|骗|忽悠|问题|毛病|故障|还是|才|却|就|太|出入|变成|呢")
SCENE_CHARS = 11  # characters: a longer clause says more than the scene ("说好的内胆包华丽的变成了畅读卡")
# Something wrong, for a clause found by the model's words rather than the library's: 「翻了两页就掉页」, not 「服务人员」.
_WRONG = re.compile(
    rf"{PROBLEM_WORDS.pattern}|没|无法|不(?!错|小|清楚|知道)|歪|只有|只剩|[变发]?黑了|发黑|变黑|软了|化了|"
    # what is wrong with a stay or a tour, in words of no problem list: 「房间设施陈旧」, 「导游一路逼着我们买」
    r"陈旧|老旧|破旧|潮湿|发潮|脏|乱|吵|霉|异味|烟味|味道?[太很]?[大重]|太[小少慢贵旧]|一般|僵硬|灰尘|发黄|难受|"
    r"逼着|强制|强迫|硬拉|拉着"
)
# A problem announced before it is told (「目前发现有两个问题：1.…」, 「有个bug」, 「致命的缺点」): 「“有个问题”这件事」 says
# nothing; the clause that tells it is quoted, or the problem named in our words.
_ANNOUNCED = re.compile(
    r"(?:目前|现在|我|本人|才)?(?:觉得|发现)?(?:有|发现|遇到|存在)?了?(?:一|两|二|三|几)?(?:个|些)?(?:很|非常)?"
    r"(?:奇怪的|致命的|最大的|唯一的|严重的)?(?:问题|毛病|缺点|bug|故障)(?:就是|是)?"
)
_GOOD = re.compile(r"不错|挺好|很好|满意|好吃|好用")
_CONCESSION = re.compile(r"^\s*(?:虽然|虽说|尽管)|倒是|倒也")
_SUPPOSING = re.compile(r"\s*(?:如果|假如|假设|万一|要是|若是)")
_HEDGE = re.compile(r"^(?:不然|不信|如果|要是|是不是|不过|虽然|可还是)|[吗吧]$")
# Words of "other" that name where the customer stayed or booked rather than what went wrong.
_SETTING = re.compile(r"酒店|宾馆|饭店|民宿|客栈|房间|客房|入住|住了?一晚|住宿|携程|艺龙|去哪儿|预订|订房|房型")
# Asides: what surrounds the problem, not the problem. The wrapping is where damage shows first, not what the customer
# bought (「外包装都烂了」 beside 「侧板裂了一大条」, 「杯子碎了两个」); what they need the thing for is why it hurts, not what
# went wrong (「公司等着报销呢」 beside 「开发票一个礼拜了还没开出来」, 「孩子开学急着用」). Beside another clause with
# evidence, an aside is quoted only if it weighs far more.
_ASIDE = re.compile(
    r"包装|纸箱|外箱|箱子|盒子|快递袋|泡沫|"
    r"(?:等着|急着|赶着|急等着?|就等着)(?:用|报销|要|送人|穿|上班|上学|开学|出门|入住|搬家)|报销用|拿去报销|用来报销"
)
ASIDE_SHARE = 0.3
# What the customer did before anything went wrong: bought, ordered, opened, updated, applied, sent back, topped up,
# signed in (「开通了视频会员的定向流量」, 「收到手机后马上升级了系统」, 「前天在线申请了退款」). A clause that tells only that,
# with no word of what went wrong, is the story's start: beside a clause that says what went wrong it weighs less.
# A sum of money is what went wrong as often as not (「安装一个热水器400块钱」), and a sign-in elsewhere is the symptom
# (「提示您的账号已登录到其他房间」): neither is narration.
_NARRATES = re.compile(
    r"买|网购|抢购|下单|下的单|订(?!单)|开通|办理|办了|升级|更新|申请|寄回|(?<!被)退回(?!来)|退货|退票|充值|(?<![已被])登[录陆]|参加|填写|下载|安装|收到|付款|支付"
)
_MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:元|块|万)")
NARRATION_SHARE = 0.4
LOOSE_CHARS = 40  # characters: a complaint this short is quoted by the model's words when the library's are not in it
SCENE_QUOTE = 24  # characters: a scene and what went wrong, quoted together, at most this long


def kind_issue(text: str, kind: str) -> str:
    """``{{ issue }}`` for a thank-you or a question's answer: what was praised (“东西很好”) or asked (“…”这个问题).

    With nothing to quote ("在吗"), the bodies' "您问的{{ issue }}" / "您提到的{{ issue }}" still read as Chinese.
    """
    clause = _kind_clause(text, kind)
    if not clause:
        return "这些" if kind == PRAISE else "问题"
    return f"“{clause}”" if kind == PRAISE else f"“{clause}”这个问题"


def _kind_clause(text: str, kind: str) -> str | None:
    """The clause that praises (for praise) or asks (for a question), short enough to quote."""
    words = PRAISE_WORDS if kind == PRAISE else QUESTION_WORDS
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text)]
    # What was praised may say so without a praise word: 「芒果很甜很新鲜」 (is_praise knows 很新鲜), not 「给个好评」.
    fitting = [
        c
        for c in clauses
        if (words.search(c) or (kind == PRAISE and is_praise(c))) and 2 <= len(c) <= 24 and not _GREETING.fullmatch(c)
    ]
    # What they praised ("东西很好") rather than the bare rating ("好评"), which is quoted only when it is all there is.
    clause = next((c for c in fitting if not _RATING.fullmatch(c)), fitting[0] if fitting else None)
    if clause and kind != PRAISE:
        asked = _ASKING.match(clause)  # "请问这款能预约吗" is asked as “这款能预约吗”
        clause = clause[asked.end() :] if asked and len(clause) - asked.end() >= 2 else clause
    return clause


def evidence_words(match: IntentMatch, library: Library) -> dict[str, float]:
    """The matched words that are the intent's own keywords or pattern hits, with their weights."""
    words = library.intent_words.get(match.id, {})
    patterns = library.patterns.get(match.id, ())
    weights = {}
    for w in match.matched:
        weight = words.get(w) or max((pw for p, pw in patterns if p.search(w)), default=0.0)
        if weight:
            weights[w] = weight
    return weights


def grievance(normalized: Normalized, match: IntentMatch, library: Library, *, main: bool = False) -> str | None:
    """The phrase of the complaint that carries an intent's evidence, ready to quote; None when none fits.

    The evidence is the intent's own keywords (and patterns) that the matcher found; the first clause
    holding one is taken, unless it praises ("物流也快") or is rude. A clause longer than ``MAX_QUOTE`` is
    trimmed around the evidence, and every cut falls on a jieba word boundary: never mid-word. A clause that only
    sets the scene (「订的海景房」) is quoted with the clause after it (「…，拉开窗帘对着工地」).

    :param main: the complaint's main intent: when none of the library's words of it are in the complaint, the words
        that made it the main intent (the model's among them: 「掉页」, 「听不见」) find the clause instead. A further
        intent with no library word in the complaint has nothing of its own to quote, and gets no draft.
    """
    weights = {w: v for w, v in evidence_words(match, library).items() if not _TREATMENT.search(w)}
    # Only in a short complaint, and never for "other" (it names no problem): in a long one the model's words are spread
    # over clauses that tell a story, and 「“没试过”这个问题」 is worse than naming the problem in our words.
    loose = not weights and main and match.id != OTHER and len(normalized.text) <= LOOSE_CHARS
    if loose:
        weights = {w: 1.0 for w in match.matched if len(w) >= 2 and not _TREATMENT.search(w)}
    if match.id == OTHER:
        # "other"'s words name the stay as often as what went wrong (酒店, 房间, 入住): its clause says what is wrong
        # (「房间有霉味」, not 「16日入住802房间」 or 「酒店周边比较繁华」), else one found by other words than those
        # (「导游一路带着进购物店」)
        said_wrong = _best_clause(normalized, weights, loose=True)
        if said_wrong:
            return said_wrong
        weights = {w: v for w, v in weights.items() if not _SETTING.fullmatch(w)}
    return _best_clause(normalized, weights, loose=loose)


def said(normalized: Normalized, evidence: tuple[str, ...]) -> str | None:
    """The clause of the complaint that holds an escalation's evidence (「闻到很大的煤气味」), ready to quote; None when it is
    a threat, a demand or a count of contacts, which are not the problem."""
    return _best_clause(normalized, {w: 1.0 for w in evidence if len(w) >= 2 and not _TREATMENT.search(w)}, loose=False)


def _best_clause(normalized: Normalized, weights: dict[str, float], *, loose: bool) -> str | None:
    """The quotable clause that holds the most weight of ``weights``, trimmed to ``MAX_QUOTE`` at word boundaries.

    :param loose: the words are not the library's (the model's): the clause must also say what is wrong
    """
    if not weights:
        return None
    text, bounds = normalized.text, normalized.boundaries
    order: list[int] = []
    best: tuple[float, str] | None = None
    spans = _phrases(text, bounds)
    for n, (start, end) in enumerate(spans):
        hits = sorted((pos, w) for w in weights if (pos := text.find(w, start, end)) >= 0)
        if not hits:
            continue
        clause = text[start:end]
        scene = _is_scene(clause)  # 「图片上的草莓又大又红」 praises the picture, not the strawberries
        if (is_praise(clause) and not scene) or not _quotable(text, start, end):
            continue
        # A scene is quoted with what went wrong: the clause after it (「订的海景房，拉开窗帘对着工地」), or the one before it
        # when that one says what came or the scene ends the complaint (「座椅套发来是灰色的，我拍的是米白色」, not
        # 「“我拍的是米白色”这个问题」).
        before, after = (_beside(text, spans, n, -1), _beside(text, spans, n, 1)) if scene else (None, None)
        if before is not None and after is not None and not _CAME.search(text, *before):
            before = None
        near = before or after
        if near is not None:
            (a, _), (_, b) = sorted([(start, end), near])
            joined = "，".join(text[x:y].strip() for x, y in sorted([(start, end), near]))
            if len(joined) <= SCENE_QUOTE:  # weighed by the evidence in both clauses
                weight = sum(weights[w] for w in weights if text.find(w, a, b) >= 0)
                weight *= ASIDE_SHARE if _ASIDE.search(joined) else 1.0
                if (not loose or _says_wrong(joined)) and (best is None or weight > best[0]):
                    best = (weight, joined)
                continue
        if loose and not _says_wrong(clause):  # the model's words are everyday words: the clause must say what is wrong
            continue
        pos, word = max(hits, key=lambda h: weights[h[1]])
        clause_start = start
        while (filler := _FILLER.match(text, start, pos)) and filler.end() in bounds:  # "而且我的…" -> the grievance
            start = filler.end()
            if filler.group().endswith("这") and text[start : start + 1] in _MEASURE and start + 1 in bounds:
                start += 1  # 「这条裙子…」 quoted as “条裙子…”: the measure word goes with 这
            elif filler.group().endswith("这") and (span := _TIME_SPAN.match(text, start, pos)) and span.end() in bounds:
                start = span.end()
        trimmed = end - start > MAX_QUOTE
        if trimmed:  # the first boundary at most QUOTE_CONTEXT before the evidence, the last after it
            order = order or sorted(bounds)  # bisected, not scanned: a long complaint has thousands of boundaries
            i = bisect_left(order, max(start, pos - QUOTE_CONTEXT))
            start = order[i] if i < len(order) and order[i] <= pos else pos
            tail = pos + len(word)
            j = bisect_right(order, min(end, tail + QUOTE_CONTEXT)) - 1
            end = order[j] if j >= 0 and order[j] >= tail else tail
            negated = _NEGATION.search(text, clause_start, start)
            if negated and negated.start() in bounds:
                start = negated.start()
        digits = _ASCII_WORD.search(text, clause_start, start) if trimmed else None
        if digits and end - digits.start() <= MAX_QUOTE:  # 「10点订的12点40才送来」, not “点订的12点40才送来”
            start = digits.start()
        while start < pos:  # not "的进口咖啡机…", "时候打电话…"
            if text[start] in _WEAK_START and start + 1 in bounds:
                start += 1
            elif (opening := _WEAK_OPENING.match(text, start, pos)) and opening.end() in bounds:
                start = opening.end()
            else:
                break
        while trimmed and end - 1 > pos + len(word) and text[end - 1] in _WEAK_END and end - 1 in bounds:  # not "…存着上"
            end -= 1
        asked = _ASKING.match(text, start, end)  # 「您问的“请问…”」 asks twice; kept where "请问" itself is the evidence
        if asked and asked.end() in bounds and any(text.find(w, asked.end(), end) >= 0 for w in weights):
            start = asked.end()
        quote = _GUESS_TAIL.sub("", text[start:end].strip())
        # A clause that holds a feeling (太差了, 失望) says how it felt: 「导游全程拉着去购物店」 beside 「跟团游体验太差了」.
        aside = _ASIDE.search(clause) or any(_FEELING.fullmatch(w) for _, w in hits)
        weight = sum(weights[w] for _, w in hits) * (ASIDE_SHARE if aside else 1.0)
        weight *= NARRATION_SHARE if _narrates(clause) else 1.0
        if not 2 <= len(quote) <= MAX_QUOTE or is_praise(quote) or _FEELING.fullmatch(quote):
            continue
        if best is None or weight > best[0]:
            best = (weight, quote)
    return as_written(best[1], normalized.original) if best else None


def _says_wrong(clause: str) -> bool:
    """Whether a clause says something is wrong, and not as a guess or a condition ("不然我不要了", "是不是…")."""
    clause = clause.strip()
    return bool(_WRONG.search(clause)) and not _GOOD.search(clause) and not _HEDGE.search(clause)


def _narrates(clause: str) -> bool:
    """Whether a clause only tells what the customer did (``_NARRATES``), with no word of what went wrong."""
    return bool(_NARRATES.search(clause)) and not any(p.search(clause) for p in (_OUTCOME, _WRONG, _MONEY))


def _is_scene(clause: str) -> bool:
    """Whether a clause only sets the scene: what was booked or advertised, how long it was used, that it was installed."""
    clause = clause.strip()
    return len(clause) <= SCENE_CHARS and bool(_SCENE.search(clause)) and not _OUTCOME.search(clause)


def _quotable(text: str, start: int, end: int) -> bool:
    """Whether a clause may be quoted as the problem: not rude, not a denial or what was fine, not a count of contacts, a
    threat, a demand, a taunt or praise said in sarcasm, nor a problem announced before it is told."""
    clause = text[start:end]
    if _ANNOUNCED.fullmatch(clause.strip()):
        return False
    if _RUDE.search(clause) or _DENIAL.match(text, start, end) or _FINE.search(clause) or _FAINT_PRAISE.search(clause):
        return False
    if text[start - 1 : start] == "#" and text[end : end + 1] == "#":  # a topic's tag (「#你被去哪网坑过吗#」), not theirs
        return False
    if _CONCESSION.search(clause):  # 「虽然有一个摄像头」, 「印刷倒是彩色版」 grant a point; the grievance is elsewhere
        return False
    if _SUPPOSING.match(clause):  # 「如果京东不发放优惠券…」 says what would happen, not what did
        return False
    return not any(p.search(clause) for p in (_CONTACTS, _THREAT, _DEMAND, _RHETORIC, _IRONY))


def _beside(text: str, spans: tuple[tuple[int, int], ...], n: int, step: int) -> tuple[int, int] | None:
    """The clause after (``step`` 1) or before (-1) clause ``n`` when a comma alone parts them and it can be quoted, as
    what went wrong in a scene."""
    if not 0 <= n + step < len(spans):
        return None
    start, after = spans[n + step]
    gap = text[spans[n][1] : start] if step > 0 else text[after : spans[n][0]]
    clause = text[start:after].strip()
    if gap.strip() not in (",", "，") or len(clause) < 2 or is_praise(clause) or _FEELING.fullmatch(clause):
        return None
    if _is_scene(clause):  # a second scene ("订的大床房，住两晚") says nothing wrong
        return None
    return (start, after) if _quotable(text, start, after) else None


@lru_cache(maxsize=4)  # a complaint's clauses, for each intent a draft quotes
def _phrases(text: str, bounds: frozenset[int]) -> tuple[tuple[int, int], ...]:
    """Spans of the clauses of a text, also split at connectives between words ("…用了三天就坏|而且|异响很大").

    A short quotation inside a clause is part of it: 「多了一个叫“彩铃套餐”的业务」 is one clause, not 「多了一个叫」.
    """
    spans = []
    unquoted = _inner_marks(text)  # the same length: the spans hold for ``text``
    cuts = [0] + [p for m in _SEPARATOR.finditer(unquoted) for p in m.span()] + [len(text)]
    for start, end in zip(cuts[::2], cuts[1::2], strict=True):
        if start >= end:
            continue
        for m in _CONNECTIVE.finditer(text, start, end):
            if m.start() in bounds and m.end() in bounds and m.start() > start:
                spans.append((start, m.start()))
                start = m.start()
        spans.append((start, end))
    return tuple(spans)


def _inner_marks(text: str) -> str:
    """``text`` with each short quotation's marks as inner ones (‘…’), which split no clause."""
    if "“" not in text and '"' not in text:
        return text
    return _SHORT_QUOTATION.sub(lambda m: "‘" + m.group(0)[1:-1] + "’", text)


def _nested(quote: str) -> str:
    """A quote's own quotation marks as the inner ones (‘…’), so that “…” around it reads as one quote; a mark whose
    pair the quote cut off (「类似“您的快递已到”短信」 trimmed to 「您的快递已到”短信」) is dropped."""
    return _STRAY_MARK.sub("", _inner_marks(quote))


def issue_phrase(
    quote: str | None, intent: str, product: str | None, text: str | None = None, own_words: Mapping[str, str] | None = None
) -> str:
    """What ``{{ issue }}`` says: the quoted phrase, else the problem in our words; with the product when it is known
    and the phrase does not name it ("电热水壶“用了两周就不加热了”这个问题", "电热水壶的质量问题"). A problem with people or
    personal data is not the product's: never 「沙发的客服服务问题」 or 「苹果“踢皮球”这个问题」.

    :param text: the complaint (normalised): a product it names goes before a quote only when named in the quoted
        clause or the one before it (「买的电热水壶，用了两周就不加热了」). Named elsewhere, the quote may be about something
        else: 「无电吹风，不方便。有些前台服务态度不友好」 is not 「电吹风“有些前台服务态度不友好”这个问题」.
    :param own_words: the problem in the shop's words, by intent (``library.ShopKind.words``), before ours, where the
        complaint names no product of its own
    """
    product = product if product and product not in GENERIC_PRODUCTS and intent not in _NOT_THE_PRODUCTS else None
    if quote:
        if product and text is not None and not _named_beside(product, quote, text):
            product = None
        quoted = f"“{_nested(quote)}”{'这件事' if _NAMES_A_PROBLEM.search(quote) else '这个问题'}"  # not 「“总是出问题”这个问题」
        return f"{product}{quoted}" if product and product.lower() not in quote.lower() else quoted
    own = None if product else (own_words or {}).get(intent)  # a shop's words name its goods: not 「手机网络和业务的问题」
    for narrower, unsaid, named in () if own else _NARROWER.get(intent, ()):
        if text is not None and not unsaid.search(text) and (named is None or named.search(text)):
            own = narrower
    own = own or _OWN_WORDS.get(intent)
    if own is None:
        return f"{product}的问题" if product else PLACEHOLDERS["issue"]
    return f"{product}{'' if '的' in own else '的'}{own}" if product else own  # 空气炸锅的物流问题, 空气炸锅实物和描述不符的问题


def _named_beside(product: str, quote: str, text: str) -> bool:
    """Whether ``text`` names ``product`` in the clause of ``quote`` or the clause before it; True when the text does not
    name it at all (the agent gave it) or the quote cannot be found in it."""
    lowered, product = text.lower(), product.lower()
    at = lowered.find(quote.lower())
    if at < 0 or product not in lowered:
        return True
    named = lowered.rfind(product, 0, at)
    return named >= 0 and len(_CLAUSE_SPLIT.findall(lowered, named + len(product), at)) <= 1


def threat_only(text: str) -> bool:
    """Whether every clause of a complaint is a threat or a step taken (「我去消协投诉你们」, 「已经打了12315」): it says
    what the customer will do, not what went wrong, so no intent is sure enough to name."""
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    return bool(clauses) and all(_THREAT.search(c) for c in clauses)
