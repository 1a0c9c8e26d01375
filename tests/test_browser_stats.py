"""数据统计 in headless Chromium at laptop sizes: a problem type's, an agent's or a platform's name in the charts opens
the week's replies filtered by it (as many as its bar counts, a reply the agent corrected on the draft page among them),
the CSV files read in Chinese, the figures, charts and the week's replies fit a small laptop with their labels whole and
clear of the reference line, and this week's page leads to last week's. Uses the server and browser of test_browser."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
log_rows, log_replies, lines = shared.log_rows, shared.log_replies, shared.lines


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


def downloaded(page, button) -> list[list[str]]:
    """Click a download button; the file's lines (it must start with a byte-order mark, so Excel reads UTF-8)."""
    with page.expect_download() as download:
        page.click(button)
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


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


def test_a_leads_chart_label_opens_that_weeks_replies_filtered(page, engine):
    """The only filter on 数据统计 was the week; its breakdowns were pictures. A lead who saw a platform or an
    agent convert badly could not get to those replies, and 全部回复 wanted the week's dates typed in. A problem type's,
    an agent's or a platform's name in the charts now opens 全部回复 with that filter and the week's days, by mouse or
    by keyboard."""
    log_replies(page, engine, "买的口红颜色和图片差太多，统计跳转测试", 3, platform="xiaohongshu", now=datetime.now(UTC))
    today = datetime.now(SHANGHAI).date()  # weeks are counted in Asia/Shanghai
    monday = today - timedelta(days=today.weekday())
    page.goto(f"{page.base}/stats")
    label = page.locator("figure.chart", has_text="按平台").locator("a", has_text="小红书")
    label.focus()  # a link reached with Tab, opened with Enter
    page.keyboard.press("Enter")
    page.wait_for_url("**/replies?**")
    assert "platform=xiaohongshu" in page.url and "show=all" in page.url
    expect(page.locator("form.filters select[name=platform]")).to_have_value("xiaohongshu")
    expect(page.locator("form.filters select[name=show]")).to_have_value("all")
    expect(page.locator("form.filters input[name=since]")).to_have_value(monday.isoformat())
    expect(page.locator("form.filters input[name=until]")).to_have_value((monday + timedelta(days=6)).isoformat())
    logged = log_rows(page, "platform = ?", ["xiaohongshu"])
    expect(page.locator("#count")).to_have_text(f"共 {len(logged)} 条")
    assert set(page.locator("table.list tbody tr td:nth-child(4)").all_inner_texts()) == {"小红书"}

    page.goto(f"{page.base}/stats")
    page.locator("figure.chart", has_text="按客服").locator("a", has_text="组长").click()  # an agent, by the name drafts sign
    page.wait_for_url("**/replies?**agent=lead**")
    expect(page.locator("form.filters select[name=agent]")).to_have_value("lead")
    page.goto(f"{page.base}/stats")
    page.click("#week-replies")  # and the whole week, below the latest 50
    page.wait_for_url("**/replies?**")
    assert "agent=" not in page.url and "platform=" not in page.url and "since=" in page.url


def test_the_weeks_seven_figures_stay_in_one_row_on_a_small_laptop(page):
    """At 1024 px 数据统计's seventh figure (出结果中位天数) wrapped onto a second row alone."""
    for width, height in ((1366, 768), (1024, 700)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base}/stats")
        tiles = page.locator("section.card").first.locator(".figures > div")
        expect(tiles).to_have_count(7)
        tops = {round(tiles.nth(n).bounding_box()["y"]) for n in range(7)}
        assert len(tops) == 1, (width, tops)


