"""Everyday use of the pages around the draft page, in headless Chromium: 数据统计, 模板库 (and its reload), 账号管理 (and
its copy buttons), 我的账号, 帮助, the navigation and sign-in, by keyboard and on a phone (390 px), and every link in the
site's colours. Uses the server and browser of test_browser."""

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import test_browser as shared
from openpyxl import load_workbook
from playwright.sync_api import expect

ARTIFACTS = shared.ARTIFACTS
pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead
log_replies, generate = shared.log_replies, shared.generate
PHONE = {"width": 390, "height": 844}

# Chromium's own link colours (unvisited blue, visited purple): no link of ours may show them.
BROWSER_BLUE, BROWSER_PURPLE = "rgb(0, 0, 238)", "rgb(85, 26, 139)"
LINK_COLOURS = (
    """() => [...document.querySelectorAll('a')].map(a => [a.textContent.trim().slice(0, 24), getComputedStyle(a).color])"""
)


def signed_in(browser, server, viewport, name="lead", password=None):
    """A new browser page of the given size, signed in (as the lead unless told)."""
    base, lead_password, _ = server
    tab = browser.new_context(viewport=viewport).new_page()
    tab.goto(f"{base}/login")
    tab.fill("#name", name)
    tab.fill("#password", password or lead_password)
    tab.press("#password", "Enter")
    tab.wait_for_url("**/compose")
    return tab


def default_coloured_links(page) -> list:
    return [(text, colour) for text, colour in page.evaluate(LINK_COLOURS) if colour in (BROWSER_BLUE, BROWSER_PURPLE)]


def test_on_a_phone_no_page_is_wider_than_the_screen(browser, server, engine):
    """At 390 px the header used to stack 回复助手 one character a line, 账号管理's table pushed 重设密码 and 停用 past the
    screen's edge, and 数据统计's detail squeezed every column to one character. Now the page is as wide as the phone, the
    header's name fits on one line, and wide tables scroll inside their card."""
    from helpers import make_reply

    from assistant.log.db import open_db

    base, _, db_path = server
    db = open_db(db_path, migrate=False)
    make_reply(db, engine, "买的电热水壶用了两周就不加热了，手机上看统计", agent="lead", now=datetime.now(UTC))  # a row this week
    db.close()
    tab = signed_in(browser, server, PHONE)
    for path in [
        "/stats",
        "/users",
        "/library?q=退款",
        "/library?view=full&q=退款",
        "/account",
        "/help",
        "/replies?show=all",
        "/compose",
        "/triage",
    ]:
        tab.goto(base + path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a 390 px screen"
        brand = tab.locator("header .brand").bounding_box()
        assert brand["height"] < 30, f"回复助手 wraps on {path}"
        name = path.strip("/").replace("?", "-").replace("=", "-").replace("&", "-")
        tab.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    tab.goto(f"{base}/users")
    reset = tab.locator("tr[data-name='lead'] button.reset")
    reset.scroll_into_view_if_needed()
    box = reset.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]  # reachable: its table scrolls to it
    tab.goto(f"{base}/stats")
    cell = tab.locator("#week-rows tbody tr").first.locator("td.text").bounding_box()
    assert cell["width"] > 80, "the complaint column is squeezed"
    tab.goto(f"{base}/replies?show=all")  # 我的回复 too: its outcome form beside the complaint squeezed it to one character
    cell = tab.locator("table.list tbody tr").first.locator("td.text").bounding_box()
    assert cell["width"] > 80, "the complaint column of 我的回复 is squeezed"
    tab.context.close()


def test_the_navigation_marks_the_page_shown_and_a_skip_link_leads_to_it(page):
    """The navigation said nowhere which page was open, and 账号 and 我的账号 stood side by side; the lead's corner read
    「组长（组长）」. Now the page's link is marked (aria-current), the leads' page is 账号管理, and the first Tab offers
    跳到正文."""
    for path, label, title in [
        ("/stats", "数据统计", "数据统计"),
        ("/users", "账号管理", "账号管理"),
        ("/account", "我的账号", "我的账号"),
        ("/library?q=退款", "模板库", "模板库"),
        ("/help", "帮助", "帮助"),
    ]:
        page.goto(page.base + path)
        current = page.locator("nav a[aria-current=page]")
        expect(current).to_have_count(1)
        expect(current).to_have_text(label)
        assert page.title().startswith(title) and page.title().endswith("· 回复助手")
    expect(page.locator(".who")).to_have_text("组长")  # the lead's display name is its role: said once
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    expect(page.locator("a.skip")).to_have_text("跳到正文")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")  # the next stop is the page's own first one


