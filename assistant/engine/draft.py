"""Draft replies: pick the best templates for the recognised intents and fill them.

Placeholders are filled from the form or API fields first, then from the
complaint (product named, the clause that states the problem, an order number),
and otherwise with natural fallback wording (``library.PLACEHOLDERS``), so a raw
placeholder never reaches the output. When the complaint is escalated, the
first draft is an offline invitation for the most severe reason. A draft whose
text was already sent to the same customer or order (or on the same platform
that day; the caller passes those texts in) is replaced by the next template.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from assistant.engine.escalate import Escalation
from assistant.engine.library import PLACEHOLDERS, Library, Template
from assistant.engine.match import PRAISE_WORDS, QUESTION_WORDS, IntentMatch, is_praise
from assistant.engine.normalize import Normalized
from assistant.engine.pii import personal_number
from assistant.engine.sincerity import INTENT_TOPICS, OFF_TOPIC, Sincerity, check_sincerity, topics
from assistant.taxonomy import COMPLAINT, INTENT, KIND_TEMPLATES, OFFLINE, OTHER, PRAISE

MAX_DRAFTS = 3
# A main intent scored below this is a guess: the first draft asks what went wrong (the "other" intent's general
# template). Out of fold on train.jsonl, 7.7% of complaints score below it (other than "other"), and the guess is right
# for 35% of them, against 75% for the rest.
UNSURE = 0.35
PRIOR_WEIGHT = 30  # outcomes' worth of belief in the intent's average before a template's own data counts
CONVERSION_WEIGHT = 1.0
RANK_STEP = 0.15  # how much one place in the matcher's order is worth
# A further intent scored below this is drafted only if the complaint uses a word of its topic (sincerity.topics):
# a near-zero guess with a quotable phrase answered grievances nobody raised ("发票抬头…少了一个字" got a missing-part
# draft; "一件衣服能发三个星期" an electric-shock one).
FURTHER_UNSURE = 0.2
OFFLINE_SURE = 0.5  # an offline invitation names the main intent's problem in our words only above this
_FINGERPRINT = re.compile(r"\[[^\]]*\]|[\d\s\W_]")
# An order number is what follows 订单 / 订单号 / 订单编号: never a bare run of digits (a bank card, an ID or a phone
# number is one too), nor what follows 快递单号, 物流单号 or 退款单号 (a waybill or a refund is not the order).
_ORDER = re.compile(r"订单\s*(?:号码?|编号)?\s*(?:是|为)?\s*[:：#]?\s*([a-z0-9][a-z0-9-]{5,29})(?![a-z0-9-])", re.I)
# The customer's own name, for {{ customer }} when the agent left it empty: a self-introduction ("我是李先生", "本人王女士")
# or a sign-off at the very end ("——张女士"; normalising folds the dashes), a surname and 先生/女士/小姐. Never a name
# the customer gives someone else ("快递员张师傅", "客服小王", "我是李先生的家人").
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷"
    "詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓"
    "古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = "欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|尉迟|长孙|宇文|司徒|夏侯|公孙|端木"
# A surname (one of the common ones, so not 「她先生」「一位女士」) and 先生/女士/小姐
_NAME = rf"((?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])(?:先生|女士|小姐))"
_SELF_NAMED = re.compile(rf"(?:^|[^\u4e00-\u9fff])(?:我是|本人){_NAME}(?![的家之])|[—~-]\s*{_NAME}[\s.!。！]*$")
_LATIN = re.compile(r"[a-z]")
_CLAUSE_SPLIT = re.compile(r"[,.!?;:，。！？；：、~～\n（）()\[\]【】“”\"]+")
# Clause separators; a point or colon inside a run of Latin letters and digits ("12.7", "18:00", a model name such as
# "note7s.2") is part of a word (jieba keeps it in one token), not a clause end.
_SEPARATOR = re.compile(r"[,!?;，。！？；、~～\n（）()\[\]【】“”\"\s]+|[.:：](?![\dA-Za-z])|(?<![\dA-Za-z])[.:：]")
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
_CONNECTIVE = re.compile(r"结果|而且|但是|可是|然后|还有|并且|不过|况且|甚至|另外")
_WEAK_START = set("的了地得和就都也还又而且却")
MAX_QUOTE = 20  # characters: a quote longer than this is trimmed around its evidence at word boundaries
QUOTE_CONTEXT = 8  # characters kept each side of the evidence word when trimming
_GREETING = re.compile(r"(?:亲|你好|您好|哈喽)?[，,\s]*(?:在吗|在不在|有人吗|人呢)[？?！!。~～]*")  # not a question to quote
_RATING = re.compile(r"(?:给个?|必须)?(?:五星|5星|满分)?(?:好评|五星|5星|满分)")  # a bare rating ("好评")
_DENIAL = re.compile(r"(?:并|倒|也)?不是")  # a clause that says what the problem is not ("不是质量问题，就是…")
_RUDE = re.compile(r"妈|逼|垃圾|傻|狗|屎|操|草|靠|滚|死|恶心|骗子|智障|sb|tm|nm")
# A feeling is no problem to quote: 「您说的“呵呵”这个问题」, 「“一般般吧”这个问题」, 「“太失望了”这个问题」 read wrong.
_FEELING = re.compile(
    r"(?:呵呵|哈哈|唉|哎|嗯|就这|一般般?|太|很|真的?|非常|特别|超级?|有点|好|失望|不推荐|差评|差劲|太差|差|无语|服了|醉了|不满意|"
    r"糟糕|生气|气死|郁闷|后悔|心累|无奈|吧|了|啊|呀|哦|的|呢|嘛|么|我|人|极|透)+"
)
# Counting contacts is how often they asked, not what they asked about: 「为了“联系了客服三次”这个问题」. Not 要 or 说:
# 「一天要重启三次」 counts a fault, and is the problem to quote.
_CONTACTS = re.compile(
    r"(?:联系|找|打|问|催|反映|投诉|沟通|申请|留言)了?(?:客服|你们|商家|卖家|电话)?[^，,。；;]{0,2}?"
    r"[几两三四五六七八九十\d]+(?:次|遍|回|趟)|第[二三四五六七八九十\d]+次(?:联系|找|打|问|催|投诉|反映|来)|"
    r"换了[几两三四五六七八九十\d]+个客服"
)

# The consumer bodies a customer names when they threaten to complain or have complained: the invitation says
# 「向12315反映…是您的权利」 for the one they named, and never names one they did not (「有关部门或平台」 otherwise).
_REGULATOR = re.compile(
    r"(?<!\d)12315(?!\d)|消费者协会|消协|消保委|消保官|消基会|市场监督管理局|市场监管局|市场监管部门|市场监管|市监局|"
    r"工商局|工商部门|工商(?!银行)|质监局|食药监局|物价局"
)
_BODY_NAMES = {"市场监管": "市场监管部门", "工商": "工商部门"}  # the bare words, named as a body
# A threat is what the customer will do, not the problem: 「把“再不退款我去消协投诉你们”这个问题解决好」 read wrong.
_THREAT = re.compile(
    rf"{_REGULATOR.pattern}|律师|起诉|法院|打官司|报警|举报|曝光|记者|电视台|媒体|投诉到|黑猫投诉|"
    r"发(?:到|在)?(?:微博|抖音|小红书|网上)"
)
FAULT, SPOILED, WRONG_ITEM = "quality_defect", "expired_spoiled", "wrong_missing_item"
# Food and drink, by the words complaints name them with: 坏了 is spoiled food only for these ("桃子坏了", not "烤箱坏了").
_FOOD = re.compile(
    r"吃|喝|食|口感|零食|巧克力|饼干|坚果|大米|(?<!电)饭|粥|面包|蛋糕|月饼|粽子|面条|水果|苹果(?!手机|电脑|耳机|平板|表)|橙|橘|柑|"
    r"车厘子|樱桃|芒果|榴莲|桃|梨|葡萄|草莓|香蕉|西瓜|瓜果|荔枝|龙眼|枣|柿|李子|菜(?!单)|肉|鱼(?!缸)|虾|蟹|海鲜|蛋|外卖|"
    r"披萨|汤(?!锅)|饮料|果汁|(?<!奶)茶(?!几|杯|具|壶)|酒(?!店|精)|糖|火腿|香肠|罐头|酱|豆腐|奶(?!瓶|嘴)"
)
# Seeing a doctor is what the customer did about the harm, not the harm: 「“已经去医院了”这个问题」 read wrong beside
# 「脚上起了水泡」. These words still weigh for the intent and for escalation; they are not what a draft quotes.
_TREATMENT = re.compile(r"医院|住院|就医|就诊|看医生|医生|急诊|挂水|输液|诊所|打针|开了?药")


@dataclass(frozen=True)
class DraftTick:
    """An action the agent can tick once it is done: ``promise`` in the draft's text becomes ``done``."""

    label: str
    promise: str
    done: str


