"""The shop's policy (``replies/policy.yaml``): read it, and check that every template keeps to it.

``read_policy`` reads the file into a ``library.Policy``. ``policy_problems`` renders each template's body and private
script and finds what the policy does not offer: a remedy it does not list, an amount it does not list, the shop
paying return shipping when the customer does, a coupon when it gives none or of another amount, and a resend,
refund or visit promised by a time that is not the policy's. ``load.read_library`` runs it, so a library whose
templates break its policy is refused on load (and 模板库's 重新载入 keeps the last good one) as well as by lint.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from assistant.engine.library import (
    COUPON_WORDS,
    GENERAL_SHOP,
    NOT_WITH_COUPON,
    PLACEHOLDERS,
    REMEDIES,
    SHOP_KINDS,
    Library,
    Policy,
    Problem,
    Template,
)
from assistant.engine.yamlfile import LineDict, load_yaml
from assistant.errors import LibraryError

_POLICY_KEYS = {"remedies", "return_shipping", "courier", "coupon", "amounts", "deadlines", "shop_kind"}
_DEADLINES = ("resend_hours", "refund_days", "visit_hours", "price_guarantee_days")


def read_policy(path: Path, rel: str) -> tuple[Policy, list[Problem]]:
    """Read ``policy.yaml``; without the file, the shipped defaults (``Policy()``)."""
    if not path.exists():
        return Policy(), []
    try:
        doc = load_yaml(path)
    except LibraryError as e:
        return Policy(), [Problem(rel, e.line, e.message)]
    if not isinstance(doc, LineDict):
        return Policy(), [Problem(rel, 1, f"expected a mapping ({', '.join(sorted(_POLICY_KEYS))})")]
    problems = [Problem(rel, doc.line_of(k), f"unknown key '{k}'") for k in doc if k not in _POLICY_KEYS]
    remedies = doc.get("remedies", list(REMEDIES))
    if not isinstance(remedies, list) or any(r not in REMEDIES for r in remedies):
        problems.append(Problem(rel, doc.line_of("remedies"), f"'remedies' must be a list of: {', '.join(REMEDIES)}"))
    shipping = doc.get("return_shipping", "shop")
    if shipping not in ("shop", "customer"):
        problems.append(Problem(rel, doc.line_of("return_shipping"), "'return_shipping' must be 'shop' or 'customer'"))
    courier = doc.get("courier", Policy.courier)
    if not isinstance(courier, str) or not courier.strip():
        problems.append(Problem(rel, doc.line_of("courier"), "'courier' must be the courier's name"))
    amounts = doc.get("amounts", list(Policy.amounts))  # a key left out keeps the shipped policy's value
    if not isinstance(amounts, list) or not all(_whole(a) for a in amounts):
        problems.append(Problem(rel, doc.line_of("amounts"), "'amounts' must be a list of whole numbers of 元"))
        amounts = []
    coupon = doc.get("coupon", Policy.coupon)
    if not _whole(coupon) or (coupon and coupon not in amounts):
        problems.append(Problem(rel, doc.line_of("coupon"), "'coupon' must be 0 or one of 'amounts'"))
    deadlines = doc.get("deadlines", LineDict())
    hours = {}
    if not isinstance(deadlines, dict):
        problems.append(Problem(rel, doc.line_of("deadlines"), "'deadlines' must be a mapping"))
        deadlines = {}
    for key in deadlines:
        if key not in _DEADLINES or not _whole(deadlines[key]) or not deadlines[key]:
            message = f"deadline '{key}': one of {', '.join(_DEADLINES)}, a whole number > 0"
            problems.append(Problem(rel, doc.line_of("deadlines"), message))
        else:
            hours[key] = deadlines[key]
    kind = doc.get("shop_kind", GENERAL_SHOP)
    if kind != GENERAL_SHOP and kind not in SHOP_KINDS:
        kinds = ", ".join((GENERAL_SHOP, *SHOP_KINDS))
        problems.append(Problem(rel, doc.line_of("shop_kind"), f"'shop_kind' must be one of: {kinds}"))
    if problems:
        return Policy(), problems
    policy = Policy(tuple(remedies), shipping, courier.strip(), coupon, tuple(amounts), **hours, shop_kind=kind)
    return policy, []


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_AMOUNT = re.compile(r"(?<![\d.])(\d{1,6}) ?(?:元|块)")
_QUOTE = re.compile(r"“[^”]{0,60}”")  # the customer's words in quotes are not a promise
_CLAUSE = re.compile(r"[^，。；！？：,;!?:\n（）()]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+")
# The agent's own step towards a remedy ("今天18:00前提交退款"): kept by the agent's time when the sentence also says
# when the remedy itself comes ("…，{{ policy.refund_deadline }}到账").
_STEP = re.compile(r"提交|登记|申请|安排|预约|约好|核实|核对|确认|办")
# Words by which the shop says it pays return shipping; with ``return_shipping: customer`` a template may not say them.
_SHOP_PAYS = re.compile(
    r"免运费|包邮退|不用您?(?:出|付|垫|承担)(?:来回|往返|寄回的?)?运费|(?:来回|往返)运费|运费到付|承担运费|"
    r"运费(?:都|全|也)?(?:由)?(?:我们|店铺|商家)(?:来)?(?:承担|出|付|报销)|(?:我们|店铺|商家)(?:来)?(?:承担|出|付|报销)[^，。；]{0,4}运费"
)
# {{ policy.return_shipping }} renders a whole clause ("寄回的运费按店铺规则由您承担"): after "来回" it reads garbled.
_INSIDE = re.compile(r"([^，。；：,;:\s（(、\ue000-\ue007]{1,6})\ue006")
_COUPON = re.compile(r"券")
_OFFER = re.compile(r"申请|送|给您|补偿|弥补|赠|发放|发您|一张")
_HARD_COUPON = re.compile(r"(\d{1,6}) ?元[^，。；！？\d]{0,8}券")
# A time a clause promises: the agent's own {{ deadline }}, a policy deadline (both marked, see _MARKS), or one written
# into the template.
_TIME = re.compile(
    r"[\ue001-\ue004\ue007]|今天|今日|明天|后天|今晚|当天|当日|马上|立刻|立即|即刻|\d{1,2}[:：]\d{2}|"
    r"(?:\d+|[一二两三四五六七八九十几半]+)个?(?:分钟|小时|天|工作日|日)"
)
# What a promise's time must come from: the policy deadline, and the words that promise it.
_KEPT = {
    "resend_deadline": (
        "补发或换新",
        re.compile(r"补发|补寄|补送|重新(?:发|寄|送)|寄出|发出|出库(?!记录)|换新|换一(?:台|件|个|双|套|份|批)|换货|更换(?!周期)"),
    ),
    "refund_deadline": ("退款", re.compile(r"退款(?!进度|记录|申请|流水)|原路退|退回|退给您|退还|退钱|到账|差价")),
    "visit_deadline": ("上门", re.compile(r"上门(?!时间)")),
    "price_guarantee": ("价保", re.compile(r"再降价")),
}
# Looking into a remedy, or saying where it stands, is the agent's own step, kept by the agent's time:
# 「{{ deadline }}查清楚退款卡在哪一步」 and 「{{ deadline }}告诉您退款卡在哪一步」 promise an answer, not the refund.
# A remedy word counts as checked when one of these stands in the few characters before it, with no 后/再/就/然后
# between ("核实后给您退款" still promises the refund).
_CHECKING = re.compile(r"查|问清|了解|核实|核对|跟进|催|告诉您?|说明|答复")
_THEN = re.compile(r"后|再|就|然后")
_MARKS = {
    "deadline": "\ue001",
    "resend_deadline": "\ue002",
    "refund_deadline": "\ue003",
    "visit_deadline": "\ue004",
    "price_guarantee": "\ue007",
}
# An amount left to the customer or to no one ("金额您看合适再定"): no policy.yaml lists it, so no template may say it.
_OPEN_AMOUNT = re.compile(
    r"金额(?:您|你)(?:看|说|定)|(?:您|你)看(?:着)?合适(?:再定|就行|为准)|(?:您|你)说多少|要多少(?:都|就)?(?:给|赔)|"
    r"(?:金额|多少)(?:都)?(?:随|由)(?:您|你)|不设上限|上不封顶"
)


def policy_problems(library: Library) -> list[Problem]:
    """What each template's body and private script promise beyond ``library.policy`` (see the module's docstring)."""
    policy = library.policy
    real = policy.values()
    # Marked: where each deadline comes from shows in the text; the coupon's amount is no written-in amount.
    marked = {**real, **{k: v for k, v in _MARKS.items() if k != "deadline"}, "coupon": "\ue005" if policy.coupon else ""}
    marked["return_shipping"] = "\ue006"
    marked_values = {**PLACEHOLDERS, "deadline": _MARKS["deadline"]}
    shown = {_MARKS["deadline"]: PLACEHOLDERS["deadline"], **{_MARKS[k]: real[k] for k in _KEPT}}
    problems: list[Problem] = []
    for t in library.templates:
        parts = [("", False)] + ([(" (private)", True)] if t.private else [])
        for part, private in parts:
            where = f"{t.id}{part}"
            key = f"{t.id}#private" if private else t.id
            try:
                own = _QUOTE.sub("", library.compiled[key].render(**PLACEHOLDERS, policy=real))
                text = _QUOTE.sub("", library.compiled[key].render(**marked_values, policy=marked))
            except jinja2.TemplateError as e:  # the sandbox refused it ({{ ''.__class__ }}): it can never render
                problems.append(Problem(t.file, t.line, f"template '{t.id}': cannot render: {e}"))
                continue
            problems += _offers(t, where, own, policy)
            problems += _times(t, where, text, shown)
            problems += _coupons(t, where, text, policy)
            if inside := _INSIDE.search(text):
                head = inside.group(1)
                message = f"{where}: {{{{ policy.return_shipping }}}} is a clause, not part of「{head}…」: put a comma first"
                problems.append(Problem(t.file, t.line, message))
    return list(dict.fromkeys(problems))


def _offers(t: Template, where: str, own: str, policy: Policy) -> list[Problem]:
    out = []
    for name, words in REMEDIES.items():
        if name in policy.remedies:
            continue
        clause = next((c for c in _CLAUSE.findall(own) if _promises(name, words, c)), None)
        if clause is not None:
            message = f"{where}: promises {name} in「{clause.strip()}」, which policy.yaml does not list under remedies"
            out.append(Problem(t.file, t.line, message))
    amounts = sorted({int(m.group(1)) for m in _AMOUNT.finditer(own)} - set(policy.amounts))
    if amounts:
        named = ", ".join(f"{a}元" for a in amounts)
        out.append(Problem(t.file, t.line, f"{where}: names {named}, which policy.yaml does not list under amounts"))
    if open_amount := _OPEN_AMOUNT.search(own):
        message = f"{where}: leaves the amount open「{open_amount.group(0)}」; policy.yaml lists every amount (amounts)"
        out.append(Problem(t.file, t.line, message))
    if policy.return_shipping == "customer" and (pays := _SHOP_PAYS.search(own)):
        message = f"{where}: says the shop pays return shipping「{pays.group(0)}」; policy.yaml sets return_shipping: customer"
        out.append(Problem(t.file, t.line, message))
    return out


def _promises(name: str, words: str, clause: str) -> bool:
    """Whether a clause promises the remedy ``name``: one of its words, not in a clause offering the coupon when the
    coupon's own wording ("一张20元无门槛券作为补偿") would otherwise count."""
    return bool(re.search(words, clause)) and not (name in NOT_WITH_COUPON and COUPON_WORDS.search(clause))


