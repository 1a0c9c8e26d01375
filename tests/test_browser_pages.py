"""Issue 13 in headless Chromium at 1366x768: the first draft on screen, 下一条, quick phrases, accounts taking effect
at once, and a screenshot of every page (test-artifacts/, git-ignored). Uses the server and browser of test_browser."""

import re

import pytest
import test_browser as shared
from playwright.sync_api import expect

ARTIFACTS = shared.ARTIFACTS
pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead

COMPLAINT = "买的电热水壶用了两周就不加热了，客服也不回消息，再不处理我就打12315投诉，你们看着办吧"


def generate(page, text=COMPLAINT):
    page.fill("#text", text)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#draft-1 textarea.reply")


EVERY_REASON = (
    "孩子用了这个奶粉过敏住院了，我要投诉到12315，还要发微博曝光你们，赔偿我一万块，"
    "你们客服把我电话号码泄露了，已经第三次找你们了都没解决"
)


@pytest.mark.parametrize("complaint", [COMPLAINT, EVERY_REASON], ids=["one reason", "six reasons"])
def test_the_first_draft_is_fully_visible_without_scrolling(page, complaint):
    ARTIFACTS.mkdir(exist_ok=True)
    generate(page, complaint)
    assert page.evaluate("window.scrollY") == 0
    box = page.locator("#draft-1").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    assert page.locator("#draft-1 code").inner_text().startswith("offline.")  # the banner's invitation, right of the form
    form = page.locator("#compose-form").bounding_box()
    assert form["x"] + form["width"] <= box["x"]  # complaint and fields on one side, the drafts on the other
    page.screenshot(path=str(ARTIFACTS / f"compose-1366x768-{len(page.locator('.banner li').all())}-reasons.png"))


def test_next_clears_the_page_for_the_next_complaint_from_the_keyboard(page):
    page.goto(f"{page.base}/compose?text=" + "快递一个星期还没到")
    page.wait_for_selector("#draft-1")
    page.fill("input[name=customer]", "王女士")
    page.locator("#reply-1").focus()
    page.keyboard.press("Alt+n")
    assert page.input_value("#text") == "" and page.input_value("input[name=customer]") == ""
    assert page.locator("#result form.draft").count() == 0
    assert page.evaluate("document.activeElement.id") == "text"
    assert page.url.endswith("/compose")  # a reload does not bring the old complaint back
    page.keyboard.type("收到的杯子碎了")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#draft-1")
    assert "damaged_delivery" in page.inner_text(".intents")
    page.click("#next-complaint")
    assert page.input_value("#text") == "" and page.locator("#result form.draft").count() == 0


