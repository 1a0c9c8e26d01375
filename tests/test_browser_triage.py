"""批量分拣 in headless Chromium at laptop sizes, used as a lead and an agent use it: the ranked list on screen after
sorting, each ranked row showing its own columns masked as the download masks them, a shop's Excel export triaged as it
is, labels whole, and a reply sent from a row marked sent on it. Uses the server and browser of test_browser."""

from datetime import datetime

import test_browser as shared
from playwright.sync_api import expect

pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead
log_rows, lines = shared.log_rows, shared.lines


def test_the_ranked_backlog_shows_each_rows_own_columns_masked_as_the_download(page, tmp_path):
    """The uploaded file's own columns (订单号, 买家, 日期) were in the CSV download but not on the page,
    so a lead could not tell which order a ranked complaint was before pressing 写回复. Each row now shows its line in
    the file and its own columns above the complaint, masked as the download masks them: the order number as uploaded,
    the phone and the address hidden."""
    table = tmp_path / "backlog.csv"
    table.write_text(
        "订单号,买家,日期,收货手机,收货地址,text\n"
        "4512345678901234567,王小明,2026-11-30,13812345678,上海市浦东新区世纪大道100号,买的电热水壶用了两周就不加热了\n"
        "20261130998877,李娜,2026-11-29,13998765432,北京市朝阳区建国路88号,吹风机用的时候冒烟了，差点烫到孩子\n"
        f"45100000111,<b>张三</b>{shared.XSS},2026-11-28,,,快递一个星期还没到，物流信息一直不更新\n",
        encoding="utf-8",
    )
    page.goto(f"{page.base}/triage")
    page.set_input_files("#file", str(table))
    page.click("form[action='/triage'] button[type=submit]")
    page.wait_for_selector("table.triage")
    rows = page.locator("table.triage tbody tr")
    urgent = rows.first  # the hair dryer that smoked, ranked first: file line 3
    expect(urgent.locator(".own-columns")).to_contain_text("第 3 行")
    expect(urgent.locator(".own-columns")).to_contain_text("订单号 20261130998877")
    expect(urgent.locator(".own-columns")).to_contain_text("买家 李娜")
    expect(urgent.locator(".own-columns")).to_contain_text("日期 2026-11-29")
    shown = urgent.locator("td.text").first.inner_text()
    assert "13998765432" not in shown and "建国路88号" not in shown and "[手机号]" in shown
    assert "冒烟" in shown  # beside the complaint
    kettle = rows.filter(has_text="电热水壶").locator(".own-columns")
    expect(kettle).to_contain_text("订单号 4512345678901234567")  # 19 digits: kept as uploaded, not masked as a bank card
    expect(kettle).to_contain_text("第 2 行")
    parcel = rows.filter(has_text="快递一个星期").locator(".own-columns")
    expect(parcel).to_contain_text("<b>张三</b>")  # the buyer's cell as text, not markup
    assert parcel.locator("b").count() == 0
    expect(parcel).not_to_contain_text("收货手机")  # empty cells are left out

    page.goto(f"{page.base}/triage")
    page.fill("#backlog", "快递一个星期还没到\n客服态度很差")  # pasted lines have no columns of their own: nothing added
    page.click("form[action='/triage'] button[type=submit]")
    page.wait_for_selector("table.triage")
    assert page.locator(".own-columns").count() == 0


