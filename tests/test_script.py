"""Issue 12, Traditional in, Traditional out: a complaint in Traditional characters gets drafts in Traditional
(Taiwan or Hong Kong characters by what the customer used); text that is not Chinese gets a note and no
draft pretending to answer it."""

from datetime import datetime

import opencc
import pytest

from assistant.engine.normalize import FOREIGN, HONG_KONG, SIMPLIFIED, TAIWAN
from assistant.engine.sincerity import check_sincerity

MORNING = datetime(2026, 11, 30, 10, 0)
TO_SIMPLIFIED = opencc.OpenCC("t2s")


def _traditional_only(text: str) -> bool:
    """True when the text carries Traditional characters: one that converting to Simplified changes on its own.

    Character by character: OpenCC's phrase table changes the Simplified 「打坏」 (to 「打坯」) as a whole."""
    return any(TO_SIMPLIFIED.convert(ch) != ch for ch in set(text))


def test_a_taiwan_complaint_gets_taiwan_drafts(engine):
    s = engine.suggest("買的電熱水壺用了兩週就不加熱了，客服一直不回", now=MORNING)
    assert s.normalized.script == TAIWAN and "繁体" in s.note
    assert s.drafts and all(_traditional_only(d.text) for d in s.drafts)
    first = s.drafts[0].text
    assert "電熱水壺" in first and "問題" in first and "问题" not in first
    assert s.to_dict()["script"] == "zh-TW"


def test_a_hong_kong_complaint_gets_hong_kong_characters(engine):
    s = engine.suggest("部電話用咗兩日就壞咗，裏面仲有異響，好嬲", now=MORNING)
    assert s.normalized.script == HONG_KONG and "香港" in s.note
    text = " ".join(d.text for d in s.drafts)
    assert "們" in text and "们" not in text
    assert "説" in text or "裏" in text or "着" in text or "為" in text  # s2hk forms, not s2tw's 說/裡/著


def test_ticks_follow_the_script(engine):
    s = engine.suggest("剛收到的電熱水壺插上電一點反應都沒有，第一次用就壞了", now=MORNING)
    draft = next(d for d in s.drafts if d.ticks)
    (tick,) = draft.ticks
    assert tick.promise in draft.text and _traditional_only(tick.done)


def test_the_sincerity_check_reads_traditional_text(engine):
    s = engine.suggest("買的電熱水壺用了兩週就不加熱了", now=MORNING)
    assert check_sincerity(s.drafts[0].text, "買的電熱水壺用了兩週就不加熱了").score == s.drafts[0].sincerity.score
    hollow = check_sincerity("親，給您帶來不便深表歉意，我們會加強管理，感謝您的理解與支持！")
    assert hollow.score < 40 and any("深表歉意" in f for f in hollow.findings)


def test_chinese_with_latin_product_names_is_chinese(engine):
    assert engine.suggest("iphone充电器坏了", now=MORNING).normalized.script == SIMPLIFIED


def test_simplified_stays_simplified(engine):
    s = engine.suggest("快递一个星期还没到", now=MORNING)
    assert s.normalized.script == SIMPLIFIED and s.note is None
    assert "note" not in s.to_dict()
    assert not any(_traditional_only(d.text) for d in s.drafts)


@pytest.mark.parametrize(
    "text", ["The blender broke after two days, I want a refund.", "Das Paket ist nie angekommen!", "荷物が届きません"]
)
def test_text_that_is_not_chinese_gets_a_chinese_note_and_no_draft(engine, text):
    s = engine.suggest(text, now=MORNING)
    assert s.normalized.script == FOREIGN  # Japanese too: more kana than kanji
    assert s.drafts == ()
    assert "不是中文" in s.note and "回复库只有中文模板" in s.note
    assert s.to_dict()["note"] == s.note


def test_the_page_shows_the_note_for_english_text(make_client):
    from helpers import sign_in

    from assistant.log.auth import add_user

    client, db = make_client()
    csrf = sign_in(client, "小林", add_user(db, "小林", "agent").password)
    html = client.post(
        "/compose/suggest", data={"text": "The blender broke.", "platform": "taobao"}, headers={"X-CSRF-Token": csrf}
    ).text
    assert "回复库只有中文模板" in html and 'class="card draft"' not in html


def test_a_traditional_complaint_with_a_lone_surrogate_in_a_field_still_gets_drafts(engine):
    # A direct caller may pass "\ud800" (JSON decodes it so; the API strips it, the engine must not depend on that).
    drafts = engine.suggest("這個熱水壺質量太差了，用兩天就壞", customer="王\ud800女士").drafts
    assert drafts
    assert all("\ud800" not in d.text for d in drafts)


@pytest.mark.parametrize(
    "text",
    [
        "衣服品質很差",
        "衣服品質很差，洗一次就起毛球了",  # one Traditional-only character (質) in a text of 16
        "冰箱壞了，等配件等了二十天",
    ],
)
def test_a_traditional_complaint_with_one_traditional_character_gets_traditional_drafts(engine, text):
    s = engine.suggest(text, now=MORNING)
    assert s.normalized.script == TAIWAN
    assert s.drafts and all(_traditional_only(d.text) for d in s.drafts)
    assert "问题" not in s.drafts[0].text and "問題" in s.drafts[0].text


@pytest.mark.parametrize("text", ["师傅把墙打坏了", "装空调的师傅把我家墙打坏了，照价赔偿", "打坏了"])
def test_simplified_text_holding_a_character_both_scripts_write_stays_simplified(engine, text):
    """OpenCC's t2s changes 坏 (a Traditional form of 坯): a Simplified complaint holding it is still Simplified."""
    s = engine.suggest(text, now=MORNING)
    assert s.normalized.script == SIMPLIFIED and s.note is None
    assert s.drafts and not any(_traditional_only(d.text) for d in s.drafts)
