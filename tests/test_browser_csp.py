"""The pages work under the strict Content-Security-Policy (issue 14 item 7), in headless Chromium against a real serve.

Every response carries the policy; the draft, replies and statistics pages are used the way an agent and a lead use
them (verdict panel, refused posts, outcomes, charts) while the browser reports any CSP violation.
"""

import pytest

from tests.test_browser import CHROMIUM, browser, server  # noqa: F401  # fixtures shared with the browser tests

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not found")

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
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
    page.fill("#name", "lead")
    page.fill("#password", password)
    page.click("button[type=submit]")
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
