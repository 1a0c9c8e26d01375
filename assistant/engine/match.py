"""Recognise what a complaint is about: the keyword evidence and the learned model, combined.

Per intent, a logit ``model_weight * model decision + evidence_weight * keyword score``
(the weights chosen by cross-validation on the labelled complaints when the model
was trained, see ``selection.py``); a softmax turns the logits into scores in [0, 1]
that sum to one over the intents. Without a model file the keyword evidence
alone ranks the intents.

Text that is not a complaint (praise, a plain question) is recognised by
``recognise_kind``: its scores are scaled down so that no intent claims it, and
drafting answers it from the two templates in ``replies/not_a_complaint.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from assistant.engine.evidence import PROBLEM_WORDS, Evidence, EvidenceIndex, keyword_evidence
from assistant.engine.model import TrainedModel, Weighed, intent_features
from assistant.engine.normalize import Normalized, function_only
from assistant.engine.pii import shown_as_evidence, within_data
from assistant.taxonomy import COMPLAINT, OTHER, PRAISE, QUESTION, SAFETY_HAZARD

MODEL_WORDS = 3  # n-grams shown for the model's top intent

# What a text is: a complaint, praise, or a plain question. Only complaints are apologised for.
NOT_A_COMPLAINT_SCALE = 0.45  # scores of a praise or a question are scaled below one half
PRAISE_WORDS = re.compile(
    r"好评|五星|满意|不错|很好|挺好|真好|喜欢|推荐|点赞|赞|给力|棒|好用|好吃|好看|舒服|划算|超值|实惠|正品|放心|"
    r"谢谢|感谢|辛苦|专业|耐心|神速|很快|挺快|超快|(?<![不没])用心|(?<!不)贴心|回购|一如既往"
)
# Words that ask: a question word, or a yes-or-no form ("会不会", "掉不掉色"); ``QUESTION_WORDS`` adds the question mark.
# 几天 asks, except counted after the fact: 「放了几天还有味」, 「用了几天就坏」 (not 「几天能到」).
_ASKS = (
    r"请问|咨询|想问|问一下|吗|怎么|如何|能不能|能否|可不可以|有没有|多久|什么时候|哪里|(?<![了过没好])几[天号点个]|是否|会不会|是不是|"
    r"(?P<asked>[^\W\d])不(?P=asked)"
)
QUESTION_WORDS = re.compile(_ASKS + r"|[?？]")
_ASKING = re.compile(_ASKS)
# A question mark doubled or paired with "!" ("穿S？？？", "这叫新鲜？！") over a statement that asks nothing is
# disbelief, not a question. Read in the text as typed: normalising folds "？？？" into one "?".
_INCREDULOUS = re.compile(r"[?？]{2,}|[?？][!！]|[!！][?？]")
# Praise words that praise nothing here: a thing's name (卷发棒, 冰棒), a fake (非正品), support's stock phrase quoted
# back ("请耐心等待"), someone else's recommendation ("他推荐的配件"). Left out before praise is looked for.
_NOT_PRAISE = re.compile(
    r"卷发棒|冰棒|棒球|接力棒|[非假]正品|不是正品|(?:请|请您|需要|让我|叫我)?耐心等(?:待|候)?|推荐的|推荐我买"
)
_PRAISED = re.compile(r"(也|很|挺|真|超|非常|特别|蛮|还算|都)(快|好|准时|及时|满意|新鲜|结实)")  # "物流也快", "包装都很好"
_NEGATED_PRAISE = re.compile(
    r"[不没][让人太怎么够很是大那么]{0,3}(?:满意|舒服|好用|好吃|好看|喜欢|划算|实惠|放心|专业|耐心|给力|推荐|好|快)"
)
# Words of a grievance; their negated forms ("没有问题", "不贵") are removed first.
_GRIEVANCE = re.compile(
    r"差|烂|坏|垃圾|失望|不满|投诉|骗|坑|慢|贵|假|问题|毛病|故障|破|漏|错|少了|缺|没收到|还没|不行|不好|可惜|"
    r"难用|难吃|难看|恶心|无语|生气|气死|郁闷|后悔|别买|不推荐|一星|为什么|凭什么|到底|不能|不会|用不了|没用|不了|"
    r"不是|根本|居然|竟然|怎么还|却|但是|可是|就是|结果|怎么办|咋办|咋整|怎么回事|什么情况|啥情况|几个意思|"
    r"没|未|无法|找不到|不显示|不支持|不爽|不值|不咋|抵制|上当|误导|求助|降|低|这么|效率|毒|憋屈|傻|又|不出|不到|不一样|"
    r"神马情况|磨叽|少|只有|缩水|夸大|分明|讨厌|一般|痒|不怎么|不开|无故|难以|扣|鬼|故意|为啥|为何|吐槽|!{2,}|"
    # a thing that does not do its job, is short or too much to bear: "收到不发热", "量都不够", "一言难尽", "看不懂",
    # "以后都不敢买了"; a clause turned by 可 ("送货是挺快的，可包装就一个纸盒")
    r"不(?:发热|热|制冷|加热|亮|转|充电|工作|启动|够)|一言难尽|看不懂|不敢(?:再)?(?:买|吃|用|喝)|[，,]\s*可(?![以能爱口是乐靠信])|"
    # what went wrong, said plainly: "一进副本就闪退", "快递盒整个塌进去", "汤全洒了", "勒得喘不过气", "不给退也不给换"
    r"失灵|闪退|不动了|塌|压出|洒了|洒在|坨了|酸了|勒得|喘不过气|恶劣|挂了|不耐烦|偷听|明抢|烦死|吓死|不认|湿透|粗糙|扎手|"
    r"不匀|不给|多收|"
    # asked, but not a question: what should have come ("赠品呢？", "客服呢？人呢", "专员在哪？"), scorn ("是摆设吗",
    # "烦不烦", "爱买不买", "这还怎么吃", "你们装盒都不看的吗", "页面数字是编的吗")
    r"(?:赠品|退款|发票|客服|剩下的|专员|电话|人|钱|货|包裹|快递)(?:呢|在哪)|是摆设|行不行|烦不烦|靠点谱|对得起|是编的|"
    r"爱(?P<scorned>[^\W\d])不(?P=scorned)|(?:这|让我|我)(?:还|又|要)?怎么(?:吃|拿|用|喝|穿|睡|办|装|活)|"
    r"怎么(?:吃|喝|用)得完|都不(?:看|核对|检查|分|管)[^，,。；;!?]{0,6}吗|就给[^，,。；;!?]{0,4}这个|谁查的|"
    r"(?:你们|仓库|出库|发货|装盒|客服)[^，,。；;!?]{0,4}不(?:看|核对|检查|分)[^，,。；;!?]{0,6}吗|怎么会有人|不管了|不算数|"
    # what differs from what was said or fits badly: "这算不算货不对版", "拉链都拉不上", "内存太小", "冬天水怎么都烧不热"
    r"不对版|不符|不一致|对不上|不对劲|(?:拉|穿|扣|塞|装|插|关|盖)不(?:上|进|下|紧)|太(?:小|短|薄|少|窄|紧|松|大|长)(?!心)|"
    r"(?:也|还)要(?:收费|收钱|加钱|另付)|"
    # Rhetorical questions and sarcasm ask nothing and praise nothing: "说好的送赠品呢？", "这叫实木？", "尺码表是瞎写的吗",
    # "说是正品谁信", "好评，好到我再也不想买了"; not the questions "这叫什么材质？", "会歪吗", "只发顺丰吗".
    r"说好的|谁信|这叫(?!什么|啥|多少)|瞎|再也不(想|敢|会)?(买|来|光顾|信)|歪(?!吗|不歪)|只收到|只发了|只给了|"
    # "这也叫赠品？", "你敢说正品？", "就这？", "好到用一次就能扔"
    r"这[也还]能?叫(?!什么|啥|多少)|你敢说|就这[?？]|(就|只能|直接)(能|可以)?扔|"
    # what came is not what was ordered: "L码发来一个S", "要的是黑色，寄来的是白色", "发成小号了" (not the question
    # "发来的是新款吗", nor the gift "还发来一个小礼物"). A size is a few letters or digits: unbounded, 「qq1qq1…」 was
    # read to its end at every letter (5,000 such characters took 50 ms).
    r"(?:[a-z0-9]{1,8}码[^，,。；;!?]{0,4}(?:发|寄|送|给)(?:来|了|成)[^，,。；;!?]{0,3}[a-z0-9]|"
    r"(?:要|买|拍|订|选|下单)的?是[^。；;!?]{1,12}(?:发|寄|送)(?:来|过来)?的(?:却|居然|竟然)?是|"
    r"(?:发|寄|送)(?:来|过来)?的(?:却|居然|竟然)是|发成|"
    r"(?:要|买|拍|订|选|下单)的?是?[^。；;!?]{1,12}(?:发|寄)(?:来|过来)(?:一|个|条|件|双|只|块|台|套|盒|瓶)(?![^，,。；;!?]{0,4}(?:礼物|赠品|小样|红包))|"
    r"(?:要|买|拍|订|选|下单)的?是[^。；;!?]{1,12}(?:发|寄|送)(?:来|过来)的?(?:却|居然|竟然)?是)(?![^，,。；;!?]*吗)|"
    # a statement that mocks the question it ends with: "主播还在播好吗", "我是按尺码表买的好吗", "早就降价了好不好"
    r"(?:还在|还是|还有|都|明明|本来|早就|早已|已经|是[^，,。；;!?]{1,12}的)[^，,。；;!?]{0,12}(?:好吗|好不好)|"
    # surprise at the service: "怎么只到了一盒", "怎么又坏了", "还不发货"; a claim it broke: "明明写着包邮"
    # (not the praise "明明可以靠颜值")
    r"怎么(?:只|又|才(?!能|可以|算)|就(?!能|可以))|还不(?:发|退|到|处理|回|给|来|送|修|换|解决|理|上门)|"
    r"明明(?:写|说|标|是|显示|买|拍|选|要|订|已经|付|答应|告诉)|"
    # impatience asked as a choice: "还发不发货了", "到底退不退款" (not "掉不掉色")
    r"还(?P<urged>[^\W\d])不(?P=urged)|(?P<pressed>[^\W\d])不(?P=pressed)[^，,。；;!?]{0,4}了|"
    # praise pushed until it turns: "满意到想退货", "好到三天不回消息", "快到半个月才到" (not "好吃到停不下来")
    r"(?:好|满意|棒|快|给力|贴心|专业|厉害|优秀|赞|喜欢)到[^，,。；;!?]{0,8}(?:退|扔|哭|吐|不回|不理|才|再也|不敢|没人|无语|怀疑)"
)
# Saying one will complain ("我要投诉你们", "我会投诉的"): it names no cause (TAXONOMY: `other`) and, with whom it is
# made not said, is no reason to escalate ("投诉到12315" is, by its rule). ``escalate.py`` reads it too.
COMPLAINING = re.compile(
    r"(?:我们?|本人)?(?:要|会|就|必须|一定|肯定|想|得|还)?(?:去|来)?投诉(?:你们|你|商家|卖家|店家|客服|这家|这个)?(?:店|家|的)?"
)
_PUNCTUATION = re.compile(r"[\W_]+")
# Words of a harm or hazard, wider than the safety escalation rules (which need evidence to take a complaint offline):
# a safety_hazard intent needs one of them or a rule hit (``recognise``). Every safety_hazard complaint in train.jsonl
# and every safety_hazard example phrasing in the library has one; 「电热毯不热了」, 「盖子拧不紧」 have none. 夹 is a
# pinch (「夹到手了」, 「夹伤」), not a clip (「夹子一夹就断」).
HARM = re.compile(
    r"带电|漏电|触电|电[到了我手人]|被电|有电|麻|火[花星苗]|冒火|[烟焦糊]|烧|爆|炸|鼓|胀|烫|[伤割砸撞]|夹[到伤住破]|摔[了倒伤地在]|血|破皮|水泡|"
    r"划[了破]|口子|肿|痒|红|疹|痘|炎|脓|疼|痛|吐|泻|拉肚子|晕|恶心|呛|闷|哑|咳|过敏|医|危险|隐患|吞|噎|中毒|甲醛|刺"
)
# Praise with a small reservation (``_small_reservation``): the overall verdict, the hedge of a reservation, and
# what no hedge makes small (a fault, a loss, a hazard, a demand, anger).
_VERDICT = re.compile(r"整体|总体|总的来说|总的来讲|总之|综合|其他|其它|其余|别的|瑕不掩瑜|不影响|还是|还会|依然|仍然")
_FAIR = re.compile(r"还行|还可以|可以接受|能接受|过得去")
_HEDGE = re.compile(r"有点|有些|有一点|稍|略|一点|点儿|了点|小瑕疵|小问题|美中不足")
_FAULT = re.compile(
    r"坏|破|损|碎|漏|假|仿|翻新|二手|过期|变质|霉|烂|臭|馊|丢|错|缺|少[了发给寄送]|没收到|裂|断|故障|死机|黑屏|卡|噪|异响|杂音|"
    r"异味|怪味|掉|褪|起球|开线|开胶|变形|划|脏|污|痒|疼|痛|敏|吐|泻|伤|烫|火|烟|炸|泄|盗|扣|退|换|补|赔|投诉|骗|坑|差评|"
    r"失望|后悔|垃圾|不满|生气|无语|恶心|不值|上当|一星|再也不|不能|无法|用不了|不了"
)
_CLAUSES = re.compile(r"[，,。；;!?、~～\s]+")
_CONNECTIVE = re.compile(r"^(?:就是|但是|可是|不过|只是|可惜|但|却)")
# Set aside before looking for grievances: negated problems and the questions "有没有…", "多少".
_NOT_GRIEVANCE = re.compile(
    r"(没|没有|无|不)(什么|任何)?(问题|毛病|瑕疵|破损|色差|异味|缺)|不差|不贵|不慢|不假|不错|有没有|能不能|可不可以|是不是|"
    r"支不支持|多少|多大|多长|多久|[少小短便宜轻薄]一?点儿?的|"
    # what a question only supposes: "会不会褪色", "洗了会缩水吗", "容易坏吗", "漏不漏水" (not "会不会太差了")
    r"会不会(?!太)[^，,。；;!?]{0,8}|(?<![不怎机社学体约聚开晚])会(?!员|议|儿|计|所|场|话|长)[^，,。；;!?吗]{1,8}吗|"
    r"容易[^，,。；;!?吗]{1,6}吗|(?<![还爱])(?P<supposed>[^\W\d好烦])不(?P=supposed)(?![^，,。；;!?]{0,4}了)[^，,。；;!?]{0,4}|"
    r"解决了[^，,。；;！!？?]{0,6}问题|问题(已经|都|也)?(解决|处理)(了|啦|好了)|"  # thanks for a problem solved
    # things whose names hold a problem word (炸, 火, 烟): "这款空气炸锅能烤蛋糕吗？" asks, it does not complain
    r"空气炸锅|炸锅|炸鸡|油炸|火锅|打火机|油烟机|烟灶|烟机|香烟"
)


@dataclass(frozen=True)
class IntentMatch:
    """One recognised intent: its id, a confidence in [0, 1], and the words that matched."""

    id: str
    score: float
    matched: tuple[str, ...]
    templates: tuple[str, ...] = ()  # this intent's template ids whose keywords or examples matched, best first
    closest: str | None = None  # the library example phrasing closest to the complaint (``--explain``)

    def to_dict(self) -> dict:
        return {"id": self.id, "score": round(self.score, 3), "matched": list(self.matched)}


@dataclass(frozen=True)
class Recognition:
    """What a text is (``COMPLAINT``, ``PRAISE`` or ``QUESTION``) and its intents, best first."""

    kind: str
    intents: tuple[IntentMatch, ...]


def recognise(
    normalized: Normalized,
    index: EvidenceIndex,
    model: TrainedModel | None = None,
    *,
    limit: int = 3,
    evidence: Evidence | None = None,
    hazard: bool = True,
    weighed: Weighed | None = None,
) -> Recognition:
    """Rank the intents of one text and say whether it is a complaint at all.

    :param normalized: the text after ``normalize``
    :param index: the keyword evidence index, built once by ``EvidenceIndex.build``
    :param model: the trained model, or None for the keyword evidence alone
    :param limit: how many intents to return; every one up to it is (the agent picks a correction from them, top3 counts them)
    :param evidence: ``keyword_evidence(normalized, index)`` when the caller has it already (cross-validation
        scores each complaint once per fold model, and the keyword evidence does not depend on the model)
    :param hazard: whether the safety escalation rules fired on the text. Without that or a word of ``HARM``,
        safety_hazard is not the first intent (TAXONOMY: safety needs actual harm or hazard): 「电热毯用了两晚就不热了」
        is a fault, though an electric blanket reads like a fire risk. Whole-path CV figures in docs/benchmarks.md,
        "Session 16".
    :param weighed: the text's features as the intent model weighs them, when the caller has them (``TrainedModel.weigh``)
    :returns: intents best first, scores in [0, 1]; for praise or a question every score is below 0.5
    """
    if evidence is None:
        evidence = keyword_evidence(normalized, index)
    scores, weighed = combine(normalized, evidence, index, model, weighed)
    if names_no_cause(normalized):  # the model reads 投诉 as support's fault: "我要投诉你们" says nothing of one
        scores = _first(scores, index.intent_ids.index(OTHER))
    elif index.intent_ids[int(np.argmax(scores))] == SAFETY_HAZARD and not (hazard or HARM.search(normalized.text)):
        scores = _first(scores, int(np.argsort(-scores, kind="stable")[1]))
    model_words = _model_words(normalized, index, model, weighed, int(np.argmax(scores)))
    kind = recognise_kind(normalized)
    if kind != COMPLAINT:
        scores = scores * NOT_A_COMPLAINT_SCALE
    order = np.argsort(-scores, kind="stable")
    results: list[IntentMatch] = []
    within, shown = within_data(normalized.text), shown_as_evidence(normalized.text)  # words shown to the agent
    for rank, i in enumerate(order[:limit]):
        intent = index.intent_ids[i]
        words = tuple(w for w in evidence.words[i] if not within(w))  # not 「地址」 of 「地址上海市…」, though a keyword
        if rank == 0:  # the model's n-grams, never the customer's data or its name
            words += tuple(w for w in model_words if not any(w in v or v in w for v in words) and shown(w))
        results.append(IntentMatch(intent, float(scores[i]), words, evidence.templates_for(intent), evidence.closest[i]))
    return Recognition(kind, tuple(results))


def match_intents(
    normalized: Normalized, index: EvidenceIndex, model: TrainedModel | None = None, *, limit: int = 3
) -> list[IntentMatch]:
    """The intents of ``recognise``, best first."""
    return list(recognise(normalized, index, model, limit=limit).intents)


def names_no_cause(normalized: Normalized) -> bool:
    """Whether the text says only that its writer complains ("我要投诉你们", "投诉！"): nothing left but pronouns
    and particles once that is left out."""
    if not COMPLAINING.search(normalized.text):
        return False
    rest = _PUNCTUATION.sub("", COMPLAINING.sub("", normalized.text))
    return not rest or function_only(rest)


def _grieves(text: str) -> bool:
    """Whether a grievance or problem word is in text whose negated problems are already set aside (``_NOT_GRIEVANCE``)."""
    return bool(_GRIEVANCE.search(text) or PROBLEM_WORDS.search(text))


def recognise_kind(normalized: Normalized) -> str:
    """Complaint, praise or plain question.

    Not a complaint only when no grievance or problem word ("划痕", "慢", "少了") is left once
    negated ones ("没有问题") and what a question only supposes ("会不会褪色") are set aside, and
    the text asks or praises; or when it is praise with a small reservation (``_small_reservation``).
    A doubled question mark over a statement that asks nothing ("一米八穿S码？？？") is disbelief.
    Keyword evidence is no guide here: praise names topics too ("送货上门，点赞", "尺码合适"). Anything
    in doubt stays a complaint: an apology to praise is a small harm, praise to a complaint a large one.
    """
    text = _NOT_GRIEVANCE.sub(" ", normalized.text)
    if _grieves(text):
        return PRAISE if _small_reservation(normalized.text) else COMPLAINT
    asks = _ASKING.search(normalized.text)
    if not asks and _INCREDULOUS.search(unicodedata.normalize("NFKC", normalized.original)):
        return COMPLAINT
    if asks or QUESTION_WORDS.search(normalized.text):
        return QUESTION
    if PRAISE_WORDS.search(_NOT_PRAISE.sub(" ", _NEGATED_PRAISE.sub(" ", text))):  # not "胃不舒服", not "卷发棒"
        return PRAISE
    return COMPLAINT


# Words of goodwill that are no praise word: a wish, a suggestion, support.
_GOODWILL = re.compile(r"希望|建议|祝|加油|期待|支持|越来越好|百看不厌|回味|美味|有收获|受益|值得")
# What kind words beside it do not soften: anger, a loss, a fault, a demand, distrust.
_HARSH = re.compile(
    r"差|烂|坏|垃圾|失望|不满|投诉|骗|坑|假|恶心|无语|生气|气死|后悔|别买|不推荐|凭什么|退款|退货|赔|故障|毛病|漏|破|"
    r"怎么回事|什么情况|态度|再也不|不会再|[!！?？]{2}"
)


def well_meant(normalized: Normalized) -> bool:
    """Whether text kept as a complaint (``recognise_kind`` keeps what is in doubt) names no grievance or problem at all
    and says something kind: 「在寒冷的冬天能拥有一瓶暖和的饮料真不错，祝你们越来越好」, 「希望能改进一下指示牌」. Or says
    kind things in several words and nothing harsh, whatever small trouble it tells: 「每次路过看都没货，今天终于有货了！
    …也很不错.希望你们多铺货呀」, 「虽然他不太看得懂这部书，但是…希望当当多多出售」."""
    kind_words = _NOT_PRAISE.sub(" ", _NEGATED_PRAISE.sub(" ", normalized.text))  # not 「一直不喜欢」
    kind = {m.group() for p in (PRAISE_WORDS, _GOODWILL) for m in p.finditer(kind_words)}
    if _grieves(_NOT_GRIEVANCE.sub(" ", normalized.text)):
        return len(kind) >= 2 and not _HARSH.search(normalized.text)
    return bool(kind)


def _small_reservation(text: str) -> bool:
    """Praise with a small reservation: "充电很快，就是线有点短，整体满意", "价格有点贵，不过质量很好，还会回购".

    A support agent thanks such a customer rather than apologising to them (TAXONOMY: text that is not really a
    complaint). It needs a clause that gives an overall verdict and praises ("整体满意", "还会回购"), and every clause
    with a grievance hedged ("有点", "稍", "略") and of taste or convenience: no fault, loss, hazard, demand or anger
    ("有点漏水", "少发了一个配件" stay complaints), and nothing asked. A reservation beside praise but no verdict
    ("衣服很好看，就是有点小") may be the point of the text, and a rating is no verdict ("五星好评，就是发货稍慢了点";
    sarcasm starts from one too): both stay complaints. Counting the rating as a verdict read one labelled complaint
    with a cause as praise in dev.jsonl and one in train.jsonl; as written, none is.
    """
    if QUESTION_WORDS.search(text):
        return False
    verdict = False
    for clause in _CLAUSES.split(text):
        clause = _NOT_GRIEVANCE.sub(" ", _CONNECTIVE.sub("", clause))
        if _grieves(clause):
            if not _HEDGE.search(clause) or _FAULT.search(clause) or _NEGATED_PRAISE.search(clause):
                return False
        elif _VERDICT.search(clause) and (PRAISE_WORDS.search(clause) or _PRAISED.search(clause) or _FAIR.search(clause)):
            verdict = True
    return verdict


def is_praise(clause: str) -> bool:
    """A clause that praises and has no grievance in it ("物流也快", "东西很好"): never quoted as a problem."""
    if _NEGATED_PRAISE.search(clause):  # "太不让人满意了", "睡着不舒服"
        return False
    text = _NOT_GRIEVANCE.sub(" ", clause)
    # praise words on the clause as written: 「不错」 is no grievance and is set aside from ``text`` for that
    praised = PRAISE_WORDS.search(_NOT_PRAISE.sub(" ", clause)) or _PRAISED.search(text)
    return bool(praised) and not _grieves(text)


def combine(
    normalized: Normalized,
    evidence: Evidence,
    index: EvidenceIndex,
    model: TrainedModel | None,
    weighed: Weighed | None = None,
) -> tuple[np.ndarray, Weighed | None]:
    """Scores per intent (in ``index.intent_ids`` order), and the text's features as the model weighed them (None
    without a model; ``weighed`` when given)."""
    if model is None:
        return evidence.scores, None
    if weighed is None:
        weighed = model.intents.weigh(intent_features(normalized))
    decision = model.intents.score(weighed)
    position = [model.intents.labels.index(intent) for intent in index.intent_ids]
    settings = model.settings["intents"]
    logits = settings["model_weight"] * decision[position] + settings["evidence_weight"] * evidence.scores
    return softmax(logits), weighed


def _first(scores: np.ndarray, i: int) -> np.ndarray:
    """The scores with intent ``i`` first: it trades its score with the first one's."""
    top = int(np.argmax(scores))
    scores = scores.copy()
    scores[[top, i]] = scores[[i, top]]
    return scores


def _model_words(
    normalized: Normalized, index: EvidenceIndex, model: TrainedModel | None, weighed: Weighed | None, top: int
) -> tuple[str, ...]:
    """The n-grams that weighed most for the model towards intent ``top`` (a position in ``index.intent_ids``)."""
    if model is None or weighed is None:
        return ()
    label = model.intents.labels.index(index.intent_ids[top])
    return tuple(model.intents.strongest_of(weighed, label, MODEL_WORDS, normalized.reads_as_words))


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()