def test_a_wrong_password_keeps_the_name_and_waits_in_the_password_field(browser, server):
    """A mistyped password used to empty the name too and put the cursor back in it: two fields to retype. Now the name
    stays, the cursor is in the password field (tied to the message), and Enter signs in."""
    base, password, _ = server
    tab = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    tab.goto(f"{base}/login")
    expect(tab.locator("#name")).to_be_focused()
    tab.fill("#name", "lead")
    tab.fill("#password", "不是这个密码")
    tab.keyboard.press("Enter")
    expect(tab.locator("#login-error")).to_have_text("用户名或密码不对。")
    expect(tab.locator("#name")).to_have_value("lead")
    expect(tab.locator("#password")).to_be_focused()
    expect(tab.locator("#password")).to_have_attribute("aria-describedby", "login-error")
    tab.keyboard.type(password)
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/compose")
    tab.context.close()


def test_a_refused_password_change_marks_the_field_to_retype(page):
    """我的账号 said what was wrong above the form, with no field marked and the cursor nowhere: now the field to retype is
    marked, tied to the message, and has the cursor."""
    page.goto(f"{page.base}/account")
    cases = [
        ("另一个长密码-0001", "另一个长密码-0002", "repeat", "两次输入的新密码不一样"),
        ("短", "短", "new", "10 到 128 个字符"),
        ("另一个长密码-0001", "另一个长密码-0001", "current", "现在的密码不对"),
    ]
    for new, repeat, field, message in cases:
        page.fill("#current", "不是现在的密码-1" if field == "current" else "现在的密码不重要")
        page.fill("#new", new)
        page.fill("#repeat", repeat)
        page.evaluate("document.getElementById('password-form').noValidate = true")  # the server's check, not the browser's
        page.press("#repeat", "Enter")
        expect(page.locator("#account-error")).to_contain_text(message)
        expect(page.locator(f"#{field}")).to_be_focused()
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field}")).to_have_attribute("aria-describedby", "account-error")
        assert page.locator("[aria-invalid=true]").count() == 1


def test_a_refused_account_keeps_the_role_chosen_and_the_cursor_in_the_name(page):
    """Adding a lead under a taken name used to reset 角色 to 客服: fixing the name and pressing Enter made an agent.
    Now the form keeps the role, the name field is marked with the cursor in it, and the action column is named."""
    page.goto(f"{page.base}/users")
    expect(page.locator("table.users th").last).to_have_text("操作")
    page.fill("#new-name", "lead")
    page.select_option("#new-role", "lead")
    page.press("#new-name", "Enter")
    expect(page.locator("#users-error")).to_contain_text("已经有人用了")
    expect(page.locator("#new-role")).to_have_value("lead")
    expect(page.locator("#new-name")).to_be_focused()
    expect(page.locator("#new-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-name")).to_have_attribute("aria-describedby", "users-error")
    page.fill("#new-name", "zuzhang2")
    page.keyboard.press("Enter")
    expect(page.locator("#created")).to_contain_text("zuzhang2（组长）")


def test_statistics_name_the_week_by_its_dates_and_a_week_picks_from_a_calendar(page, engine):
    """The page said only 「2026-W47」 and asked for 「周（ISO）」 typed by hand. Now the heading names the week in Chinese with
    its dates, the week is picked from a list of weeks named by their dates; a week with one reply reads sensibly (its
    rate with a named 95% interval, one row) and an empty one says so (no 0% escalation share of nothing, no empty table)."""
    from helpers import make_reply

    from assistant.log.db import open_db
    from assistant.log.outcomes import record_outcome

    db = open_db(page.db_path, migrate=False)
    sent = datetime(2021, 3, 10, 4, tzinfo=UTC)  # 2021-W10, a week no other test writes to
    reply_id = make_reply(db, engine, "保温杯用了三天就不保温了，一周一条测试", agent="lead", now=sent)
    record_outcome(db, reply_id, "upgraded", by="lead", now=datetime(2021, 3, 12, tzinfo=UTC))
    db.close()

    page.goto(f"{page.base}/stats?week=2026-W01")
    expect(page.locator("h1")).to_contain_text("2026 年第 1 周")
    expect(page.locator("#week-dates")).to_have_text("2025年12月29日至2026年1月4日")
    assert page.title() == "数据统计 2026 年第 1 周 · 回复助手"
    week = page.locator("#week")
    expect(page.locator("label[for=week]")).to_have_text("选择周")
    page.goto(f"{page.base}/stats?week=2021-W12")  # the list holds the weeks around the one shown
    week.select_option(label="2021 年第 10 周（3月8日至3月14日）")
    page.click(".week-picker button[type=submit]")
    page.wait_for_url("**/stats?week=2021-W10")
    expect(page.locator("#week-dates")).to_have_text("3月8日至3月14日")
    expect(page.locator("#sent")).to_have_text("1")
    expect(page.locator("#rate")).to_have_text("100%")
    expect(page.locator("#rate").locator("xpath=..")).to_contain_text("95% 区间")
    expect(page.locator("#week-rows tbody tr")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "stats-one-reply-1280.png"), full_page=True)

    page.click("a[aria-label=上一周]")
    page.wait_for_url("**/stats?week=2021-W09")
    expect(page.locator("#sent")).to_have_text("0")
    expect(page.locator("#escalation-share")).to_have_text("—")
    expect(page.locator("#no-rows")).to_have_text("这一周没有发出的回复。")
    expect(page.locator("#week-rows")).to_have_count(0)