@dataclass(frozen=True)
class Draft:
    """One reply draft ready for the agent to edit."""

    template_id: str
    intent: str  # the intent id, or "offline" for an offline invitation
    text: str
    private: str | None
    sincerity: Sincerity
    note: str | None = None
    ticks: tuple[DraftTick, ...] = ()
    situation: str = ""  # the template's situation, which the draft page names the template by

    def to_dict(self) -> dict:
        out = {"template_id": self.template_id, "intent": self.intent, "text": self.text, "sincerity": self.sincerity.to_dict()}
        if self.private:
            out["private"] = self.private
        if self.note:
            out["note"] = self.note
        if self.ticks:
            out["ticks"] = [{"label": t.label, "promise": t.promise, "done": t.done} for t in self.ticks]
        return out


def order_number(text: str) -> str | None:
    """The order number a text names after 订单 / 订单号 ("订单号 88239912345"); never a personal number written there
    (an ID or bank card number, a mobile or a landline: ``pii.personal_number``), which drafts are public to quote.

    :param text: normalised (NFKC, lower case), as ``Normalized.text`` is
    """
    for m in _ORDER.finditer(text):
        number = m.group(1)
        if not (re.fullmatch(r"[\d-]+x?", number) and personal_number(number, text[max(0, m.start(1) - 8) : m.start(1)])):
            return number
    return None