def test_alt_number_copies_a_draft(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    generate(page, "快递一个星期还没到，客服也不回消息，态度很差")  # two causes: two drafts
    page.locator("#text").focus()
    page.keyboard.press("Alt+2")
    expect(page.locator("#draft-2 button.copy")).to_have_text("已复制")  # not wait_for_function: the CSP forbids eval
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#reply-2")


def test_a_quick_phrase_is_inserted_with_slash_and_words(page):
    generate(page, "同一笔订单被扣了两次钱，到现在都没退")
    page.fill("input[name=customer]", "王女士")
    editor = page.locator("#reply-2")
    editor.click()
    page.keyboard.press("Control+End")
    before = editor.input_value()
    page.keyboard.type("/退款")
    page.wait_for_selector("#slash-list li")
    page.screenshot(path=str(ARTIFACTS / "compose-quick-phrase.png"))
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#slash-list li[aria-selected=true]").get_attribute("data-id")
    page.keyboard.press("Enter")
    expect(editor).not_to_have_value(re.compile("/退款"))
    after = editor.input_value()
    inserted = after[len(before) :]
    quoted = re.search(r"“([^”]+)”", inserted)
    assert after.startswith(before) and quoted and quoted.group(1) in "同一笔订单被扣了两次钱，到现在都没退"  # the grievance
    assert inserted.startswith("王女士您好") and "我是组长" in inserted and chosen
    assert page.locator("#slash-list").is_hidden()

    page.fill("#phrase-q", "物流")
    page.wait_for_selector("#phrase-list li")
    title = page.locator("#phrase-list li .title").first.inner_text()
    page.keyboard.press("Enter")  # into the draft edited last (#reply-2)
    expect(page.locator("#phrase-status")).to_contain_text("已插入")
    assert len(editor.input_value()) > len(after) and title


def test_the_library_is_compact_and_inserts_into_a_draft(page):
    page.goto(f"{page.base}/library")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the compact library is {height} px tall"
    page.screenshot(path=str(ARTIFACTS / "library-1366x768.png"), full_page=True)
    group = page.locator("details.library-group").first
    group.locator("summary").click()
    row = group.locator("tr").first
    template_id = row.get_attribute("id").removeprefix("tpl-")
    row.locator("a", has_text="插入").click()
    page.wait_for_url("**/compose?phrase=*")
    page.wait_for_selector(f"#phrase-list li[data-id='{template_id}']")


def test_a_password_reset_and_a_deactivation_take_effect_at_once(page, browser):
    page.goto(f"{page.base}/users")
    page.fill("#new-name", "xiaomei")
    page.fill("#new-display", "小美")
    page.click("form[action='/users'] button[type=submit]")
    password = page.inner_text("#created-password")
    agent = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    agent.goto(f"{page.base}/login")
    agent.fill("#name", "xiaomei")
    agent.fill("#password", password)
    agent.click("button[type=submit]")
    agent.wait_for_url("**/compose")
    generate(agent, "同一笔订单被扣了两次钱，到现在都没退")
    assert "小美" in agent.inner_text(".who") and any("我是小美" in agent.input_value(f"#reply-{n}") for n in (1, 2, 3))

    row = page.locator("tr[data-name='xiaomei']")
    row.locator("button.reset").click()
    new_password = page.inner_text("#reset-password")
    page.screenshot(path=str(ARTIFACTS / "users-1366x768.png"), full_page=True)
    agent.goto(f"{page.base}/replies")
    assert "/login" in agent.url  # signed out at once
    agent.fill("#name", "xiaomei")
    agent.fill("#password", password)
    agent.click("button[type=submit]")
    assert "用户名或密码不对" in agent.inner_text(".alert")
    agent.fill("#name", "xiaomei")
    agent.fill("#password", new_password)
    agent.click("button[type=submit]")
    agent.wait_for_url("**/replies")  # back where the sign-in interrupted

    page.locator("tr[data-name='xiaomei'] button.toggle").click()
    assert "已停用" in page.inner_text("#users-done")
    agent.goto(f"{page.base}/replies")
    assert "/login" in agent.url
    agent.fill("#name", "xiaomei")
    agent.fill("#password", new_password)
    agent.click("button[type=submit]")
    assert "这个账号已经停用" in agent.inner_text(".alert")
    agent.context.close()


def test_an_agent_sets_their_own_password_on_my_account(page, browser):
    page.goto(f"{page.base}/users")
    page.fill("#new-name", "xiaozhou")
    page.click("form[action='/users'] button[type=submit]")
    one_time = page.inner_text("#created-password")
    agent = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    agent.goto(f"{page.base}/login")
    agent.fill("#name", "xiaozhou")
    agent.fill("#password", one_time)
    agent.click("button[type=submit]")
    agent.wait_for_url("**/compose")
    agent.click("nav a[href='/account']")
    agent.wait_for_url("**/account")
    agent.fill("#current", one_time)
    agent.fill("#new", "小周自己的密码123")
    agent.fill("#repeat", "小周自己的密码124")  # a typo: refused, nothing changed
    agent.click("#password-form button[type=submit]")
    assert "两次输入的新密码不一样" in agent.inner_text("#account-error")
    agent.fill("#current", one_time)
    agent.fill("#new", "小周自己的密码123")
    agent.fill("#repeat", "小周自己的密码123")
    agent.click("#password-form button[type=submit]")
    assert "密码已修改" in agent.inner_text("#account-done")
    agent.screenshot(path=str(ARTIFACTS / "account-1366x768.png"), full_page=True)
    agent.click("form.logout button")
    agent.wait_for_url("**/login")
    agent.fill("#name", "xiaozhou")
    agent.fill("#password", one_time)
    agent.click("button[type=submit]")
    assert "用户名或密码不对" in agent.inner_text(".alert")
    agent.fill("#name", "xiaozhou")
    agent.fill("#password", "小周自己的密码123")
    agent.click("button[type=submit]")
    agent.wait_for_url("**/compose")
    agent.context.close()


@pytest.mark.parametrize(
    "path",
    ["/compose", "/triage", "/replies", "/library", "/stats", "/users", "/account", "/help", "/replies/999999", "/no-such-page"],
)
def test_every_page_is_screenshot_at_laptop_size(page, path):
    page.goto(page.base + path)
    assert page.locator("nav a[href='/compose']").count() == 1  # the navigation, on error pages too
    name = re.sub(r"\W+", "-", path.strip("/")) or "root"
    page.screenshot(path=str(ARTIFACTS / f"page-{name}-1366x768.png"), full_page=True)