def test_the_first_export_is_the_workbook_people_read(page):
    """「下载 CSV」 came first and gave a file headed table,key,sent,known…; the workbook with Chinese headers was last and
    named by its file type. Now 下载 Excel 表格 comes first (and the CSV files read in Chinese too)."""
    page.goto(f"{page.base}/stats")
    links = page.locator(".exports a")
    expect(links.first).to_have_text("下载 Excel 表格")
    for n in (1, 2):
        expect(links.nth(n)).to_have_attribute("title", re.compile("中文表头"))
    with page.expect_download() as download:
        links.first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    assert book.sheetnames[0] == "汇总"


def test_clicking_the_bookmarklet_on_help_says_to_drag_it(page):
    """Clicked on 帮助, the bookmarklet did nothing at all (the page's security policy blocks it): now it says to drag it."""
    page.goto(f"{page.base}/help")
    page.click("a.bookmarklet")
    expect(page.locator("#bookmarklet-hint")).to_contain_text("拖到浏览器的书签栏")
    assert page.url == f"{page.base}/help"


def test_an_agent_reads_no_maintenance_commands_on_the_library(page, browser, server):
    """模板库 told every agent to edit replies/ and run assistant lint and assistant train: the leads' job, in English
    commands. An agent now reads what the previews are and how to use them; a lead still sees the maintenance note."""
    from assistant.log.auth import add_user
    from assistant.log.db import open_db

    db = open_db(page.db_path, migrate=False)
    agent_account = add_user(db, "xiaowen", "agent", display_name="小文")
    db.close()
    agent = signed_in(browser, server, {"width": 1280, "height": 800}, "xiaowen", agent_account.password)
    agent.goto(f"{page.base}/library")
    text = agent.inner_text("main")
    assert "assistant lint" not in text and "replies/" not in text and "插入" in text
    assert "id" not in (agent.get_attribute("#q", "placeholder") or "")
    agent.context.close()
    page.goto(f"{page.base}/library")
    expect(page.locator("#maintenance")).to_contain_text("assistant lint")