def extract_fields(normalized: Normalized, matches: list[IntentMatch], library: Library) -> dict[str, str]:
    """Find what the complaint itself names: the product, an order number and the customer's own name."""
    fields: dict[str, str] = {}
    text = normalized.text
    order = order_number(text)
    if order:
        fields["order_id"] = order
    for token in normalized.tokens:
        if token in library.products:
            fields["product"] = _as_written(token, normalized.original)
            break
    named = _SELF_NAMED.search(text)
    if named:
        fields["customer"] = named.group(1) or named.group(2)
    bodies = dict.fromkeys(_BODY_NAMES.get(m.group(0), m.group(0)) for m in _REGULATOR.finditer(normalized.full))
    if bodies:
        fields["regulator"] = "和".join(list(bodies)[:2])
    return fields  # the problem phrase is per draft: draft_replies quotes each draft's own intent


def placeholder_values(found: dict[str, str], given: dict[str, str | None], now: datetime) -> dict[str, str]:
    """Values for every placeholder: given fields win, then what the complaint names, then fallbacks."""
    values = dict(PLACEHOLDERS)
    values["deadline"] = deadline_for(now)
    merged = {**found, **{k: v.strip() for k, v in given.items() if v and v.strip()}}
    for key, value in merged.items():
        if key not in values:
            continue
        if key == "order_id":
            value = f"订单{value}"
        values[key] = value
    return values


