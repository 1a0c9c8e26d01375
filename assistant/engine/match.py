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
from dataclasses import dataclass

import numpy as np

from assistant.engine.evidence import PROBLEM_WORDS, Evidence, EvidenceIndex, keyword_evidence
from assistant.engine.model import TrainedModel, intent_features
from assistant.engine.normalize import Normalized
from assistant.engine.pii import shown_as_evidence, within_data
from assistant.taxonomy import COMPLAINT, PRAISE, QUESTION

MODEL_WORDS = 3  # n-grams shown for the model's top intent

# What a text is: a complaint, praise, or a plain question. Only complaints are apologised for.
NOT_A_COMPLAINT_SCALE = 0.45  # scores of a praise or a question are scaled below one half
PRAISE_WORDS = re.compile(
    r"好评|五星|满意|不错|很好|挺好|真好|喜欢|推荐|点赞|赞|给力|棒|好用|好吃|好看|舒服|划算|超值|实惠|正品|放心|"
    r"谢谢|感谢|辛苦|专业|耐心|神速|很快|挺快|超快|(?<![不没])用心|(?<!不)贴心|回购|一如既往"
)
QUESTION_WORDS = re.compile(
    r"请问|咨询|想问|问一下|吗|[?？]|怎么|如何|能不能|能否|可不可以|有没有|多久|什么时候|哪里|几[天号点个]|是否"
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
    # Rhetorical questions and sarcasm ask nothing and praise nothing: "说好的送赠品呢？", "这叫实木？", "尺码表是瞎写的吗",
    # "说是正品谁信", "好评，好到我再也不想买了"; not the questions "这叫什么材质？", "会歪吗", "只发顺丰吗".
    r"说好的|谁信|这叫(?!什么|啥|多少)|瞎|再也不(想|敢|会)?(买|来|光顾|信)|歪(?!吗|不歪)|只收到|只发了|只给了|"
    # "这也叫赠品？", "你敢说正品？", "就这？", "好到用一次就能扔"
    r"这[也还]叫(?!什么|啥|多少)|你敢说|就这[?？]|(就|只能|直接)(能|可以)?扔"
)
# Set aside before looking for grievances: negated problems and the questions "有没有…", "多少".
_NOT_GRIEVANCE = re.compile(
    r"(没|没有|无|不)(什么|任何)?(问题|毛病|瑕疵|破损|色差|异味|缺)|不差|不贵|不慢|不假|不错|有没有|能不能|可不可以|是不是|会不会|"
    r"支不支持|多少|多大|多长|多久|"
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


def recognise(normalized: Normalized, index: EvidenceIndex, model: TrainedModel | None = None, *, limit: int = 3) -> Recognition:
    """Rank the intents of one text and say whether it is a complaint at all.

    :param normalized: the text after ``normalize``
    :param index: the keyword evidence index, built once by ``EvidenceIndex.build``
    :param model: the trained model, or None for the keyword evidence alone
    :param limit: how many intents to return; every one up to it is (the agent picks a correction from them, top3 counts them)
    :returns: intents best first, scores in [0, 1]; for praise or a question every score is below 0.5
    """
    evidence = keyword_evidence(normalized, index)
    scores, model_words = combine(normalized, evidence, index, model)
    kind = recognise_kind(normalized)
    if kind != COMPLAINT:
        scores = scores * NOT_A_COMPLAINT_SCALE
    order = np.argsort(-scores, kind="stable")
    results: list[IntentMatch] = []
    within, shown = within_data(normalized.text), shown_as_evidence(normalized.text)  # words shown to the agent (UX13 #17)
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


def recognise_kind(normalized: Normalized) -> str:
    """Complaint, praise or plain question.

    Not a complaint only when no grievance or problem word ("划痕", "慢", "少了") is left once
    negated ones ("没有问题") are set aside, and the text asks or praises. Keyword evidence is
    no guide here: praise names topics too ("送货上门，点赞", "尺码合适"). Anything in doubt stays a
    complaint: an apology to praise is a small harm, praise to a complaint a large one.
    """
    text = _NOT_GRIEVANCE.sub(" ", normalized.text)
    if _GRIEVANCE.search(text) or PROBLEM_WORDS.search(text):
        return COMPLAINT
    if QUESTION_WORDS.search(text):
        return QUESTION
    if PRAISE_WORDS.search(text):
        return PRAISE
    return COMPLAINT


def is_praise(clause: str) -> bool:
    """A clause that praises and has no grievance in it ("物流也快", "东西很好"): never quoted as a problem."""
    if _NEGATED_PRAISE.search(clause):  # "太不让人满意了", "睡着不舒服"
        return False
    text = _NOT_GRIEVANCE.sub(" ", clause)
    praised = PRAISE_WORDS.search(text) or _PRAISED.search(text)
    return bool(praised) and not (_GRIEVANCE.search(text) or PROBLEM_WORDS.search(text))


def combine(
    normalized: Normalized, evidence: Evidence, index: EvidenceIndex, model: TrainedModel | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Scores per intent (in ``index.intent_ids`` order) and the n-grams that weighed most for the model's top intent."""
    if model is None:
        return evidence.scores, ()
    features = intent_features(normalized)
    weighed = model.intents.weigh(features)
    decision = model.intents.score(weighed)
    position = [model.intents.labels.index(intent) for intent in index.intent_ids]
    settings = model.settings["intents"]
    logits = settings["model_weight"] * decision[position] + settings["evidence_weight"] * evidence.scores
    scores = softmax(logits)
    top = position[int(np.argmax(scores))]
    return scores, tuple(model.intents.strongest_of(weighed, top, MODEL_WORDS, normalized.reads_as_words))


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()
