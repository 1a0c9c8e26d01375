"""写回复 in headless Chromium at laptop sizes, used as an agent uses it: the first draft's actions on the first screen, a
quick phrase inserted into a draft with no second greeting, every placeholder whole. Uses the server and browser of
test_browser."""

import re

import test_browser as shared
from playwright.sync_api import expect

pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead
log_rows, log_replies, generate = shared.log_rows, shared.log_replies, shared.generate


ESCALATED = (
    "在你们旗舰店买的破壁机，用了不到一个月电机就烧了，一股焦味，差点起火！联系客服三次都说在处理，到现在没人管。"
    "再不给个说法我就去12315投诉，还要发小红书曝光。"
)


def test_the_first_drafts_actions_are_on_the_first_screen_of_a_small_laptop(page):
    """UX12 #7: at 1024x700, with an escalation banner, draft 1's 复制 and 标记为已发送 were cut off at the bottom of the
    first screen; the agent scrolled for every escalated complaint. Now they are in view without scrolling, at 1366x768
    too, and nothing shown before is gone (reading, banner, the draft's text, its sincerity score)."""
    for width, height in ((1024, 700), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        generate(page, ESCALATED)
        page.evaluate("window.scrollTo(0, 0)")
        expect(page.locator(".banner.escalate")).to_be_visible()
        draft = page.locator("#draft-1")
        for button in (draft.locator("button.copy"), draft.locator("button[type=submit]")):
            box = button.bounding_box()
            assert box["y"] + box["height"] <= height, (width, box)
        for shown in (".reading .intents", ".complaint", ".banner.escalate .action", "#reply-1", "#sincerity-1 .sincerity-score"):
            expect(page.locator(shown).first).to_be_visible()
        text = page.locator("#reply-1").bounding_box()
        assert text["height"] >= 80, text  # the draft keeps room for its lines
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        draft.locator("button.copy").click()  # and they work from there
        expect(draft.locator("button.copy")).to_have_text("已复制")


def test_a_quick_phrase_inserted_into_a_draft_brings_no_second_greeting(page):
    """UX12 #8: a quick phrase inserted in the middle of a draft (/补发, Enter) brought its own 「王女士您好，我是组长。」,
    so the draft greeted twice and the agent deleted it by hand. Into a draft with text it now inserts only the phrase's
    own sentences (by / or the 快捷短语 box); into an empty draft it is still the whole reply, greeting and all."""
    page.goto(f"{page.base}/compose")
    page.fill("#text", "买的吹风机用了三天就坏了，插入短语测试")
    page.fill("input[name=customer]", "王女士")
    page.keyboard.press("Control+Enter")
    editor = page.locator("#reply-1")
    expect(editor).to_have_value(re.compile("王女士您好"))
    draft = editor.input_value()
    cut = draft.index("。") + 1  # after the first sentence
    editor.click()
    editor.evaluate(f"e => e.setSelectionRange({cut}, {cut})")
    page.keyboard.type("/补发")
    page.wait_for_selector("#slash-list li")
    page.keyboard.press("Enter")
    expect(editor).not_to_have_value(re.compile("/补发"))
    after = editor.input_value()
    inserted = after[cut : len(after) - (len(draft) - cut)]
    assert after.startswith(draft[:cut]) and after.endswith(draft[cut:]) and len(inserted) > 10, after
    assert "您好" not in inserted and "我是" not in inserted, inserted
    assert after.count("您好") == draft.count("您好") == 1

    page.fill("#phrase-q", "补发")  # the 快捷短语 box, into the draft edited last
    page.wait_for_selector("#phrase-list li")
    page.keyboard.press("Enter")
    expect(page.locator("#phrase-status")).to_contain_text("已插入")
    assert editor.input_value().count("您好") == 1 and len(editor.input_value()) > len(after)

    empty = page.locator("#reply-2")
    empty.fill("")
    empty.click()
    page.keyboard.type("/补发")
    page.wait_for_selector("#slash-list li")
    page.keyboard.press("Enter")
    expect(empty).to_have_value(re.compile("^王女士您好"))  # a whole reply where there was none


def placeholder_fits(field) -> bool:
    """Whether an input's placeholder fits inside it (measured in the input's own font)."""
    return field.evaluate(
        "f => { const s = getComputedStyle(f); const c = document.createElement('canvas').getContext('2d');"
        " c.font = s.font; const room = f.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);"
        " return c.measureText(f.placeholder).width <= room; }"
    )


def test_every_placeholder_on_the_draft_page_is_whole(page):
    """UX12 #16: 买家昵称/ID's placeholder was cut off (「平台上的买家昵称或I」) at both laptop sizes."""
    for width, height in ((1024, 700), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base}/compose")
        buyer = page.locator("input[name=buyer_id]")
        expect(buyer).to_have_attribute("placeholder", "平台上的买家昵称或ID")
        for field in page.locator("#compose-form input[placeholder]").all():
            assert placeholder_fits(field), (width, field.get_attribute("name"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