def _times(t: Template, where: str, text: str, shown: dict[str, str]) -> list[Problem]:
    """A clause that promises a resend, a refund or a visit by a time must take that time from the policy."""
    out = []
    for sentence in _SENTENCE.findall(text):
        for clause in _CLAUSE.findall(sentence):
            out += _clause_times(t, where, clause, sentence, shown)
    return out


def _clause_times(t: Template, where: str, clause: str, sentence: str, shown: dict[str, str]) -> list[Problem]:
    out: list[Problem] = []
    times = [m.group(0) for m in _TIME.finditer(clause)]
    if not times or "方案" in clause:  # "今天18:00前给出退货、换货或退款的方案" promises the plan
        return out
    kept = [field for field, (_, words) in _KEPT.items() if any(not _checked(clause, m.start()) for m in words.finditer(clause))]
    own = {_MARKS[field] for field in kept}
    for field in kept:
        wrong = next((w for w in times if w not in own), None) if _MARKS[field] in times else times[0]
        if wrong is None or (_STEP.search(clause) and _MARKS[field] in sentence):
            continue
        said = "".join(shown.get(c, c) for c in clause).strip()
        when, what, due = shown.get(wrong, wrong), _KEPT[field][0], shown[_MARKS[field]]
        message = f"{where}: promises {what} by「{when}」in「{said}」; its time is {{{{ policy.{field} }}}}: {due}"
        out.append(Problem(t.file, t.line, message))
    return out


def _checked(clause: str, at: int) -> bool:
    """Whether the remedy word at ``at`` is what the agent looks into ("查退款进度"), not what they promise."""
    before = clause[max(0, at - 6) : at]
    verbs = list(_CHECKING.finditer(before))
    return bool(verbs) and not _THEN.search(before[verbs[-1].end() :])


def _coupons(t: Template, where: str, text: str, policy: Policy) -> list[Problem]:
    """A coupon's amount is ``{{ policy.coupon }}``, and with ``coupon: 0`` no text offers one."""
    out = []
    for m in _HARD_COUPON.finditer(text):
        message = f"{where}: names a coupon of {m.group(1)}元; write {{{{ policy.coupon }}}} (policy.yaml: {policy.coupon})"
        out.append(Problem(t.file, t.line, message))
    if not policy.coupon:
        offered = [c for c in _CLAUSE.findall(text) if _COUPON.search(c) and _OFFER.search(c)]
        if offered:
            message = f"{where}: offers a coupon in「{offered[0].strip()}」, but policy.yaml sets coupon: 0"
            out.append(Problem(t.file, t.line, message))
    return out
