"""The usability pass of session 12 (notes/UX12.md), clicked and typed as an agent or a lead would, in headless Chromium
at laptop sizes. Uses the server and browser of test_browser."""

import test_browser as shared
from playwright.sync_api import expect

pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead
log_rows, log_replies, generate, lines = shared.log_rows, shared.log_replies, shared.generate, shared.lines


def test_the_ranked_backlog_is_on_screen_after_sorting(page):
    """UX12 #3: after 开始分拣 the page came back with the input form filling the first screen; the ranked list's heading
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
