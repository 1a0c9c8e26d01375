"""Personal numbers a complaint may hold: resident ID numbers, bank cards, mobiles and landlines.

One home for recognising them: the log masks them before it stores a text (``log.redact``), and drafting never
quotes one as the customer's order, nor links replies by it (``fields.order_number``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Said just before a number, these make it a bank card whatever its digits.
CARD_WORDS = re.compile(r"卡号|银行卡|信用卡|储蓄卡|借记卡|卡[:：]|card", re.IGNORECASE)
_MOBILE = re.compile(r"1[3-9]\d{9}")


def digits_of(number: str) -> str:
    """The digits of a number written with spaces, dashes or dots (and an ID's final X, upper-cased)."""
    return re.sub(r"[^0-9Xx]", "", number).upper()


def resident_id(digits: str) -> bool:
    """A resident ID number: 18 characters with a valid ISO 7064 MOD 11-2 check character and birth month and day."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS))
    month, day = int(digits[10:12]), int(digits[12:14])
    return _ID_CHECK[total % 11] == digits[17].upper() and 1 <= month <= 12 and 1 <= day <= 31


def old_resident_id(digits: str) -> bool:
    """A first-generation (1984-1999) ID number: 15 digits, a region code and a YYMMDD birth date."""
    if len(digits) != 15 or not digits.isdigit() or digits[0] not in "12345678":
        return False
    month, day = int(digits[8:10]), int(digits[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def bank_card(digits: str, before: str = "", *, checksum: bool = True) -> bool:
    """A bank card of 16-19 digits: it passes the Luhn check, has UnionPay's 62 prefix, or ``before`` (the few
    characters just before it) names it as a card.

    :param checksum: whether passing the Luhn check is enough; one number in ten passes it by chance, so a number the
        customer calls their order (订单号…) is a card only by its prefix or the words before it
    """
    if not 16 <= len(digits) <= 19 or not digits.isdigit():
        return False
    return (checksum and luhn(digits)) or digits.startswith("62") or bool(CARD_WORDS.search(before))


def luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(int(c) for c in reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def personal_number(number: str, before: str = "", *, checksum: bool = True) -> bool:
    """Whether a run of digits is a person's own number rather than an order's: an ID number, a bank card (see
    ``bank_card`` for ``checksum``), a mobile, or a landline (every number that starts with 0: area codes do, order
    numbers do not)."""
    digits = digits_of(number)
    return (
        digits.startswith("0")
        or bool(_MOBILE.fullmatch(digits))
        or resident_id(digits)
        or old_resident_id(digits)
        or bank_card(digits, before, checksum=checksum)
    )


# Words that name where a complaint gives a person's or an order's data, not what went wrong: 订单号 in 「客服还在问我订单号」
# and 「订单号4512…」, 电话 in 「电话021-…」, 地址 in 「地址上海市…」. Whole words only (「手机号被泄露」 says what went wrong);
# not 账号 or 银行卡, which a stolen account or a card charged twice is about.
_DATA_LABEL = re.compile(
    r"(?:我的|的)?(?:(?:订单|子订单|物流单|快递单|运单|退货单|工单|会员|银行卡|身份证|证件|手机|电话|联系|qq|微信|工|卡|单)"
    r"(?:号码?|编号)|订单|编号|号码|电话|联系电话|联系方式|(?:收货)?地址|收货人|收件人|姓名|邮箱|身份证|微信|qq)",
    re.IGNORECASE,
)
# A number the matcher found by itself: an order, phone, ID, card, waybill or QQ number (five digits and more), an e-mail,
# a bare number (「100」 of 「世纪大道100号」). Hotlines such as 12315 are the escalation rules' own words, not asked.
_LONG_NUMBER = re.compile(r"\d{5,}|@")
_BARE_NUMBER = re.compile(r"[\d\s.\-]+")


def names_personal_data(word: str) -> bool:
    """Whether a word the matcher would show as evidence is, or only names, a person's or an order's data (订单号, 单号,
    手机号, 地址, 4512345678901): never shown to the agent as a sign of what the complaint is about. The
    library's own keywords are a lead's choice and are not asked; this is for the words the matcher finds by itself
    (those a complaint shares with the closest example phrasing, the trained model's strongest n-grams)."""
    word = word.strip()
    return bool(_DATA_LABEL.fullmatch(word) or _LONG_NUMBER.search(word) or _BARE_NUMBER.fullmatch(word))


# Where a complaint gives its data after naming it: the number after 订单号/单号/电话/手机号/身份证/QQ/微信号, the
# address after 地址 (a place: 省 市 区 县 路 街 号…), the name after 收货人/收件人/姓名/我叫. A word found only there
# (「上海」 of 「地址上海市浦东新区…」, 「手机」 of 「手机13812345678」) is the customer's data or its name, not a sign of
# what went wrong.
_SEP = r"[\s:：是为]{0,3}"
_DATA_VALUES = re.compile(
    rf"(?:(?:订单|运单|快递单|物流单|手机|电话|身份证|证件|qq|微信|银行卡)(?:号码?|编号)?|(?:单|卡)(?:号码?|编号)){_SEP}"
    # a number: four digits in a row within its first 40 characters (bounded, so that 「QQ1QQ1QQ1…」 costs no scan of the
    # rest of the text at every QQ: 5,000 such characters took 130 ms a call)
    rf"(?=[0-9A-Za-z*\-_ ]{{0,40}}?\d{{4}})([0-9A-Za-z*][0-9A-Za-z*\-_ ]{{3,}})"
    rf"|(?:收货|收件|寄件)?地址{_SEP}([\u4e00-\u9fa5A-Za-z0-9\-#]{{2,40}}?(?:省|市|区|县|镇|乡|村|路|街|道|巷|弄|号|栋|楼|室|小区|大厦))"
    rf"(?:[\u4e00-\u9fa5A-Za-z0-9\-#]*)"
    rf"|(?:收货人|收件人|姓名|我叫|名字是){_SEP}([\u4e00-\u9fa5]{{2,4}})(?![\u4e00-\u9fa5])",
    re.IGNORECASE,
)


@lru_cache(maxsize=8)  # one suggestion asks for the same text's spans three times (``shown_as_evidence``)
def data_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The spans of ``text`` that give data (``_DATA_VALUES``), each with the word naming it: 「手机13812345678」,
    「地址上海市浦东新区世纪大道100号」, 「收货人张三」."""
    return tuple(m.span() for m in _DATA_VALUES.finditer(text))


def within_data(text: str) -> Callable[[str], bool]:
    """A test for a word matched in ``text``: True when ``text`` holds it only inside data it gives (``data_spans``)."""
    spans = data_spans(text)

    def within(word: str) -> bool:
        starts = [m.start() for m in re.finditer(re.escape(word), text)] if spans else []
        return bool(starts) and all(any(a <= s and s + len(word) <= b for a, b in spans) for s in starts)

    return within


def shown_as_evidence(text: str) -> Callable[[str], bool]:
    """A test for the words the matcher found by itself in ``text``: False for a word that is or names personal data
    (``names_personal_data``) or that ``text`` holds only inside the data it gives (``within_data``)."""
    within = within_data(text)
    return lambda word: not names_personal_data(word) and not within(word)
