"""写回复 in headless Chromium at laptop sizes, used as an agent uses it: the first draft's actions on the first screen, a
quick phrase inserted into a draft with no second greeting, every placeholder whole, an intent the agent corrected
offering that intent's templates in place of the draft (asking before edits are replaced), no order number shown as
evidence, the done-ticks box drawn like the page's other boxes, a vague complaint's draft not called 答非所问. Uses the
server and browser of test_browser."""

import re

import test_browser as shared
from playwright.sync_api import expect

pytestmark = shared.pytestmark  # skipped, with the reason, where Chromium is missing
server, browser, page = shared.server, shared.browser, shared.page  # the same fixtures: a real server, Chromium, a lead
log_rows, generate = shared.log_rows, shared.generate


ESCALATED = (
    "在你们旗舰店买的破壁机，用了不到一个月电机就烧了，一股焦味，差点起火！联系客服三次都说在处理，到现在没人管。"
    "再不给个说法我就去12315投诉，还要发小红书曝光。"
)


def test_the_first_drafts_actions_are_on_the_first_screen_of_a_small_laptop(page):
    """At 1024x700, with an escalation banner, draft 1's 复制 and 标记为已发送 were cut off at the bottom of the
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
    """A quick phrase inserted in the middle of a draft (/补发, Enter) brought its own 「王女士您好，我是组长。」,
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
    """买家昵称/ID's placeholder was cut off (「平台上的买家昵称或I」) at both laptop sizes."""
    for width, height in ((1024, 700), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base}/compose")
        buyer = page.locator("input[name=buyer_id]")
        expect(buyer).to_have_attribute("placeholder", "平台上的买家昵称或ID")
        for field in page.locator("#compose-form input[placeholder]").all():
            assert placeholder_fits(field), (width, field.get_attribute("name"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_correcting_the_intent_offers_that_intents_templates_in_place_of_the_draft(page):
    """The drafts were written for the intent the assistant read; an agent who corrected it (one in four
    complaints) got nothing for the right one and had to guess words for 快捷短语. The verdict panel now lists the
    corrected intent's templates, and 替换草稿 puts one, filled from this complaint, in place of draft 1."""
    generate(page, "快递一个星期还没到，物流信息一直不更新，改判模板测试")
    assert page.input_value("#agent-intent") == "logistics_delay"
    expect(page.locator("#intent-phrases")).to_be_hidden()
    page.select_option("#agent-intent", "quality_defect")  # the agent reads it as a quality problem
    panel = page.locator("#intent-phrases")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("改判为“质量问题”")
    titles = panel.locator("li .title").all_inner_texts()
    assert "使用几周或几个月后出现故障" in titles and not any("物流" in t for t in titles)
    before = page.input_value("#reply-1")
    old_template = page.input_value("#draft-1 input[name=template_id]")
    item = panel.locator("li", has_text="使用几周或几个月后出现故障")
    new_template = item.get_attribute("data-id")
    item.locator("button", has_text="替换草稿").click()
    expect(page.locator("#reply-1")).not_to_have_value(before)
    replaced = page.input_value("#reply-1")
    assert "小林" not in replaced and "组长" in replaced  # signed with the agent's name, filled as drafts are
    expect(panel).to_contain_text("替换草稿 1 的文字")
    assert page.confirms == []  # a draft the agent has not touched is replaced without a question
    expect(page.locator("#draft-1 h3")).to_contain_text("使用几周或几个月后出现故障")
    page.click("#draft-1 button[type=submit]")  # and it is logged with the corrected intent and the new text
    page.wait_for_selector("#draft-1 .sent .ok")
    row = log_rows(page)[-1]
    assert row["agent_intent"] == "quality_defect" and row["sent_text"] == replaced
    # under the template it came from, sent as drafted: it was logged under the rejected logistics template with a
    # 67% edit, crediting that template's conversion with a reply it did not write (REVIEW12B #8)
    assert new_template != old_template and new_template.startswith("quality_defect.")
    assert row["template_id"] == new_template and row["edit_ratio"] == 0 and row["drafted_text"] == replaced

    page.click(".intents .pick[data-intent=logistics_delay]")  # back to the assistant's reading: nothing to offer
    expect(panel).to_be_hidden()


def test_replacing_an_edited_draft_asks_first_and_keeps_the_edits_when_told_to(page):
    """REVIEW12B #10: 替换草稿 threw the agent's edits away without a word (下一条 and regenerating ask). It now asks, in
    Chinese, as they do; 取消 keeps the edited text and says so, 确定 replaces it. A draft that only holds the last
    replacement is replaced without a question."""
    generate(page, "快递一个星期还没到，物流信息一直不更新，替换确认测试")
    page.locator("#reply-1").press("End")
    page.keyboard.type("我自己加的一句话。")
    edited = page.input_value("#reply-1")
    page.select_option("#agent-intent", "quality_defect")
    replace = page.locator("#intent-phrases li").first.locator("button", has_text="替换草稿")
    question = "草稿 1 改过了，还没有标记为已发送。替换草稿会丢掉这些改动，确定吗？"
    # 取消: the fixture's dialog handler says 确定 to every confirm, so this one answer is the page's own confirm, swapped
    page.evaluate("window.realConfirm = window.confirm; window.confirm = (q) => { window.asked = q; return false; }")
    replace.click()
    expect(page.locator("#intent-phrases-note")).to_have_text("没有替换，草稿 1 的改动还在。")
    assert page.input_value("#reply-1") == edited and page.evaluate("window.asked") == question
    page.evaluate("window.confirm = window.realConfirm")

    asked = len(page.confirms)
    replace.click()  # 确定, in the browser's own dialog
    expect(page.locator("#reply-1")).not_to_have_value(edited)
    assert "我自己加的一句话" not in page.input_value("#reply-1") and page.confirms[asked:] == [question]
    page.locator("#intent-phrases li").nth(1).locator("button", has_text="替换草稿").click()  # not edited since: no question
    expect(page.locator("#intent-phrases-note")).to_contain_text("替换草稿 1 的文字")
    assert len(page.confirms) == asked + 1


def test_an_order_number_is_never_shown_as_evidence_for_service_attitude(page):
    """「订单号」 was highlighted as a word matched for 客服态度: the matcher showed every word a complaint
    shares with its closest example (「说了半天，客服还在问我订单号」) and the trained model's strongest n-grams, and nothing
    kept out the words that only name the customer's data or the data itself. Neither the intents' words, the reasons'
    evidence nor the highlights in the complaint show an order number, its name or another number of the customer's."""
    for text in (
        "客服一直不回我，订单号都发给她了还问我要",
        "客服问我要订单号，发了三次了，服务太差",
        "地址上海市浦东新区世纪大道100号，客服问我要订单号，发了三次了",
        "订单号4512345678901234，客服态度很差，一直不回消息",
    ):
        generate(page, text)
        expect(page.locator(".intents .pick").first).to_have_text("客服态度")
        shown = page.locator(".intents mark, .banner mark, blockquote.complaint mark").all_inner_texts()
        assert shown and "客服" in shown, (text, shown)
        assert not [w for w in shown if "单号" in w or "订单" in w or "地址" in w or any(c.isdigit() for c in w)], (text, shown)


def test_the_done_ticks_box_is_drawn_like_the_pages_other_boxes(page):
    """「做完了再勾选，草稿里的承诺会改成已做」 had the browser's grey 2-px groove and a black legend, unlike
    转线下原因 beside it. It is now drawn as that box is: the same thin line, rounded corners, the muted legend."""
    generate(page, "收到的连衣裙颜色和图片差太多了，图片是酒红色，实物偏粉")
    ticks = page.locator("form.draft fieldset.ticks").first
    reasons = page.locator("#agent-reasons")
    style = (
        "el => { const s = getComputedStyle(el);"
        " return [s.borderTopStyle, s.borderTopWidth, s.borderTopColor, s.borderTopLeftRadius]; }"
    )
    assert ticks.evaluate(style) == reasons.evaluate(style)
    legend = "el => getComputedStyle(el.querySelector('legend')).color"
    assert ticks.evaluate(legend) == reasons.evaluate(legend)


def test_a_vague_complaints_draft_that_asks_what_went_wrong_is_not_called_off_topic(page):
    """「太差了，态度一般」 is answered from ``other``, whose reply asks what went wrong; an agent who asks
    「是商品本身、送货，还是服务？」 is not talking about delivery: the badge read 送货 so and showed 答非所问 beside the draft,
    and again after every edit."""
    generate(page, "太差了，态度一般")
    form = page.locator("#draft-1")
    assert form.locator("textarea.reply").input_value().startswith("您好")
    assert "答非所问" not in form.locator(".sincerity-box").inner_text()
    area = form.locator("textarea.reply")
    with page.expect_response("**/compose/sincerity"):
        area.fill(area.input_value() + "是商品本身、送货，还是服务？有问题随时找我。")
    expect(form.locator(".sincerity-box")).not_to_contain_text("答非所问")
