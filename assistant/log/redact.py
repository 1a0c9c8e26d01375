"""Redact personal data from text before it is stored, and hash references.

Patterns for mainland-China personal data (mobile and landline numbers, the
18-character resident ID with its ISO 7064 MOD 11-2 check digit, e-mail
addresses, bank card numbers passing the Luhn check, and street addresses with
a road and a house number), each replaced by a bracketed label. Customer and
order references are kept only as keyed hashes (HMAC-SHA256), enough to
recognise a repeat without storing the value.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from assistant.engine.normalize import strip_surrogates

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{0,20}(?:路|街|道|巷|弄|胡同|村|小区|花园|大厦|公寓|家园|苑)"
    r"[\u4e00-\u9fa5A-Za-z0-9-]{0,10}?\d+ ?(?:号|栋|幢|座|单元|室|楼|弄)"
    r"(?:[\u4e00-\u9fa5A-Za-z0-9-]{0,8}?\d+ ?(?:号|栋|幢|座|单元|室|楼|层))*"
)


def redact(text: str) -> str:
    """Mask phone numbers, ID numbers, e-mails, bank cards and street addresses in ``text``."""
    if not text:
        return text
    text = strip_surrogates(text)
    text = _EMAIL.sub("[邮箱]", text)
    text = _ID_CARD.sub(lambda m: "[身份证号]" if _valid_id(m.group(0)) else m.group(0), text)
    text = _CARD.sub(lambda m: "[银行卡号]" if _luhn(m.group(0)) else m.group(0), text)
    text = _MOBILE.sub("[手机号]", text)
    text = _LANDLINE.sub("[电话]", text)
    text = _ADDRESS.sub("[地址]", text)
    return text


def keyed_hash(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of a normalised reference (None stays None): equal inputs give equal hashes."""
    if value is None or not str(value).strip():
        return None
    normalised = re.sub(r"\s+", "", str(value)).lower()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _valid_id(number: str) -> bool:
    digits = number.upper()
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS))
    month, day = int(digits[10:12]), int(digits[12:14])
    return _ID_CHECK[total % 11] == digits[17] and 1 <= month <= 12 and 1 <= day <= 31


def _luhn(number: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", number)]
    if not 16 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
