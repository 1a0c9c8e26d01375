"""Redact personal data from text before it is stored, and hash references.

Patterns for mainland-China personal data, each replaced by a bracketed label: mobile numbers (with +86, 0086 or
86 before them, in one piece or split by spaces, dashes or dots), landlines (``021-62345678``, ``(0755)8888 6666``),
resident ID numbers (18 characters with their ISO 7064 MOD 11-2 check digit, or the old 15 digits, in one piece or
spaced), e-mail addresses, bank card numbers (passing the Luhn check, or named as a card, or UnionPay's 62 prefix),
street addresses with a road and a house number in digits or Chinese numerals (建国路八十八号), WeChat and QQ ids.
Full-width forms (１３８, ＠, （）) are read as their ASCII twins. The customer's salutation (王女士) is masked
wherever it appears when the caller names it.

Every pattern has bounded repetition, so redaction takes time linear in the text (bench/adversarial.py checks it at
the size limits). Customer and order references are kept only as keyed hashes (HMAC-SHA256), enough to recognise a
repeat without storing the value.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from assistant.engine.normalize import strip_surrogates
from assistant.engine.pii import bank_card, digits_of, old_resident_id, resident_id

# Full-width ASCII (U+FF01-FF5E), the ideographic space and dash-like characters, folded one character to one, so a
# match in the folded text is at the same place in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD |= {0x3000: ord(" "), 0x2010: ord("-"), 0x2011: ord("-"), 0x2012: ord("-"), 0x2013: ord("-"), 0x2014: ord("-")}
_FOLD |= {0x2015: ord("-"), 0x2212: ord("-"), 0x00B7: ord("."), 0x30FB: ord(".")}

_SEP = r"[ .\-]{0,2}"  # between groups of digits: nothing, spaces, dashes or dots
# A phone number is not the middle of a longer run of digit groups (a spaced waybill or card number).
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}")
_ID_CARD = re.compile(rf"(?<![0-9A-Za-z])(?:\d{_SEP}){{17}}[\dXx](?![0-9A-Za-z])")
_OLD_ID_CARD = re.compile(rf"(?<![0-9A-Za-z])(?:\d{_SEP}){{14}}\d(?![0-9A-Za-z])")
_CARD = re.compile(rf"(?<!\d)(?:\d{_SEP}){{15,18}}\d(?!\d)")
_MOBILE = re.compile(rf"(?<!\d)(?<!\d[ .\-])(?:(?:\+|00)?86{_SEP})?1[3-9]\d(?:{_SEP}\d{{4}}){{2}}(?!\d)")
_LANDLINE = re.compile(
    rf"(?<!\d)(?<!\d[ .\-])(?:(?:\+|00)86{_SEP}\(?[1-9]\d{{1,2}}\)?|\(0\d{{2,3}}\)|0\d{{2,3}})"
    rf"{_SEP}[2-9]\d{{2,3}}{_SEP}\d{{4}}(?!\d)"
)
_QQ = re.compile(r"((?:QQ|扣扣|企鹅)号?(?:码)?[\s:：是为]{0,3})[1-9]\d{4,11}(?!\d)", re.IGNORECASE)
_WECHAT = re.compile(
    r"((?:微信|威信|薇信|v信|vx|wx|weixin|wechat)号?[\s:：是为]{0,3})[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])"
    r"|wxid_[A-Za-z0-9]{4,30}",
    re.IGNORECASE,
)
_NUMBER = r"[0-9零〇一二三四五六七八九十百千两]{1,6}"
_PLACE = r"[\u4e00-\u9fa5A-Za-z0-9]"
_ADDRESS = re.compile(
    rf"{_PLACE}{{0,20}}(?:路|街|(?<!知)道|巷|弄|胡同|村|小区|花园|大厦|公寓|家园|苑)"
    rf"[\u4e00-\u9fa5A-Za-z0-9\-]{{0,10}}?{_NUMBER} ?(?:号|栋|幢|座|单元|室|楼|弄)"
    rf"(?:[\u4e00-\u9fa5A-Za-z0-9\-]{{0,8}}?{_NUMBER} ?(?:号|栋|幢|座|单元|室|楼|层)){{0,6}}"
)


def redact(text: str, *, salutation: str | None = None) -> str:
    """Mask phone numbers, ID numbers, e-mails, bank cards, addresses, WeChat and QQ ids in ``text``.

    :param salutation: how the customer was addressed (王女士): masked wherever it appears (two characters or more)
    """
    if not text:
        return text
    text = strip_surrogates(text)
    if salutation and len(salutation.strip()) >= 2:
        text = text.replace(salutation.strip(), "[称呼]")
    text = _sub(_EMAIL, text, lambda m, t: "[邮箱]")
    text = _sub(_ID_CARD, text, lambda m, t: "[身份证号]" if resident_id(digits_of(m.group(0))) else None)
    text = _sub(_OLD_ID_CARD, text, lambda m, t: "[身份证号]" if old_resident_id(digits_of(m.group(0))) else None)
    text = _sub(_CARD, text, lambda m, t: "[银行卡号]" if _card(m, t) else None)
    text = _sub(_MOBILE, text, lambda m, t: "[手机号]")
    text = _sub(_LANDLINE, text, lambda m, t: "[电话]")
    text = _sub(_QQ, text, lambda m, t: t[m.start(1) : m.end(1)] + "[QQ号]")
    text = _sub(_WECHAT, text, lambda m, t: t[m.start(1) : m.end(1)] + "[微信号]" if m.group(1) else "[微信号]")
    text = _sub(_ADDRESS, text, lambda m, t: "[地址]")
    return text


def _sub(pattern: re.Pattern[str], text: str, label) -> str:
    """Replace ``pattern``'s matches in the full-width-folded text at the same places in ``text``.

    ``label(match, text)`` gives the replacement, or None to keep the match as it is (the match is on the folded text,
    its places are the same in ``text``).
    """
    folded = text.translate(_FOLD)
    out, last = [], 0
    for m in pattern.finditer(folded):
        replacement = label(m, text)
        if replacement is None:
            continue
        out.append(text[last : m.start()])
        out.append(replacement)
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def keyed_hash(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of a normalised reference (None stays None): equal inputs give equal hashes."""
    if value is None or not str(value).strip():
        return None
    normalised = re.sub(r"\s+", "", str(value)).lower()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _card(m: re.Match[str], text: str) -> bool:
    """A bank card (``pii.bank_card``), with the eight characters before it for the words that name one."""
    return bank_card(digits_of(m.group(0)), text[max(0, m.start() - 8) : m.start()].translate(_FOLD))