def deadline_for(now: datetime) -> str:
    """A concrete, reachable promise: today 18:00 if there is time left, otherwise tomorrow noon."""
    return "今天18:00前" if now.hour < 15 else "明天12:00前"


def draft_replies(
    matches: list[IntentMatch],
    escalation: Escalation,
    library: Library,
    values: dict[str, str],
    *,
    normalized: Normalized,
    recent: Iterable[str] = (),
    conversion: Mapping[str, tuple[int, int]] | None = None,
    limit: int = MAX_DRAFTS,
    kind: str = COMPLAINT,
) -> list[Draft]:
    """Draft replies for a recognised complaint, the offline invitation first when escalating.

    :param matches: intents best first, from ``match_intents``
    :param escalation: from ``check_escalation``
    :param values: every placeholder's value, from ``placeholder_values``
    :param normalized: the complaint, used to rank templates and to check sincerity
    :param recent: texts already sent to this customer or order, or on this platform today (may be redacted)
    :param conversion: measured (converted, known) outcomes per template id; shifts the order within an intent
    :param kind: "praise" or "question" for text that is not a complaint: one draft, without an apology
    """
    conversion = conversion or {}
    seen = {fingerprint(text) for text in recent}
    plan: list[tuple[str, list[Template], str | None]] = []
    if escalation.escalate:
        for reason in escalation.reasons:
            if library.for_reason(reason.id):
                plan.append((OFFLINE, _by_keywords(library.for_reason(reason.id), normalized.text), None))
                break
    answer = [t for t in library.for_intent(OTHER) if t.id == KIND_TEMPLATES.get(kind)]
    if answer and not escalation.escalate:
        plan.append((OTHER, answer, None))
        matches = []  # nothing to apologise for: no complaint drafts
        values = {**values, "issue": kind_issue(normalized.text, kind)}
    unsure = bool(matches) and matches[0].id != OTHER and matches[0].score < UNSURE
    matches = fault_first(matches, normalized, library)
    asking = library.general_of(INTENT, OTHER)
    if unsure and asking:  # a guess at the cause is not drafted as if it were sure: first ask what went wrong
        plan.append((OTHER, [asking], None))
    second: list[Template] = []
    for n, m in enumerate(matches):
        if m.id != OTHER or n == 0:  # "other" is a fallback, not worth a draft beside a specific cause
            ranked, ranking_note = _ranked(library, m, conversion)
            general = library.general_of(INTENT, m.id)
            fits = [t for t in ranked if t.id in m.templates]
            # A situation template's opener says what happened ("包裹丢了", "师傅弄得一地狼藉"): it is offered only
            # where its own words or examples fit the complaint; otherwise the general template answers.
            candidates = [*fits, general] if general else ranked
            if not candidates:  # an intent whose file has no templates (lint reports it): nothing to draft from
                continue
            plan.append((m.id, candidates, ranking_note if candidates[0] is ranked[0] else None))
            if n == 0:  # a second wording for the main intent: its general template, or another that fits as well
                second = [general, *fits] if general else fits if len(fits) > 1 else []  # ("刚到手就坏" ≠ "用了两周就坏")
    if second:
        plan.append((matches[0].id, second, None))

    drafts: list[Draft] = []
    used: set[str] = set()
    by_id = {m.id: m for m in matches}
    quotes: dict[str, str | None] = {}  # worked out for the intents a draft is tried for, once each

    def quote(intent: str) -> str | None:
        if intent not in quotes:
            quotes[intent] = grievance(normalized, by_id[intent], library)
        return quotes[intent]

    for intent, candidates, ranking_note in plan:
        if len(drafts) >= limit:
            break
        if drafts and intent in by_id and (intent != matches[0].id or unsure) and not quote(intent):
            continue  # a further (or guessed) intent without a phrase of its own in the complaint gets no draft
        weak = drafts and intent in by_id and OTHER != matches[0].id != intent  # beside "what went wrong?" it is the offer
        if weak and unraised(intent, by_id[intent].score, normalized.text):
            continue  # nor a weak guess at a problem the complaint has no word of
        fill = values
        # An offline invitation speaks of the main intent when it is sure of it or the complaint states it; a threat
        # alone ("已经打了12315") is not told it is about 「客服服务问题」 on a guess of 0.4.
        named = bool(intent == OFFLINE and matches and not unsure and (matches[0].score >= OFFLINE_SURE or quote(matches[0].id)))
        about = intent if intent in by_id else (matches[0].id if named else None)
        if about:  # quote the phrase with this draft's own intent's evidence, or name the problem; with the product
            fill = {**values, "issue": issue_phrase(quote(about), about, values.get("product"))}
        notes = [ranking_note] if ranking_note and not any(d.intent == intent for d in drafts) else []
        fresh = [t for t in candidates if t.id not in used]
        if not fresh:
            continue
        tried: list[tuple[Template, str]] = []  # rendered in order until one was not sent already
        for template in fresh:
            used.add(template.id)
            tried.append((template, library.render(template, fill)))
            if fingerprint(tried[-1][1]) not in seen:
                break
        else:  # every template that fits was sent already: the first, to be reworded
            tried = tried[:1]
            notes.append("同样的文字已发给这位顾客、这笔订单或今天同一平台，也没有别的合适模板：请改写后再发")
        notes += [f"已换用另一模板：“{t.situation}”的同样文字已发给这位顾客、这笔订单或今天同一平台" for t, _ in tried[:-1]]
        template, text = tried[-1]
        private = library.render(template, fill, private=True) if template.private else None
        sincerity = check_sincerity(text, normalized.text, template_id=template.id)
        if drafts and intent != OFFLINE and any(f.startswith(OFF_TOPIC) for f in sincerity.findings):
            continue  # a further draft about a problem the complaint does not raise is not offered
        ticks = tuple(DraftTick(*tick) for tick in library.render_ticks(template, fill) if tick[1] in text)
        drafts.append(Draft(template.id, intent, text, private, sincerity, "；".join(notes) or None, ticks, template.situation))
    return drafts