def test_the_stats_pages_csv_files_read_in_chinese_like_the_workbook(page, engine):
    """汇总 CSV and 明细 CSV gave column ids (sent_at, agent, outcome…), ids as values (upgraded, jd) and UTC
    times, though the lead opens them in Excel. Now they read as the workbook does: its Chinese headers, names as on the
    page, local times; a cell Excel would run as a formula is still quoted."""
    (reply_id,) = log_replies(page, engine, "=1+1 吹风机用了三天就坏了，导出中文测试", 1, platform="jd", now=datetime.now(UTC))
    page.goto(f"{page.base}/stats")
    figures = downloaded(page, "#export-figures-csv")
    head = figures[0]
    assert head[:3] == ["分类", "名称", "用户名"] and "已回复" in head and "转化率" in head and "已改好评" in head
    assert not any(c.isascii() and c.isalpha() for cell in head for c in cell)  # no column ids
    lines = {(line[0], line[1]): dict(zip(head, line)) for line in figures[1:]}
    week = page.input_value("#week")
    summary = lines[("汇总", f"{week[:4]} 年第 {int(week[6:])} 周")]
    assert int(summary["已回复"]) >= 1
    assert ("按平台", "京东") in lines and ("按问题类型", "质量问题") in lines
    assert lines[("按客服", "组长")]["用户名"] == "lead"  # agents as drafts sign, the login name beside
    assert not any(key in ("jd", "quality_defect", "summary", "by_platform") for pair in lines for key in pair)

    rows = downloaded(page, "#export-rows-csv")
    head = rows[0]
    assert head[:3] == ["编号", "发送时间（本地时间）", "周"] and "结果" in head and "平台" in head
    row = next(dict(zip(head, r)) for r in rows[1:] if r[0] == str(reply_id))
    assert (row["平台"], row["问题类型"], row["结果"], row["客服"], row["用户名"]) == (
        "京东",
        "质量问题",
        "等待结果",
        "组长",
        "lead",
    )
    assert row["转线下"] in ("是", "否") and row["投诉"].startswith("'=1+1")  # formula-safe as before
    sent_at = log_rows(page, "id = ?", [reply_id])[0]["sent_at"]
    assert row["发送时间（本地时间）"] == datetime.fromisoformat(sent_at).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#export-rows-csv")).to_have_attribute("title", "本周每条回复，中文表头，时间为北京时间")


def test_chart_labels_are_clear_of_the_reference_line_and_the_trend_says_its_numbers(page, engine):
    """The dashed 33% line was drawn over the bar charts' value labels (「25% n=4」 struck through), and the
    12-week trend printed no number at its points (hover only, which the keyboard cannot reach)."""
    ids = log_replies(page, engine, "吹风机用了三天就坏了，图表测试", 4, platform="xiaohongshu", now=datetime.now(UTC))
    page.goto(f"{page.base}/replies?show=all&q=图表测试")
    for reply_id, result in zip(ids, ("upgraded", "unchanged", "unchanged", "unchanged")):
        row = page.locator(f"#reply-{reply_id}")
        row.locator("select[name=result]").select_option(result)
        row.locator("form.outcome-form button").click()
        expect(page.locator(f"#reply-{reply_id} .outcome")).to_be_visible()
    page.goto(f"{page.base}/stats")
    week, rate = page.input_value("#week"), page.inner_text("#rate")
    trend = page.locator("figure.chart").first
    expect(trend.locator(f"text.point[data-week='{week}']")).to_have_text(rate)  # this week's point says its rate
    for chart in page.locator("figure.chart").all()[1:]:
        svg = chart.locator("svg")
        if not svg.count():
            continue
        drawn = svg.evaluate("s => [...s.children].map(e => e.tagName + '.' + (e.getAttribute('class') || ''))")
        line = drawn.index("line.reference")
        assert all(drawn.index(t) > line for t in drawn if t.startswith("text.value")), drawn  # labels over the line
        label = svg.locator("text.value").first
        assert label.evaluate("t => getComputedStyle(t).paintOrder").startswith("stroke")  # with a halo
        assert label.evaluate("t => getComputedStyle(t).stroke") == "rgb(255, 255, 255)"


