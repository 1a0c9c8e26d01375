"""数据统计's bars per problem type and the replies a click on one lists: both count a reply under the intent the agent
settled on when they corrected the assistant's on the draft page."""

import re
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from helpers import KEY, SHANGHAI, sign_in

from assistant.log.auth import add_user
from assistant.log.outcomes import record_outcome
from assistant.log.sent import log_shown
from assistant.log.shown import Shown, Verdict

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
