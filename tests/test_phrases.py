"""Quick phrases on the draft page (issue 13): find templates by words, fill the chosen one from the complaint on the page."""

import pytest
from helpers import sign_in

from assistant.log.auth import add_user


def test_phrases_are_found_by_words_with_a_title_and_a_first_line(make_client):
    client, db = make_client()
    user = add_user(db, "xiaolin", "agent")
    sign_in(client, "xiaolin", user.password)
    phrases = client.get("/compose/phrases", params={"q": "退款"}).json()["phrases"]
    assert 1 <= len(phrases) <= 8
    assert all(p["title"] and p["first_line"] and "您好，我是" not in p["first_line"] for p in phrases)
    assert any("退款" in p["title"] for p in phrases[:3])
    both = client.get("/compose/phrases", params={"q": "退款 拒绝"}).json()["phrases"]
    assert both and len(both) < len(phrases)
    assert client.get("/compose/phrases", params={"q": "完全不存在的词组合"}).json()["phrases"] == []


def test_a_phrase_is_filled_from_the_complaint_and_signed_with_the_display_name(make_client):
    client, db = make_client()
    user = add_user(db, "xiaolin", "agent", display_name="小林")
    csrf = sign_in(client, "xiaolin", user.password)
    template_id = client.get("/compose/phrases", params={"q": "double_charge"}).json()["phrases"][0]["id"]
    data = {"template_id": template_id, "complaint": "同一笔订单被扣了两次钱，到现在都没退", "customer": "王女士"}
    filled = client.post("/compose/phrase", data=data, headers={"X-CSRF-Token": csrf})
    assert filled.status_code == 200
    text = filled.json()["text"]
    assert text.startswith("王女士您好") and "我是小林" in text and "“同一笔订单被扣了两次钱”" in text
    assert "{{" not in text and "xiaolin" not in text

    unknown = client.post("/compose/phrase", data={**data, "template_id": "no.such"}, headers={"X-CSRF-Token": csrf})
    assert unknown.status_code == 404 and "没有这个模板" in unknown.json()["detail"]
    assert client.post("/compose/phrase", data=data).status_code == 403  # no CSRF token
    assert db.execute("select count(*) from replies").fetchone() == (0,)  # a phrase logs nothing


def test_a_thank_you_picked_as_a_quick_phrase_quotes_the_praise_not_a_problem(engine):
    """模板库's preview and the quick phrase of the thank-you read 「您提到的这个问题」 for a customer's praise."""
    text = engine.fill("other.praise", "东西很好用，物流也快，谢谢")
    assert "“东西很好用”" in text and "问题" not in text
    assert "问题" not in engine.previews["other.praise"][0]


def test_a_quick_phrase_for_a_traditional_complaint_is_in_its_script_and_quotes_it_as_written(make_client):
    """A reply in 繁體 with one phrase in 简体 is a mixed-script reply, and it would misquote the customer."""
    client, db = make_client()
    user = add_user(db, "小林", "agent")
    csrf = sign_in(client, "小林", user.password)
    complaint = "我買的電熱水壺用了兩週就壞了，客服也不回覆訊息，太讓人失望了"
    template_id = client.get("/compose/phrases", params={"q": "quality_defect"}).json()["phrases"][0]["id"]
    filled = client.post(
        "/compose/phrase", data={"template_id": template_id, "complaint": complaint}, headers={"X-CSRF-Token": csrf}
    )
    text = filled.json()["text"]
    assert "“買的電熱水壺用了兩週就壞了”" in text and "这" not in text and "這" in text


@pytest.mark.parametrize(
    "filled,phrase",
    [
        ("王女士您好，我是小林。东西明天补发给您。", "东西明天补发给您。"),
        ("您好，物流这么慢，您说的物流问题，我是小林，现在就去查件。", "物流这么慢，您说的物流问题，现在就去查件。"),
    ],
)
def test_a_phrase_for_a_draft_with_text_leaves_out_the_greeting_and_who_writes(filled, phrase):
    """Inserted into a draft, a phrase brought a second 「您好，我是小林。」."""
    from assistant.replying import phrase_only

    assert phrase_only(filled, "小林") == phrase