def test_the_weeks_replies_on_the_statistics_page_keep_their_labels_whole(page, engine):
    """数据统计's 明细 broke 「淘宝/天/猫」 and 「与描述不/符」 over two lines (the template column takes the
    width), as 我的回复 once did. Platform, problem type and result now stay whole at 1366 and 1024 px."""
    sent = datetime(2026, 10, 7, 2, 0, tzinfo=UTC)  # a week of its own: 2026-W41
    log_replies(page, engine, "收到的连衣裙颜色和图片差太多了，明细换行测试", 1, platform="taobao", now=sent)
    # beside replies from general templates (the longest titles: 「…，没说清或不属于下面任何一种具体情况（通用回复）」), which
    # a week has wherever the specific one was already sent to the customer or on the platform that day
    general = {
        "少发了一个配件，说明书上写有两个刷头（第15单）": "wrong_missing_item.general",
        "刚买就降价五十，不给保价（第19单）": "price_promotion.general",
        "退款申请了十天还没到账（第16单）": "refund_return.general",
    }
    for text, template in general.items():
        log_replies(page, engine, text, 1, platform="jd", now=sent, template_id=template)
    for width, height in ((1366, 768), (1024, 700)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base}/stats?week=2026-W41")
        row = page.locator("#week-rows tbody tr", has_text="明细换行测试")
        platform, intent, result = row.locator("td").nth(2), row.locator("td").nth(3), row.locator("td").nth(6)
        expect(platform).to_have_text("淘宝/天猫")
        expect(intent).to_have_text("与描述不符")
        expect(result).to_have_text("等待结果")
        assert (lines(platform), lines(intent), lines(result)) == (1, 1, 1), width
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_this_weeks_statistics_lead_to_last_weeks(page, engine):
    """数据统计 opens on this week. On a Monday morning, when a lead reviews the week just ended, this week has
    hardly begun (a row of zeros) and nothing pointed back but 「‹ 上一周」. This week's page now opens with last week's
    headline (replies, outcomes known, conversion, still pending) and a link to it; a week chosen by the lead has none."""
    last_week = datetime.now(UTC) - timedelta(days=7)
    ids = log_replies(page, engine, "快递一个星期还没到，上周数据测试", 3, platform="jd", now=last_week)
    page.goto(f"{page.base}/replies/{ids[0]}")
    page.locator("form.outcome-form select[name=result]").select_option("upgraded")
    page.locator("form.outcome-form button[type=submit]").click()
    page.wait_for_timeout(500)
    page.goto(f"{page.base}/stats")
    note = page.locator("#last-week")
    expect(note).to_be_visible()
    said = re.fullmatch(
        r"上周（第 (\d+) 周）：已回复 (\d+) 条，已知结果 (\d+) 条，转化率 (\d+)%，(\d+) 条还在等结果。\s*看上周的数据 ›",
        note.inner_text(),
    )
    assert said, note.inner_text()
    number, sent, known, _, pending = map(int, said.groups())
    assert sent >= 3 and known >= 1 and pending >= 2 and sent == known + pending
    week = note.locator("a").get_attribute("href").split("week=")[1]
    assert int(week[6:]) == number
    page.locator("#last-week a").click()
    page.wait_for_url(f"**/stats?week={week}")
    expect(page.locator("#week")).to_have_value(week)
    assert page.locator("#last-week").count() == 0  # a week the lead chose: no pointer


def test_the_charts_fit_their_column_on_a_small_laptop(page, engine):
    """At 1024 px every chart on 数据统计 was 13 px wider than its column and scrolled sideways, cutting off its
    right edge: the latest week's label and rate in the trend, the values beside the longest bars. They now fit, at 1366
    and 1024 px, and the latest week's label is inside the trend's frame."""
    (reply_id,) = log_replies(page, engine, "快递一个星期还没到，图表宽度测试", 1, platform="jd", now=datetime.now(UTC))
    page.goto(f"{page.base}/replies/{reply_id}")  # an outcome this week: the trend has a point to draw
    page.locator("form.outcome-form select[name=result]").select_option("deleted")
    page.locator("form.outcome-form button[type=submit]").click()
    page.wait_for_timeout(500)
    for width, height in ((1366, 768), (1024, 700)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base}/stats")
        charts = page.locator("figure.chart")
        assert charts.count() == 5
        sizes = charts.evaluate_all("fs => fs.map(f => [f.scrollWidth, f.clientWidth])")
        assert all(scroll <= client for scroll, client in sizes), (width, sizes)
        # the trend's latest week label (W49) ends inside the chart's frame, not in the part scrolled away
        right = charts.first.evaluate(
            "f => { const r = f.getBoundingClientRect();"
            " const w = [...f.querySelectorAll('text.axis')].filter(t => t.textContent.startsWith('W')).pop();"
            " return [w.getBoundingClientRect().right, r.right]; }"
        )
        assert right[0] <= right[1] + 0.5, (width, right)