def test_a_week_that_is_not_one_is_said_at_the_field_on_the_statistics(page):
    """A week typed into the address (2026-W60) led to a bare error page whose only link went
    to 写回复. Now 数据统计 stays, says what is wrong at the week field (marked, with the cursor) over this week's figures."""
    response = page.goto(f"{page.base}/stats?week=2026-W60")
    assert response.status == 400
    expect(page.locator("#week-error")).to_contain_text("周的格式应该像 2026-W47")
    expect(page.locator("#week")).to_be_focused()
    expect(page.locator("#week")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#week")).to_have_attribute("aria-describedby", "week-error")
    expect(page.locator("nav a[aria-current=page]")).to_have_text("数据统计")
    expect(page.locator("#sent")).to_be_visible()  # this week's figures, below the message
    page.select_option("#week", "2026-W40")
    page.click(".week-picker button[type=submit]")
    page.wait_for_url("**/stats?week=2026-W40")
    expect(page.locator("#week-error")).to_have_count(0)


def test_reloading_the_library_says_it_is_working_and_takes_one_click(page):
    """重新载入模板文件 took two or three seconds with nothing on the page, and the button stayed clickable, so a
    lead clicked again and the library was read twice. While a reload runs the button is disabled and the page says so;
    then the answer replaces that line, also on a second reload."""
    held = []
    page.route("**/library/reload", lambda route: held.append(route))  # the reload answers when the test lets it
    page.goto(f"{page.base}/library")
    # what the shop sells, and where a lead sets it, before the button that reloads it
    expect(page.locator("#shop-kind")).to_contain_text("本店类型：通用")
    expect(page.locator("#shop-kind code", has_text="shop_kind")).to_be_visible()
    button = page.get_by_role("button", name="重新载入模板文件")
    button.click()
    expect(page.locator("#reload-busy")).to_be_visible()
    expect(page.locator("#reload-busy")).to_have_text("正在重新载入，要几秒钟…")
    expect(button).to_be_disabled()
    button.click(force=True)  # a second click while it runs sends nothing
    page.wait_for_timeout(200)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#reload-result")).to_contain_text("已重新载入")
    expect(page.locator("#reload-busy")).to_be_hidden()
    expect(button).to_be_enabled()
    # A second reload: the last answer (「已重新载入…」) gives way to 正在重新载入 while it runs, not beside it
    # (REVIEW12B #11: the rule hiding it waited for a class htmx puts on the indicator, not on the form).
    button.click()
    expect(page.locator("#reload-busy")).to_be_visible()
    expect(page.locator("#reload-result")).to_be_hidden()
    assert len(held) == 2
    held[1].continue_()
    expect(page.locator("#reload-result")).to_contain_text("已重新载入")
    expect(page.locator("#reload-busy")).to_be_hidden()
    page.unroute("**/library/reload")


def test_the_one_time_password_and_token_have_copy_buttons_and_account_rows_line_up(page):
    """账号管理 showed the one-time password and API token with no copy button (the lead selected them by
    hand, easily missing a character), and in each row the text cells sat at the top while the display-name field and
    保存 were taller. Now each secret has its copy button and a row's texts are level with its field."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{page.base}/users")
    page.fill("#new-name", "copytest")
    page.fill("#new-display", "小复")
    page.click("form[action='/users'] button[type=submit]")
    expect(page.locator("#created")).to_be_visible()
    for button, code in (("#copy-created-password", "#created-password"), ("#copy-created-token", "#created-token")):
        page.click(button)
        expect(page.locator(button)).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == page.inner_text(code)
    row = page.locator("tr[data-name=copytest]")
    row.locator("button.reset").click()  # confirmed by the page fixture
    expect(page.locator("#reset")).to_be_visible()
    page.click("#copy-reset-password")
    assert page.evaluate("navigator.clipboard.readText()") == page.inner_text("#reset-password")

    row = page.locator("tr[data-name=copytest]")
    field = row.locator("input[name=display_name]").bounding_box()
    for cell in (row.locator("td").nth(0), row.locator("td").nth(2), row.locator("td").nth(3)):
        text = cell.evaluate(
            "td => { const r = document.createRange(); r.selectNodeContents(td); const b = r.getBoundingClientRect();"
            " return b.top + b.height / 2; }"
        )
        assert abs(text - (field["y"] + field["height"] / 2)) < 4, (text, field)


def test_every_link_on_every_page_is_in_the_sites_colours(page, engine, browser):
    """清除, ‹ 上一周, the reply numbers on 我的回复 and 数据统计, 回到写回复 on an error page, 「我的回复」
    under a reply marked as sent and the skip link showed the browser's default blue, unlike the green of everything
    else. Every page an agent or a lead opens, signed in and out, now has no link in the browser's colours."""
    (reply_id,) = log_replies(page, engine, "吹风机用了三天就坏了，链接颜色测试", 1)
    generate(page, "买的电热水壶用了两周就不加热了，链接颜色测试")
    page.click("#draft-1 button[type=submit]")
    page.wait_for_selector("#draft-1 .sent .ok a")  # 已记录为已发送 … 「我的回复」
    found = {"/compose (sent)": default_coloured_links(page)}
    pages = ["/replies?show=all", f"/replies/{reply_id}", "/stats", "/triage", "/library", "/users", "/account", "/help"]
    pages += ["/no-such-page", "/replies/999999"]  # the error pages
    for path in pages:
        page.goto(page.base + path)
        found[path] = default_coloured_links(page)
    page.goto(f"{page.base}/triage")
    page.fill("#backlog", "快递一个星期还没到\n客服态度很差")
    page.click("form[action='/triage'] button[type=submit]")
    page.wait_for_selector("table.triage")
    found["/triage (ranked)"] = default_coloured_links(page)
    signed_out = browser.new_context().new_page()
    signed_out.goto(f"{page.base}/login")
    found["/login"] = default_coloured_links(signed_out)
    signed_out.context.close()
    assert {path: links for path, links in found.items() if links} == {}
    assert len(page.evaluate(LINK_COLOURS)) > 0
