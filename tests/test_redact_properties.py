"""Property test (issue 14 item 4): personal data in any of its written forms never reaches the log or an export.

Hypothesis writes phone numbers (full-width, dotted, spaced, with +86/0086), landlines with the area code in
brackets, 18- and 15-digit ID numbers (spaced or not), e-mails with a full-width ＠, card numbers that fail the
Luhn check, addresses with Chinese numerals, WeChat and QQ ids and the salutation; each goes into the complaint,
the draft, the reply sent, an outcome note and an imported note, and is looked for in every stored text and in
the week's CSV and XLSX exports.
"""

import io
import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from assistant.log.db import open_db
from assistant.log.export import export_file
from assistant.log.outcomes import record_outcome
from assistant.log.sent import log_shown
from assistant.log.shown import Shown
from assistant.log.worksheet import import_outcomes
from tests.helpers import KEY, SHANGHAI

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # 2026-W47
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789()+-.@"}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

digit = st.sampled_from("0123456789")
sep = st.sampled_from(["", " ", "-", "."])


def digits(n: int, first: str = "0123456789"):
    return st.tuples(st.sampled_from(first), st.text("0123456789", min_size=n - 1, max_size=n - 1)).map("".join)


def maybe_full_width(strategy):
    return st.tuples(strategy, st.booleans()).map(lambda p: (p[0][0].translate(FULL_WIDTH) if p[1] else p[0][0], p[0][1]))


@st.composite
def mobile(draw):
    number = "1" + draw(st.sampled_from("3456789")) + draw(digits(9))
    s = draw(sep)
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86-"]))
    return prefix + number[:3] + s + number[3:7] + s + number[7:], number


@st.composite
def landline(draw):
    area = "0" + draw(digits(draw(st.sampled_from([2, 3])), "123456789"))
    local = draw(digits(8, "23456789"))
    written = draw(
        st.sampled_from([f"({area}){local[:4]} {local[4:]}", f"{area}-{local}", f"({area}) {local}", f"{area} {local}"])
    )
    return written, local


@st.composite
def id_number(draw):
    region = draw(digits(6, "12345678"))
    year, month, day = draw(st.integers(1940, 2010)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    if draw(st.booleans()):  # the old 15-digit form
        number = f"{region}{year % 100:02d}{month:02d}{day:02d}{draw(digits(3))}"
        s = draw(st.sampled_from(["", " "]))
        return number[:6] + s + number[6:12] + s + number[12:], number
    body = f"{region}{year}{month:02d}{day:02d}{draw(digits(3))}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]
    number = body + check
    s = draw(st.sampled_from(["", " ", "-"]))
    return number[:6] + s + number[6:14] + s + number[14:], number


@st.composite
def email(draw):
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{2,10}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{2,8}\.(com|cn|net)", fullmatch=True))
    return local + draw(st.sampled_from(["@", "＠"])) + domain, local + "@" + domain


@st.composite
def card(draw):
    number = "62" + draw(digits(draw(st.integers(14, 17))))
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if draw(st.booleans()) else number
    return grouped, number


NUMERALS = "零一二三四五六七八九"


@st.composite
def address(draw):
    n = draw(st.integers(1, 999))
    chinese = "".join(NUMERALS[int(d)] for d in str(n)) if n < 10 or draw(st.booleans()) else _spoken(n)
    house = draw(st.sampled_from([str(n), chinese]))
    road = draw(st.sampled_from(["建国路", "中山北路", "人民大街", "解放大道", "长安街", "幸福小区", "金茂大厦"]))
    tail = draw(st.sampled_from(["号", "号3栋502室", "号院", "栋"]))
    written = road + house + tail
    return written, house + tail[0]


def _spoken(n: int) -> str:
    """A number as it is said: 八十八, 一百零五, 三百二十."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = (NUMERALS[hundreds] + "百") if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else NUMERALS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (NUMERALS[ones] if ones else "")


@st.composite
def wechat(draw):
    handle = draw(st.from_regex(r"[a-z][a-z0-9_]{5,14}", fullmatch=True))
    word = draw(st.sampled_from(["微信", "微信号：", "加我微信 ", "vx:", "V信 ", "wx "]))
    return word + handle, handle


@st.composite
def qq(draw):
    number = draw(digits(draw(st.integers(5, 11)), "123456789"))
    return draw(st.sampled_from(["QQ", "QQ：", "扣扣 ", "qq号是"])) + number, number


personal = st.one_of(
    maybe_full_width(mobile()), maybe_full_width(landline()), id_number(), email(), card(), address(), wechat(), qq()
)
salutation = st.tuples(st.sampled_from("王李张刘陈杨黄赵周吴"), st.sampled_from(["女士", "先生", "小姐"])).map("".join)


def _plain(text: str) -> str:
    """Folded to ASCII and without separators, so a number is found however it was spaced."""
    folded = text.translate({v: k for k, v in FULL_WIDTH.items()}).replace("＠", "@")
    return re.sub(r"[ .\-()（）]", "", folded)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(personal, salutation)
def test_no_personal_data_survives_into_the_log_or_an_export(item, name):
    written, secret = item
    db = open_db(":memory:")
    complaint = f"我是顾客，联系方式{written}，东西坏了请处理"
    draft = f"{name}您好，已收到您的{written}，今天18:00前联系您。"
    shown = Shown(intents=(("quality_defect", 0.9),), escalate=False, reasons=(), drafts=(("quality_defect.x", draft),))
    reply_id = log_shown(
        db, shown, complaint, draft + "请留意", agent="小林", platform="jd", key=KEY, tz=SHANGHAI, salutation=name, now=NOW
    ).id
    record_outcome(db, reply_id, "upgraded", by="小林", note=f"顾客留了{written}", now=NOW)
    import_outcomes(db, f'reply_id,result,note\n{reply_id},deleted,"再次联系{written}"\n', by="组长", now=NOW)

    stored = [v for table in ("replies", "outcomes") for row in db.table(table).rows for v in row.values() if isinstance(v, str)]
    csv_rows = export_file(db, "2026-W47", "csv", "rows")[0].decode("utf-8-sig")
    book = load_workbook(io.BytesIO(export_file(db, "2026-W47", "xlsx")[0]))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    for place, text in [("log", "\n".join(stored)), ("CSV", csv_rows), ("XLSX", "\n".join(cells))]:
        assert _plain(secret) not in _plain(text), f"{written!r} survives in the {place}"
        assert name not in text, f"the salutation {name} survives in the {place}"
    db.close()
