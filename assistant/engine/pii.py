"""Personal numbers a complaint may hold: resident ID numbers, bank cards, mobiles and landlines.

One home for recognising them: the log masks them before it stores a text (``log.redact``), and drafting never
quotes one as the customer's order, nor links replies by it (``fields.order_number``).
"""

from __future__ import annotations

import re

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
