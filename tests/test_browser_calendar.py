"""我的回复's 从/到 with their calendar (flatpickr, started by app.js), in the English browser of test_browser_widgets
(Chromium with --lang=en-US): the calendar reads Chinese there, a day clicked filters the list, and typing a day in any
of the server's forms works as it did before the calendar, with the keyboard too; without scripts the fields still work.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import test_browser as shared
import test_browser_widgets as widgets
from playwright.sync_api import expect

pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, page, browser = shared.server, shared.page, widgets.browser  # a real server; the lead's page in English Chromium
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the server's week_timezone: the zone 从/到 name days in
MONTHS = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"]
CALENDAR = ".flatpickr-calendar.open"
SINCE, UNTIL = "form.filters input[name=since]", "form.filters input[name=until]"


def replies_on(page, engine, complaint: str, days: list[tuple[int, int, int]]) -> list[int]:
    """One reply to ``complaint`` sent at noon (Beijing time) on each of ``days``; their ids."""
    return [shared.log_replies(page, engine, complaint, 1, now=datetime(*day, 12, tzinfo=SHANGHAI))[0] for day in days]


def listed(page) -> list[int]:
    return [int(i.removeprefix("reply-")) for i in page.locator("table.list tbody tr").evaluate_all("rs => rs.map(r => r.id)")]


def screenshot(page, name: str) -> None:
    """The page once the calendar has faded in, in test-artifacts/."""
    page.locator(CALENDAR).evaluate("c => Promise.all(c.getAnimations().map((a) => a.finished))")
    shared.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(shared.ARTIFACTS / name))


def test_a_day_clicked_in_the_chinese_calendar_filters_the_list(page, engine):
    """A support agent clicks 从 and expects a calendar: it opens in Chinese (month names, 周一 to 周日, Monday first)
    though the browser is English, with today marked; the day clicked is written as 2026-11-30 and 筛选 lists that day's
    replies only."""
    year, month, this_month = page.evaluate(
        "(() => { const d = new Date(); const m = d.getMonth(); d.setDate(1); d.setMonth(m - 1);"
        " return [d.getFullYear(), d.getMonth() + 1, m + 1]; })()"
    )  # the month before the browser's own: one click on ‹ away
    ids = replies_on(page, engine, "台灯开关失灵，日历筛选测试", [(year, month, 10), (year, month, 20)])
    page.goto(page.base + "/replies?show=all&q=日历筛选测试")
    expect(page.locator("#count")).to_have_text("共 2 条")
    since = page.locator(SINCE)
    box = since.bounding_box()
    since.click()
    calendar = page.locator(CALENDAR)
    expect(calendar).to_be_visible()
    assert since.bounding_box() == box  # the calendar floats over the page: nothing moves
    assert [w.strip() for w in calendar.locator(".flatpickr-weekday").all_inner_texts()] == [
        "周一", "周二", "周三", "周四", "周五", "周六", "周日"
    ]  # fmt: skip
    shown_month = calendar.locator("select.flatpickr-monthDropdown-months option:checked")
    expect(shown_month).to_have_text(MONTHS[this_month - 1])
    assert [o.strip() for o in calendar.locator("select.flatpickr-monthDropdown-months option").all_inner_texts()] == MONTHS
    today = calendar.locator(".flatpickr-day.today")
    expect(today).to_have_count(1)
    expect(today).to_have_attribute("aria-current", "date")
    plain = calendar.locator(".flatpickr-day:not(.today):not(.prevMonthDay):not(.nextMonthDay)").first
    assert today.evaluate("d => getComputedStyle(d).borderColor") != plain.evaluate("d => getComputedStyle(d).borderColor")
    screenshot(page, "replies-calendar.png")
    calendar.locator(".flatpickr-prev-month").click()
    expect(shown_month).to_have_text(MONTHS[month - 1])
    calendar.locator(f".flatpickr-day[aria-label^='{year}年{month}月20日 星期']").click()
    expect(since).to_have_value(f"{year}-{month:02d}-20")
    expect(calendar).to_have_count(0)  # closed once a day is picked
    page.click("form.filters button[type=submit]")
    expect(page.locator("#count")).to_have_text("共 1 条")
    assert listed(page) == [ids[1]]
    expect(page.locator(SINCE)).to_have_value(f"{year}-{month:02d}-20")
    page.locator(SINCE).click()  # opened again, the calendar shows the day the list is filtered from
    weekday = "一二三四五六日"[datetime(year, month, 20).weekday()]
    expect(page.locator(f"{CALENDAR} .flatpickr-day.selected")).to_have_attribute(
        "aria-label", f"{year}年{month}月20日 星期{weekday}"
    )


def test_a_typed_day_still_filters_with_the_calendar_there(page, engine):
    """Typing works as before the calendar: 2021年5月15日 stays as typed (not rewritten) when the agent clicks 筛选, and
    the list is filtered; the calendar turns to the day typed. A day that cannot be read stays in the field and is refused
    there in Chinese, as before, rather than being emptied by the calendar and the filter silently dropped."""
    ids = replies_on(page, engine, "保温杯漏水，手写日期测试", [(2021, 5, 10), (2021, 5, 20)])
    page.goto(page.base + "/replies?show=all&q=手写日期测试")
    expect(page.locator("#count")).to_have_text("共 2 条")
    since, until = page.locator(SINCE), page.locator(UNTIL)
    since.click()
    calendar = page.locator(CALENDAR)
    expect(calendar).to_be_visible()
    since.press_sequentially("2021年5月15日")
    expect(calendar.locator("select.flatpickr-monthDropdown-months option:checked")).to_have_text("五月")
    expect(calendar.locator("input.cur-year")).to_have_value("2021")
    screenshot(page, "replies-calendar-typed.png")
    page.click("form.filters button[type=submit]")  # a click elsewhere: the calendar reads the field and closes
    expect(page.locator("#count")).to_have_text("共 1 条")
    assert listed(page) == [ids[1]]
    expect(page.locator(SINCE)).to_have_value("2021年5月15日")
    page.locator(SINCE).click()
    expect(page.locator(f"{CALENDAR} .flatpickr-day.selected")).to_have_attribute("aria-label", "2021年5月15日 星期六")
    until.click()
    until.fill("5月15日")
    page.click("form.filters button[type=submit]")
    assert until.evaluate("f => f.validationMessage") == "日期请写成 2026-11-30 这样（年-月-日）。"
    expect(until).to_have_value("5月15日")
    expect(page.locator("#count")).to_have_text("共 1 条")  # nothing was sent
    until.fill("2021/5/19")
    until.press("Enter")  # Enter still sends the form with the calendar open
    expect(page.locator("#count")).to_have_text("共 0 条")
    expect(page.locator(UNTIL)).to_have_value("2021/5/19")
    page.locator(UNTIL).fill("2021.5.20")
    page.locator(UNTIL).press("Enter")
    expect(page.locator("#count")).to_have_text("共 1 条")
    expect(page.locator(UNTIL)).to_have_value("2021.5.20")


def test_the_calendar_works_from_the_keyboard(page, engine):
    """Tab to 到, ↓ moves into the calendar on today, → to tomorrow, Enter writes it in the field and the cursor is back
    in the field; Escape closes the calendar without changing the field."""
    page.goto(page.base + "/replies?show=all")
    until = page.locator(UNTIL)
    page.locator(SINCE).focus()
    page.keyboard.press("Tab")
    expect(until).to_be_focused()
    page.keyboard.press("ArrowDown")
    focused = page.locator(f"{CALENDAR} .flatpickr-day:focus")
    expect(focused).to_have_class(re.compile(r"\btoday\b"))
    page.keyboard.press("ArrowRight")
    tomorrow = page.evaluate(
        "(() => { const d = new Date(); d.setDate(d.getDate() + 1);"
        " return [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, '0')).join('-'); })()"
    )
    page.keyboard.press("Enter")
    expect(until).to_have_value(tomorrow)
    expect(until).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"{CALENDAR} .flatpickr-day:focus")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Escape")
    expect(page.locator(CALENDAR)).to_have_count(0)
    expect(until).to_have_value(tomorrow)
    expect(until).to_be_focused()


def test_without_scripts_the_date_fields_are_text_fields_that_filter(page, browser, engine):
    """No JavaScript (or the calendar's file not loaded): 从/到 are the text fields they were, in the same place, and a
    typed day filters the list."""
    ids = replies_on(page, engine, "风扇异响，无脚本日期测试", [(2021, 6, 1), (2021, 6, 9)])
    url = page.base + "/replies?show=all&q=无脚本日期测试"
    page.goto(url)
    box = page.locator(SINCE).bounding_box()
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 768}, storage_state=page.context.storage_state()
    )
    try:
        bare = context.new_page()
        bare.goto(url)
        assert bare.locator(SINCE).bounding_box() == box
        bare.fill(SINCE, "2021-06-05")
        bare.click("form.filters button[type=submit]")
        expect(bare.locator("#count")).to_have_text("共 1 条")
        assert listed(bare) == [ids[1]]
        bare.click(SINCE)
        expect(bare.locator(".flatpickr-calendar")).to_have_count(0)
    finally:
        context.close()
