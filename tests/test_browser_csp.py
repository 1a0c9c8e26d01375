"""The pages work under the strict Content-Security-Policy (issue 14 item 7), in headless Chromium against a real serve.

Every response carries the policy; the draft, replies and statistics pages are used the way an agent and a lead use
them (verdict panel, refused posts, outcomes, charts, a draft box resized then drafted again) while the browser reports
any CSP violation.
"""

import pytest
from helpers import sign_in_as

from tests.test_browser import CHROMIUM, browser, server  # noqa: F401  # fixtures shared with the browser tests

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not found")
expect = sync_api.expect

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""
# The element whose inline style was blocked, by its id (WATCH names the blocked URI).
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + (e.target && e.target.id)));
"""


def test_draft_replies_and_stats_pages_work_with_no_csp_violation(browser, server):  # noqa: F811
    base, password, _ = server
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    violations = []

    def collect():
        violations.extend(page.evaluate("window.__violations"))

    response = page.goto(f"{base}/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"
    sign_in_as(page, "lead", password)
    page.wait_for_url("**/compose")

    # The draft page: suggest, pick another intent, tick 需要转线下, a refused post, then one marked as sent.
    page.fill("#text", "买的电热水壶用了两周就不加热了，客服也不回消息，太失望了")
    page.click("#compose-form button[type=submit]")
    page.wait_for_selector("form.draft")
    picks = page.locator(".intents .pick")
    target = picks.nth(picks.count() - 1)
    target.click()
    assert page.input_value("#agent-intent") == target.get_attribute("data-intent")
    assert target.get_attribute("aria-pressed") == "true"
    page.select_option("#agent-intent", "service_attitude")
    assert "changed" in page.get_attribute("#agent-intent", "class")
    page.check("#agent-escalate")
    assert page.is_enabled("#agent-reasons input[value=repeat_unresolved]")
    page.uncheck("#agent-escalate")
    assert not page.is_enabled("#agent-reasons input[value=repeat_unresolved]")
    page.check("#agent-escalate")
    page.click("#draft-1 button[type=submit]")  # escalating without a reason: 400
    page.wait_for_selector("#draft-1 .sent .alert")  # the 400's message is swapped in by app.js
    assert "至少勾选一个原因" in page.inner_text("#draft-1 .sent")
    page.uncheck("#agent-escalate")
    page.fill("#reply-2", page.input_value("#reply-2") + " 有进展我会第一时间告诉您。")
    page.wait_for_timeout(400)  # the live sincerity check (hx-trigger delay)
    page.click("#draft-2 button[type=submit]")
    page.wait_for_selector("#draft-2 .sent .ok")
    collect()

    # 我的回复: an outcome is recorded on the row.
    page.goto(f"{base}/replies")
    row_id = page.locator("table tbody tr").first.get_attribute("id")
    page.locator(f"#{row_id} select[name=result]").select_option("upgraded")
    page.locator(f"#{row_id} button[type=submit]").click()
    page.wait_for_selector(f"#{row_id} .outcome.upgraded")
    # Its 从 field's calendar (flatpickr positions it with inline style properties and may add a rule to app.css).
    page.click("form.filters input[name=since]")
    page.locator(".flatpickr-calendar.open .flatpickr-day.today").click()
    assert page.input_value("form.filters input[name=since]") != ""
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: the calendar is centred (a rule added to app.css)
    page.click("form.filters input[name=until]")
    assert "centerMost" in page.locator(".flatpickr-calendar.open").get_attribute("class")
    page.locator(".flatpickr-calendar.open .flatpickr-day.today").click()
    page.set_viewport_size({"width": 1280, "height": 720})
    collect()

    # The statistics page with its charts.
    stats = page.goto(f"{base}/stats")
    assert stats.headers["cache-control"] == "no-store"
    page.wait_for_selector("#sent")
    collect()
    context.close()
    assert violations == [] and console == [], violations + console


def test_a_resized_draft_box_then_drafting_again_reports_no_csp_violation(browser, server):  # noqa: F811
    """Drafting again made htmx's settle step copy the old draft box's style attribute onto the new
    one with the same id; an agent who had dragged a draft box taller (its resize handle writes its height there) got
    an inline style the Content-Security-Policy blocks and reports. The complaint that got no drafts (English) and the
    ones that did are drafted one after another, with a resized box in between: no violation."""
    base, password, _ = server
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/login")
    sign_in_as(page, "lead", password)
    page.wait_for_url("**/compose")
    page.fill("#text", "The kettle stopped heating after two weeks, very disappointed")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#script-note")).to_contain_text("不是中文")
    for text in ("买的电热水壶用了两周就不加热了，太失望了", "买的电热水壶用了两周就不加热了，太失望了！！"):
        page.fill("#text", text)
        # the second round's old box (already resized) is on the page until the answer swaps in: wait for that answer
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.keyboard.press("Control+Enter")
        page.wait_for_selector("#draft-1 textarea.reply")
        expect(page.locator(".htmx-settling, .htmx-swapping")).to_have_count(0)  # no string eval: the CSP forbids it
        box = page.locator("#reply-1").bounding_box()
        page.mouse.move(box["x"] + box["width"] - 3, box["y"] + box["height"] - 3)  # the resize handle
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 3, box["y"] + box["height"] + 80, steps=5)
        page.mouse.up()
        assert page.locator("#reply-1").bounding_box()["height"] > box["height"] + 40  # the agent made it taller
    page.fill("#text", "Still broken, nobody answered")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#draft-1")).to_have_count(0)
    page.wait_for_timeout(300)
    violations = page.evaluate("window.__violations")
    context.close()
    assert violations == [] and console == [], violations + console