def fault_first(matches: list[IntentMatch], normalized: Normalized, library: Library) -> list[IntentMatch]:
    """The intents in the order drafts answer them: a complaint that names a fault and nothing else is answered as a
    quality problem first when the main intent is one a fault is mistaken for, and the complaint gives it no words.

    「烤箱坏了」「奶瓶坏了」 read as spoiled food (坏 is most often fruit gone bad) and were told 「入口的东西出了问题，请先不要
    食用」; 「一件是好的一件袖子开线了」 read as a wrong item (两件, 一件) and got 「您说的发错漏发问题」. The quality draft leads
    where the main intent is spoiled food and the complaint names no food, or a wrong item with no phrase of its own to quote.
    """
    main = matches[0] if matches else None
    if main is None or main.id not in (SPOILED, WRONG_ITEM) or topics(normalized.text) != {INTENT_TOPICS[FAULT]}:
        return matches
    fault = next((m for m in matches[1:] if m.id == FAULT), None)
    if fault is None:
        return matches
    guessed = not _FOOD.search(normalized.text) if main.id == SPOILED else grievance(normalized, main, library) is None
    return [fault, *(m for m in matches if m is not fault)] if guessed else matches


def unraised(intent: str, score: float, complaint: str) -> bool:
    """Whether a further intent is a weak guess (below ``FURTHER_UNSURE``) whose topic the complaint never names."""
    topic = INTENT_TOPICS.get(intent)
    return score < FURTHER_UNSURE and topic is not None and topic not in topics(complaint)


def fingerprint(text: str) -> str:
    """Text reduced to its wording: masked personal data, digits, spaces and punctuation removed."""
    return _FINGERPRINT.sub("", text)


