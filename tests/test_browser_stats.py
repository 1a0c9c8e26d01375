"""数据统计's drill-down in headless Chromium: a click on a problem type's name lists as many replies as its bar counts,
a reply the agent corrected on the draft page among them. Uses the server and browser of test_browser."""

from datetime import UTC, datetime

import sqlite_utils
import test_browser as shared
from bs4 import BeautifulSoup
from helpers import KEY, SHANGHAI
from playwright.sync_api import expect
from test_pages_stats import bar_counts

from assistant.log.sent import log_shown
from assistant.log.shown import Shown, Verdict

ARTIFACTS = shared.ARTIFACTS
pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead


def sent(page, intent: str, verdict: Verdict | None = None) -> int:
    """A reply logged straight into the server's log this week, as the assistant read it and the agent settled it."""
    shown = Shown(intents=((intent, 0.9),), escalate=False, reasons=(), drafts=(("t.1", "您好，今天18:00前回电。"),))
    db = sqlite_utils.Database(page.db_path)
    try:
        text = "您好，今天18:00前回电。"
        now = datetime.now(UTC)
        return log_shown(db, shown, "投诉", text, agent="lead", platform="jd", key=KEY, tz=SHANGHAI, verdict=verdict, now=now).id
    finally:
        db.close()


def test_clicking_a_corrected_problem_type_lists_the_replies_its_bar_counts(page):
    corrected = sent(page, "logistics_delay", Verdict("quality_defect", False, ()))  # 物流问题 → 质量问题 on the draft page
    sent(page, "quality_defect")
    sent(page, "logistics_delay")
    page.goto(f"{page.base}/stats")
    chart = page.locator("figure.chart", has=page.locator("figcaption", has_text="按问题类型"))
    bars = bar_counts(BeautifulSoup(f"<figure class=chart>{chart.inner_html()}</figure>", "html.parser"), "按问题类型")
    count = bars["查看质量问题的回复"][0]
    assert count == 2  # the corrected reply and the one the assistant read so
    chart.locator("a.drill[aria-label=查看质量问题的回复]").click()
    page.wait_for_url("**/replies?*intent=quality_defect*")
    expect(page.locator("#count")).to_have_text(f"共 {count} 条")
    assert page.input_value("form.filters select[name=intent]") == "quality_defect"
    row = page.locator(f"#reply-{corrected}")
    expect(row).to_be_visible()
    expect(row.locator("td.label").nth(1)).to_contain_text("质量问题")
    expect(row.locator(".tag", has_text="客服改判")).to_have_attribute("title", "助手判断：物流问题")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stats-drill-down-corrected.png"), full_page=True)
    page.go_back()
    chart.locator("a.drill[aria-label=查看物流问题的回复]").click()
    page.wait_for_url("**/replies?*intent=logistics_delay*")
    expect(page.locator("#count")).to_have_text(f"共 {bars['查看物流问题的回复'][0]} 条")
    expect(page.locator(f"#reply-{corrected}")).to_have_count(0)
