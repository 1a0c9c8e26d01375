"""数据统计 through the in-process client: its bars per problem type and the replies a click on one lists (both count a
reply under the intent the agent settled on when they corrected the assistant's on the draft page), a group without
outcomes shown and exported with no rate, and charts that name templates by their titles."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from helpers import KEY, SHANGHAI, make_reply, sign_in
from openpyxl import load_workbook

from assistant.log.auth import add_user
from assistant.log.export import write_csv, write_xlsx
from assistant.log.outcomes import record_outcome
from assistant.log.sent import log_shown
from assistant.log.shown import Shown, Verdict
from assistant.log.stats import weekly_stats

WEEK = "2026-W47"
MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _sent(db, intent, escalate, verdict=None, hours=0) -> int:
    shown = Shown(
        intents=((intent, 0.9),),
        escalate=escalate,
        reasons=("safety",) if escalate else (),
        drafts=(("t.1", "您好，今天18:00前回电。"),),
    )
    text = "您好，今天18:00前回电。"
    logged = log_shown(
        db,
        shown,
        "投诉",
        text,
        agent="小林",
        platform="jd",
        key=KEY,
        tz=SHANGHAI,
        verdict=verdict,
        now=MONDAY + timedelta(hours=hours),
    )
    return logged.id


def bar_counts(page: BeautifulSoup, caption: str) -> dict[str, tuple[int, str]]:
    """A chart's bars: the label's drill-down address and the 已回复 count the bar says, by the label's aria-label."""
    figure = next(f for f in page.select("figure.chart") if f.figcaption.get_text() == caption)
    bars, current = {}, None
    for element in figure.svg.find_all(recursive=False):
        if element.name == "a":
            current = element["aria-label"]
            bars[current] = (None, element["href"])
        elif current and (m := re.search(r"已回复 (\d+)", element.get_text())) and bars[current][0] is None:
            bars[current] = (int(m.group(1)), bars[current][1])
    return bars


def test_a_drill_down_lists_as_many_replies_as_its_bar_counts_for_a_corrected_intent(make_client):
    client, db = make_client()
    sign_in(client, "组长", add_user(db, "组长", "lead").password)
    corrected = _sent(db, "logistics_delay", False, Verdict("quality_defect", False, ()))  # 物流问题 → 质量问题
    record_outcome(db, corrected, "upgraded", by="组长", now=MONDAY + timedelta(days=1))
    _sent(db, "quality_defect", False, hours=1)  # 质量问题, not reviewed
    _sent(db, "logistics_delay", False, hours=2)  # 物流问题, not reviewed
    kept = _sent(db, "logistics_delay", True, Verdict("logistics_delay", False, ()), hours=3)  # kept, but not offline

    page = BeautifulSoup(client.get("/stats", params={"week": WEEK}).text, "html.parser")
    bars = bar_counts(page, "按问题类型")
    assert {label: n for label, (n, _) in bars.items()} == {"查看质量问题的回复": 2, "查看物流问题的回复": 2}
    assert page.select_one("#escalation-share").get_text() == "0%"
    for label, (count, href) in bars.items():
        listed = BeautifulSoup(client.get(href).text, "html.parser")
        assert listed.select_one("#count").get_text().startswith(f"共 {count} 条"), label
        shown = {tr["id"]: tr.select("td.label")[1].get_text(" ", strip=True) for tr in listed.select("tbody tr")}
        name = label[2:-3]
        assert all(text.startswith(name) for text in shown.values()), shown
    listed = BeautifulSoup(client.get(bars["查看质量问题的回复"][1]).text, "html.parser")
    row = listed.select_one(f"#reply-{corrected}")
    assert "客服改判" in str(row) and "物流问题" in str(row)  # the assistant's reading is still there, marked
    assert (
        "线下"
        not in BeautifulSoup(client.get(bars["查看物流问题的回复"][1]).text, "html.parser")
        .select_one(f"#reply-{kept}")
        .select("td.label")[1]
        .get_text()
    )  # the agent said it stays online


def test_a_group_without_outcomes_shows_a_dash_and_exports_blank_rates(site, engine):
    client, db, users = site
    make_reply(db, engine, now=datetime(2026, 11, 18, 10, 0, tzinfo=UTC))  # W47, no outcome
    sign_in(client, "组长", users["组长"].password)
    page = BeautifulSoup(client.get("/stats", params={"week": "2026-W47"}).text, "html.parser")
    assert page.select_one("#rate").get_text() == "—"
    values = [t.get_text() for t in page.select("svg text.value")]
    assert values and all(v.startswith("—") and "0%" not in v and "n=0" not in v for v in values), values

    stats = weekly_stats(db, "2026-W47")
    out = io.StringIO()
    write_csv(stats, None, out)
    for row in csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))):
        assert row["sent"] == "1" and (row["rate"], row["low"], row["high"]) == ("", "", ""), row
    book_bytes = io.BytesIO()
    write_xlsx(stats, iter([]), book_bytes)
    book = load_workbook(io.BytesIO(book_bytes.getvalue()))
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True)}
    assert summary["已回复"] == 1 and summary["转化率"] is None
    by_template = list(book["按模板"].iter_rows(values_only=True))
    assert by_template[1][FIGURE_RATE] is None


FIGURE_RATE = 1 + 8  # key, then FIGURE_COLUMNS: rate is the ninth


def test_charts_name_templates_by_title_and_the_last_week_label_fits(site, engine):
    client, db, users = site
    make_reply(db, engine, complaint="孩子用了过敏住院了，我要投诉到12315", now=datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # W49
    reply_id = db.execute("select id, template_id from replies").fetchone()
    record_outcome(db, reply_id[0], "upgraded", by="组长")
    sign_in(client, "组长", users["组长"].password)
    soup = BeautifulSoup(client.get("/stats", params={"week": "2026-W49"}).text, "html.parser")
    title = next(t.situation for t in engine.library.templates if t.id == reply_id[1])
    chart = next(f for f in soup.select("figure.chart") if f.figcaption.get_text() == "按模板")
    label = chart.select_one("svg text.label")
    assert label.title.get_text().startswith(title) and reply_id[1] in label.title.get_text()  # the full id on hover
    label.title.decompose()
    assert label.get_text().startswith(title[:13]) and reply_id[1][:10] not in label.get_text()
    last = [t for t in soup.select("svg text.axis") if t.get_text() == "W49"]
    assert last and last[0]["text-anchor"] == "end" and float(last[0]["x"]) <= 520
