"""What a complaint itself names, for the drafts' placeholders: an order number, the customer's own name, the
consumer bodies it threatens to go to, the product; and every placeholder's value (``placeholder_values``)."""

from __future__ import annotations

import re
from datetime import datetime

from assistant.engine.library import PLACEHOLDERS, Library
from assistant.engine.match import IntentMatch
from assistant.engine.normalize import Normalized
from assistant.engine.pii import personal_number

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
# The place a customer stays at, not a product they complain of: 「我住的酒店前台说快递到了」.
_STAYED_AT = re.compile(r"(?:住的|住在|入住的)$")
# A product word that is not what the customer bought: one that did not come (「没有数据线」), a gift (「送的鼠标」), a
# comparison (「比苹果」, 「不如诺基亚」). 「手机的质量」 was said to 「没有数据线」 as 「数据线的质量」.
_NOT_BOUGHT = re.compile(r"(?:没有|没|不带|没送|没给|没配|不配|无|送的|赠的|赠品|比|不如|像)$")
_LATIN = re.compile(r"[a-z]")
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z]")
# A part or accessory named right after a product word makes a longer product: 手机壳, 手机膜, 冰箱贴, 手机充电器, 净水器滤芯.
# Not 套餐 (手机套餐 is a plan) nor 贴膜 as 贴 alone.
_PART = re.compile(r"(?:保护|钢化|贴)?(?:壳|膜|套(?!餐)|支架|架|贴|柜|座|充电器|充电头|数据线|遥控器|滤芯|刷头)")
# The consumer bodies a customer names when they threaten to complain or have complained: the invitation says
# 「向12315反映…是您的权利」 for the one they named, and never names one they did not (「有关部门或平台」 otherwise).
REGULATOR = re.compile(
    r"(?<!\d)12315(?!\d)|消费者协会|消协|消保委|消保官|消基会|市场监督管理局|市场监管局|市场监管部门|市场监管|市监局|"
    r"工商局|工商部门|工商(?!银行)|质监局|食药监局|物价局"
)
_BODY_NAMES = {"市场监管": "市场监管部门", "工商": "工商部门"}  # the bare words, named as a body


def order_number(text: str) -> str | None:
    """The order number a text names after 订单 / 订单号 ("订单号 88239912345"); never a personal number written there
    (an ID or bank card number, a mobile or a landline: ``pii.personal_number``), which drafts are public to quote.

    :param text: normalised (NFKC, lower case), as ``Normalized.text`` is
    """
    for m in _ORDER.finditer(text):
        number, before = m.group(1), text[max(0, m.start(1) - 8) : m.start(1)]
        # Called the order by the customer: a 16-19 digit number is a card only by its 62 prefix or a card word.
        if not (re.fullmatch(r"[\d-]+x?", number) and personal_number(number, before, checksum=False)):
            return number
    return None


# Someone stranded on a trip right now: at the airport, a flight about to leave, nowhere to sleep tonight. 「明天12:00前给您
# 答复」 is no answer to 「现在还在机场等」; the booking templates already call back in 30 minutes.
_STRANDED = re.compile(
    r"(?:现在|还|正|人|困|滞留)在(?:机场|车站|火车站|高铁站|酒店门口|酒店前台|前台)|误机|赶不上(?:飞机|航班|火车|高铁|车)|"
    r"(?:马上|快要?|就要)(?:起飞|登机|出发|开车|检票)|没地方(?:住|睡)|露宿|(?:大半夜|凌晨)[^。！!？?]{0,8}(?:住不了|进不去|没房|入住)"
)
URGENT_DEADLINE = "30分钟内"


def extract_fields(normalized: Normalized, matches: list[IntentMatch], library: Library) -> dict[str, str]:
    """Find what the complaint itself names: the product, an order number and the customer's own name; and a sooner
    deadline for someone stranded on a trip."""
    fields: dict[str, str] = {}
    text = normalized.text
    order = order_number(text)
    if order:
        fields["order_id"] = as_written(order, normalized.original)  # "DD2025…" as the customer wrote it
    product = named_product(normalized, library)
    if product:
        fields["product"] = product
    named = _SELF_NAMED.search(text)
    if named:
        fields["customer"] = named.group(1) or named.group(2)
    if _STRANDED.search(text):
        fields["deadline"] = URGENT_DEADLINE
    bodies = dict.fromkeys(_BODY_NAMES.get(m.group(0), m.group(0)) for m in REGULATOR.finditer(normalized.full))
    if bodies:
        fields["regulator"] = "和".join(list(bodies)[:2])
    return fields  # the problem phrase is per draft: draft_replies quotes each draft's own intent


def named_product(normalized: Normalized, library: Library) -> str | None:
    """The first product the complaint names, whole: 「手机壳」 is not 「手机」, nor 「空调遥控器」 「空调」 (jieba cuts them
    apart, and the accessory is the product the customer bought)."""
    text, at = normalized.text, 0
    for token in normalized.tokens:
        pos = text.find(token, at)
        at = pos + len(token) if pos >= 0 else at
        if token in library.products:
            if pos >= 0 and _STAYED_AT.search(text, max(0, pos - 3), pos):  # 「我住的酒店」 is where they are
                continue
            if pos >= 0 and _NOT_BOUGHT.search(text, max(0, pos - 3), pos):  # 「没有数据线」, 「送的鼠标」, 「比苹果」
                continue
            part = _PART.match(text, at) if pos >= 0 else None
            return as_written(token + part.group(0) if part else token, normalized.original)
    return None


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


def as_written(quote: str, original: str) -> str:
    """The quote with the customer's own capitals ("T恤", not the normalised "t恤"), when the complaint has it so.

    A Traditional complaint's Chinese differs from the normalised text: there each Latin word is looked up on its own
    (「你們的APP」 quoted as “你们的APP…”, then converted to the customer's script).
    """
    if not _LATIN.search(quote):
        return quote
    found = re.search(re.escape(quote), original, re.I)
    if found:
        return found.group(0)
    return _LATIN_WORD.sub(lambda m: _word_as_written(m.group(0), original), quote)


def _word_as_written(word: str, original: str) -> str:
    found = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", original, re.I)
    return found.group(0) if found else word