def _ranked(library: Library, match: IntentMatch, conversion: Mapping[str, tuple[int, int]]) -> tuple[list[Template], str | None]:
    """An intent's templates, best first, and a note when measured conversion changed the order.

    The matcher's order (closest examples first, then file order) gives each template a
    base score; its conversion rate, smoothed towards the intent's own rate with a prior
    worth ``PRIOR_WEIGHT`` outcomes, adds ``CONVERSION_WEIGHT`` times its lead over that rate.
    A template with little data moves little.
    """
    templates = [t for t in library.for_intent(match.id) if t.id not in KIND_TEMPLATES.values()]
    order = {tid: n for n, tid in enumerate(match.templates)}
    by_match = sorted(templates, key=lambda t: order.get(t.id, len(order)))
    known = [conversion[t.id] for t in templates if t.id in conversion]
    if not known:
        return by_match, None
    prior = (sum(c for c, _ in known) + 1) / (sum(k for _, k in known) + 2)

    def score(position: int, template: Template) -> float:
        converted, n = conversion.get(template.id, (0, 0))
        smoothed = (converted + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)
        return -position * RANK_STEP + CONVERSION_WEIGHT * (smoothed - prior)

    ranked = [t for _, t in sorted(enumerate(by_match), key=lambda p: -score(*p))]
    if ranked[0] is by_match[0]:
        return ranked, None
    converted, n = conversion.get(ranked[0].id, (0, 0))
    return ranked, f"按实测转化率调整了排序：“{ranked[0].situation}”近期 {n} 条回复转化 {converted} 条"


def _by_keywords(templates: list[Template], text: str) -> list[Template]:
    """The templates whose keywords the complaint contains, most first, then the general one (stable).

    Without a general template (a library of a lead's own), every template, the ones that fit first.
    """
    counts = {t.id: sum(k in text for k in t.keywords) for t in templates}
    ranked = sorted(templates, key=lambda t: (-counts[t.id], not t.general))
    if not any(t.general for t in templates):
        return ranked
    return [t for t in ranked if counts[t.id] or t.general]


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
    fitting = [c for c in clauses if words.search(c) and 2 <= len(c) <= 24 and not _GREETING.fullmatch(c)]
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


def grievance(normalized: Normalized, match: IntentMatch, library: Library) -> str | None:
    """The phrase of the complaint that carries an intent's evidence, ready to quote; None when none fits.

    The evidence is the intent's own keywords (and patterns) that the matcher found; the first clause
    holding one is taken, unless it praises ("物流也快") or is rude. A clause longer than ``MAX_QUOTE`` is
    trimmed around the evidence, and every cut falls on a jieba word boundary: never mid-word.
    """
    weights = {w: v for w, v in evidence_words(match, library).items() if not _TREATMENT.search(w)}
    if not weights:
        return None
    text, bounds = normalized.text, normalized.boundaries
    order: list[int] = []
    best: tuple[float, str] | None = None
    for start, end in _phrases(text, bounds):
        hits = sorted((pos, w) for w in weights if (pos := text.find(w, start, end)) >= 0)
        clause = text[start:end]
        if not hits or is_praise(clause) or _RUDE.search(clause) or _DENIAL.match(text, start, end):
            continue
        if _CONTACTS.search(clause) or _THREAT.search(clause):  # how often they asked, or what they will do next
            continue
        pos, word = max(hits, key=lambda h: weights[h[1]])
        while (filler := _FILLER.match(text, start, pos)) and filler.end() in bounds:  # "而且我的…" -> the grievance
            start = filler.end()
        if end - start > MAX_QUOTE:  # the first boundary at most QUOTE_CONTEXT before the evidence, the last after it
            order = order or sorted(bounds)  # bisected, not scanned: a long complaint has thousands of boundaries
            i = bisect_left(order, max(start, pos - QUOTE_CONTEXT))
            start = order[i] if i < len(order) and order[i] <= pos else pos
            tail = pos + len(word)
            j = bisect_right(order, min(end, tail + QUOTE_CONTEXT)) - 1
            end = order[j] if j >= 0 and order[j] >= tail else tail
        while start < pos and text[start] in _WEAK_START and start + 1 in bounds:  # not "的进口咖啡机…"
            start += 1
        asked = _ASKING.match(text, start, end)  # 「您问的“请问…”」 asks twice; kept where "请问" itself is the evidence
        if asked and asked.end() in bounds and any(text.find(w, asked.end(), end) >= 0 for w in weights):
            start = asked.end()
        quote = text[start:end].strip()
        weight = sum(weights[w] for _, w in hits)
        if not 2 <= len(quote) <= MAX_QUOTE or is_praise(quote) or _FEELING.fullmatch(quote):
            continue
        if best is None or weight > best[0]:
            best = (weight, quote)
    return _as_written(best[1], normalized.original) if best else None