def test_a_shops_excel_export_is_triaged_without_saving_it_as_csv_first(page, tmp_path):
    """批量分拣 refused an .xlsx (「Excel 表格请先另存为“CSV UTF-8”」), the form a shop's back office exports its
    reviews in, so a lead's Monday began with a detour through Excel. The first sheet is read as Excel shows it: an order
    number typed as a number has no 「.0」, a date reads 2026-11-30. An old .xls is refused, saying what to do."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "<b>评价导出"  # the sheet's name is the shop's text, shown as text
    sheet.append(["订单号", "买家", "评价时间", "text"])
    sheet.append([45123456789, "王小明", datetime(2026, 11, 30), "买的电热水壶用了两周就不加热了"])
    sheet.append(["4512345678901234567", "李娜", datetime(2026, 11, 29, 21, 5), "吹风机用的时候冒烟了，差点烫到孩子"])
    path = tmp_path / "周末差评.xlsx"
    book.save(path)
    page.goto(f"{page.base}/triage")
    expect(page.locator("label[for=file]").first).to_contain_text("Excel")
    page.set_input_files("#file", str(path))
    page.click("form[action='/triage'] button[type=submit]")
    page.wait_for_selector("table.triage")
    expect(page.locator("#triage-note")).to_contain_text("已读取“周末差评.xlsx”里Excel 表格的工作表“<b>评价导出”")
    assert page.locator("#triage-note b").count() == 0
    rows = page.locator("table.triage tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("冒烟")  # ranked as any backlog: the hazard first
    expect(rows.first.locator(".own-columns")).to_contain_text("评价时间 2026-11-29 21:05")
    kettle = rows.filter(has_text="电热水壶").locator(".own-columns")
    expect(kettle).to_contain_text("订单号 45123456789")
    expect(kettle).not_to_contain_text("45123456789.0")
    expect(kettle).to_contain_text("评价时间 2026-11-30")
    expect(kettle).not_to_contain_text("00:00")

    old = tmp_path / "旧表格.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    page.goto(f"{page.base}/triage")
    page.set_input_files("#file", str(old))
    page.click("form[action='/triage'] button[type=submit]")
    expect(page.locator("#triage-error")).to_contain_text("旧版 .xls 表格请在 Excel 里另存为 .xlsx")
    no_text = tmp_path / "没有投诉列.xlsx"
    book = Workbook()
    book.active.append(["订单号", "备注"])
    book.active.append(["45123456789", "快递一个星期还没到"])
    book.save(no_text)
    page.set_input_files("#file", str(no_text))
    page.click("form[action='/triage'] button[type=submit]")
    expect(page.locator("#triage-error")).to_contain_text("文件“没有投诉列.xlsx”里找不到投诉所在的列（找到的列：订单号、备注）")
    broken = tmp_path / "坏的.xlsx"
    broken.write_bytes(b"PK\x03\x04 broken")
    page.set_input_files("#file", str(broken))
    page.click("form[action='/triage'] button[type=submit]")
    expect(page.locator("#triage-error")).to_contain_text("读不出 Excel 表格“坏的.xlsx”")


def test_the_ranked_backlogs_labels_are_never_broken_mid_word(page):
    """In 批量分拣's ranked list 「安全隐/患」, 「质量问/题」 and the reason 「人身安/全」 broke over two lines at
    1024 px (at 1366 too for some), the problem column being narrow. Each label now stays whole, at both widths."""
    page.goto(f"{page.base}/triage")
    page.fill(
        "#backlog", "吹风机用的时候冒烟了，差点烫到孩子\n买的电热水壶用了两周就不加热了\n快递一个星期还没到，物流信息一直不更新"
    )
    page.click("form[action='/triage'] button[type=submit]")
    page.wait_for_selector("table.triage")
    for width, height in ((1366, 768), (1024, 700)):
        page.set_viewport_size({"width": width, "height": height})
        rows = page.locator("table.triage tbody tr")
        hazard = rows.filter(has_text="冒烟")
        expect(hazard.locator("td.kinds")).to_have_text("安全隐患")
        expect(hazard.locator("td.reasons .tag")).to_have_text("人身安全")
        assert lines(hazard.locator("td.kinds")) == 1 and lines(hazard.locator("td.reasons .tag")) == 1, width
        for marker, label in (("电热水壶", "质量问题"), ("快递", "物流问题")):
            kinds = rows.filter(has_text=marker).locator("td.kinds")
            expect(kinds).to_have_text(label)
            assert lines(kinds) == 1, (width, label)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing pushed off the screen


def test_a_reply_sent_from_a_ranked_row_is_marked_sent_on_that_row(page):
    """An agent works down 批量分拣's 50 complaints, each in a 写回复 tab of its own. The list said only 已打开,
    the same for a reply marked as sent and for one left half-written when the phone rang. Marking it as sent in the tab
    now says 已发送 with the reply's number on its row (a link to the reply); the other rows are untouched."""
    page.goto(f"{page.base}/triage")
    page.fill("#backlog", "买的电热水壶用了两周就不加热了，已发送标记测试\n快递一个星期还没到，已发送标记测试")
    page.click("form[action='/triage'] button[type=submit]")
    page.wait_for_selector("table.triage")
    rows = page.locator("table.triage tbody tr")
    kettle, parcel = rows.filter(has_text="电热水壶"), rows.filter(has_text="快递一个星期")
    with page.expect_popup() as opened:
        kettle.locator("button", has_text="写回复").click()
    tab = opened.value
    tab.wait_for_selector("#draft-1 textarea.reply")
    expect(kettle.locator(".opened-mark")).to_have_text("已打开")
    with page.expect_popup() as opened_too:
        parcel.locator("button", has_text="写回复").click()
    opened_too.value.close()  # opened, not sent
    tab.click("#draft-1 button[type=submit]")
    tab.wait_for_selector("#draft-1 .sent .ok")
    reply_id = log_rows(page)[-1]["id"]
    expect(kettle.locator(".sent-mark")).to_have_text(f"已发送 #{reply_id}")
    assert kettle.locator(".sent-mark").get_attribute("href") == f"/replies/{reply_id}"
    expect(kettle.locator(".opened-mark")).to_have_count(0)
    expect(parcel.locator(".opened-mark")).to_have_text("已打开")
    expect(parcel.locator(".sent-mark")).to_have_count(0)
    tab.close()


def test_the_ranked_backlog_is_on_screen_after_sorting(page):
    """After 开始分拣 the page came back with the input form filling the first screen; the ranked list's heading
    sat at its bottom edge and the most urgent complaint below it, as if nothing had happened. Now the list's heading is
    at the top of the screen with the focus, and the first (most urgent) row is wholly in view."""
    for width, height in ((1366, 768), (1024, 700)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base}/triage")
        page.fill("#backlog", "物流有点慢\n颜色和图片不太一样\n孩子用了过敏住院了，我要投诉到12315\n太差了")
        page.click("form[action='/triage'] button[type=submit]")
        page.wait_for_selector("table.triage")
        expect(page.locator("#triage-results")).to_be_focused()
        first = page.locator("table.triage tbody tr").first
        expect(first).to_contain_text("过敏住院")
        box = first.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (width, box)
        assert 0 <= page.locator("#triage-results").bounding_box()["y"] < 40
