import re
from datetime import datetime

import pytest

from assistant.engine.core import History
from assistant.engine.draft import _ranked, deadline_for

RAW = re.compile(r"\{\{|\}\}|\{%")


@pytest.mark.parametrize(
    "text",
    ["快递一个星期还没到", "太差了", "收到的杯子碎了", "订单号 8823991234 的衣服发错颜色了", "The blender broke."],
)
def test_no_raw_placeholder_reaches_a_draft(engine, text):
    for d in engine.suggest(text).drafts:
        assert not RAW.search(d.text)
        assert d.private is None or not RAW.search(d.private)


def test_fields_from_the_complaint_and_the_form_fill_the_draft(engine):
    s = engine.suggest("订单号 8823991234 的吹风机用了三天就坏了", customer="王女士", agent="小林")
    text = s.drafts[0].text
    assert "王女士" in text and "小林" in text  # the form's customer and agent
    assert "吹风机" in text  # the product, from the complaint
    # The order number, from the complaint (a draft about another problem, which once carried it here, is no longer offered).
    assert any("8823991234" in d.text for d in engine.suggest("订单号 8823991234 买了三件只收到两件，少发了一件").drafts)


def test_escalated_complaint_gets_an_offline_invitation_first(engine):
    s = engine.suggest("用了你们的面膜脸过敏了，已经去医院，我要投诉到12315")
    assert s.escalation.escalate
    assert s.drafts[0].intent == "offline"
    assert s.drafts[0].template_id.startswith("offline.safety.")
    assert s.drafts[0].private


def test_text_already_sent_is_not_offered_again(engine):
    first = engine.suggest("快递一个星期还没到")
    again = engine.suggest("快递一个星期还没到", history=History(recent=(first.drafts[0].text,)))
    assert again.drafts[0].text != first.drafts[0].text
    assert again.drafts[0].note


def test_deadline_is_one_the_agent_can_still_keep():
    assert deadline_for(datetime(2026, 11, 23, 9, 0)) == "今天18:00前"
    assert deadline_for(datetime(2026, 11, 23, 21, 0)) == "明天12:00前"


def test_shipped_drafts_are_sincere(engine):
    s = engine.suggest("买的电热水壶用了两周就不加热了，客服一直不回")
    assert all(d.sincerity.score >= 80 for d in s.drafts), [d.sincerity for d in s.drafts]


def _matcher_order(engine, text):
    match = engine.suggest(text).intents[0]
    ordered, _ = _ranked(engine.library, match, {})
    return [t.id for t in ordered]


def test_measured_conversion_reorders_templates_and_says_so(engine):
    best, runner_up = _matcher_order(engine, "快递一个星期还没到")[:2]
    ranked = engine.suggest("快递一个星期还没到", history=History(conversion={best: (4, 60), runner_up: (45, 60)}))
    assert ranked.drafts[0].template_id == runner_up
    assert "转化率" in ranked.drafts[0].note


def test_little_data_moves_the_order_little(engine):
    best, runner_up = _matcher_order(engine, "快递一个星期还没到")[:2]
    s = engine.suggest("快递一个星期还没到", history=History(conversion={best: (0, 2), runner_up: (2, 2)}))
    assert s.drafts[0].template_id == best and s.drafts[0].note is None


def test_redacted_earlier_text_still_counts_as_sent(engine):
    first = engine.suggest("订单 88239912345 快递一个星期还没到").drafts[0]
    redacted = first.text.replace("88239912345", "[订单号]")
    again = engine.suggest("订单 88239912345 快递一个星期还没到", history=History(recent=(redacted,)))
    assert again.drafts[0].template_id != first.template_id


def test_the_product_field_fills_every_draft_that_names_the_problem(engine):
    """Issue 12: the 商品 field was never used by templates without {{ product }}; the problem phrase carries it."""
    s = engine.suggest("快递一个星期还没到，物流一直不动", product="空气炸锅")
    assert s.drafts and all("空气炸锅" in d.text for d in s.drafts)
    assert "空气炸锅“快递一个星期还没到" in s.drafts[0].text or "空气炸锅的" in s.drafts[0].text


def test_a_product_named_in_the_complaint_fills_the_draft_without_repeating_itself(engine):
    s = engine.suggest("买的电热水壶用了两周就不加热了")
    assert "电热水壶" in s.drafts[0].text
    assert "电热水壶“买的电热水壶" not in s.drafts[0].text  # the quote already names it


def test_a_further_draft_about_a_problem_the_complaint_does_not_raise_is_not_offered(engine):
    """Issue 12: a kettle that stopped heating once got a safety draft, a hair dryer an expired-food one."""
    assert [d.intent for d in engine.suggest("订单号 8823991234 的吹风机用了三天就坏了").drafts] == ["quality_defect"]
    assert "expired_spoiled" not in [d.intent for d in engine.suggest("太失望了", product="空气炸锅").drafts]