def _as_written(quote: str, original: str) -> str:
    """The quote with the customer's own capitals ("T恤", not the normalised "t恤"), when the complaint has it so."""
    if not _LATIN.search(quote):
        return quote
    found = re.search(re.escape(quote), original, re.I)
    return found.group(0) if found else quote


def _phrases(text: str, bounds: frozenset[int]) -> list[tuple[int, int]]:
    """Spans of the clauses of a text, also split at connectives between words ("…用了三天就坏|而且|异响很大")."""
    spans = []
    cuts = [0] + [p for m in _SEPARATOR.finditer(text) for p in m.span()] + [len(text)]
    for start, end in zip(cuts[::2], cuts[1::2], strict=True):
        if start >= end:
            continue
        for m in _CONNECTIVE.finditer(text, start, end):
            if m.start() in bounds and m.end() in bounds and m.start() > start:
                spans.append((start, m.start()))
                start = m.start()
        spans.append((start, end))
    return spans


def issue_phrase(quote: str | None, intent: str, product: str | None) -> str:
    """What ``{{ issue }}`` says: the quoted phrase, else the problem in our words; with the product when it is known
    and the phrase does not name it ("电热水壶“用了两周就不加热了”这个问题", "电热水壶的质量问题")."""
    product = product if product and product != PLACEHOLDERS["product"] else None
    if quote:
        return f"{product}“{quote}”这个问题" if product and product.lower() not in quote.lower() else f"“{quote}”这个问题"
    own = _OWN_WORDS.get(intent)
    if own is None:
        return f"{product}的问题" if product else PLACEHOLDERS["issue"]
    return f"{product}{'' if '的' in own else '的'}{own}" if product else own  # 空气炸锅的物流问题, 空气炸锅实物和描述不符的问题


def fill_template(
    library: Library, template: Template, values: dict[str, str], *, normalized: Normalized, matches: list[IntentMatch]
) -> str:
    """One template rendered as drafting fills it for this complaint (for quick phrases: the agent picks the template).

    ``{{ issue }}`` quotes the phrase carrying the template's own intent's evidence, or names that problem in our
    words when the complaint has none; an offline template speaks of the main intent.
    """
    product = values.get("product")
    kind = next((k for k, tid in KIND_TEMPLATES.items() if tid == template.id), None)
    if kind:  # a thank-you or a question's answer quotes what was praised or asked, never "这个问题"
        return library.render(template, {**values, "issue": kind_issue(normalized.text, kind)})
    if template.kind == OFFLINE:
        about = matches[:1]
    else:
        about = [m for m in matches if m.id == template.group]
        if not about:
            return library.render(template, {**values, "issue": issue_phrase(None, template.group, product)})
    if not about:
        return library.render(template, values)
    m = about[0]
    return library.render(template, {**values, "issue": issue_phrase(grievance(normalized, m, library), m.id, product)})
