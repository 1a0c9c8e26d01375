"""写回复 (/compose) through the in-process client: a compose link drafts on load, and the send gate: a reply with a
severe finding or a sincerity of 0 is logged only once the agent confirms it, scored as the live badge beside the draft
scores it."""

import re

import pytest
from bs4 import BeautifulSoup
from helpers import sign_in

INDUCEMENT = "非常抱歉热水壶不加热，我们今天18:00前给您补发一台新的。给个好评返现20元哦"
STOCK = "给您带来不便深表歉意，感谢您的理解与支持"  # scores 0


def test_a_compose_link_generates_drafts_on_load(site):
    client, _, users = site
    sign_in(client, "小林", users["小林"].password)
    form = BeautifulSoup(client.get("/compose", params={"text": "快递太慢了"}).text, "html.parser").select_one("#compose-form")
    assert "load" in form["hx-trigger"]
    form = BeautifulSoup(client.get("/compose").text, "html.parser").select_one("#compose-form")
    assert "load" not in form["hx-trigger"]


def _suggest(client, csrf, text):
    response = client.post("/compose/suggest", data={"text": text, "platform": "taobao"}, headers={"X-CSRF-Token": csrf})
    soup = BeautifulSoup(response.text, "html.parser")
    form = soup.select_one("form.draft")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data["suggestion"] = soup.select_one("#verdict input[name=suggestion]")["value"]
    return data


@pytest.mark.parametrize("reply", [INDUCEMENT, STOCK])
def test_a_severe_or_zero_sincerity_reply_needs_a_confirmation_before_it_is_logged(site, reply):
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    data = {**_suggest(client, csrf, "买的电热水壶用了两周就不加热了"), "sent_text": reply}
    refused = client.post("/compose/sent", data=data, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 400
    soup = BeautifulSoup(refused.text, "html.parser")
    assert soup.select_one("input[type=checkbox][name=confirm_send]") is not None and "仍然发送" in soup.get_text()
    assert ("诱导" in soup.get_text()) if reply == INDUCEMENT else ("0 分" in soup.get_text())
    assert db.execute("select count(*) from replies").fetchone()[0] == 0
    confirmed = client.post("/compose/sent", data={**data, "confirm_send": "1"}, headers={"X-CSRF-Token": csrf})
    assert confirmed.status_code == 200 and "已记录为已发送" in confirmed.text
    assert db.execute("select count(*) from replies").fetchone()[0] == 1


def test_the_send_gate_scores_a_reply_as_the_badge_beside_it_does(site):
    """The badge counted the action the agent ticked as done and the offline template (score 10); the gate did not
    (score 0) and refused it with 「真诚度只有 0 分」."""
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    data = _suggest(client, csrf, "孩子用了这个台灯被电了一下，手都麻了")
    assert data["template_id"].startswith("offline.safety.")
    data |= {"sent_text": "亲，给您带来不便深表歉意，已为您补发了底座。", "done": "已为您补发了底座"}
    badge = client.post("/compose/sincerity", data=data, headers={"X-CSRF-Token": csrf})
    assert re.search(r"真诚度\D*([1-9]\d*)", BeautifulSoup(badge.text, "html.parser").get_text())
    response = client.post("/compose/sent", data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and "已记录为已发送" in response.text
    assert db.execute("select count(*) from replies").fetchone()[0] == 1


def test_a_sincere_reply_is_logged_without_a_confirmation(site):
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    data = _suggest(client, csrf, "买的电热水壶用了两周就不加热了")
    data["sent_text"] = "非常抱歉热水壶用了两周就不加热，我们今天18:00前给您补发一台新的，旧的不用寄回。"
    response = client.post("/compose/sent", data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and "已记录为已发送" in response.text


def test_the_live_badge_scores_an_edit_as_the_draft_was_scored(site):
    """The draft of 「手机相册里有别人的照片」 (a used phone sold as new) was on topic for the assistant, which showed
    假货质疑 first; the live badge, scoring each edit from the complaint's words alone, called it 答非所问 at the first
    keystroke. The form carries the intent shown first, and the badge scores with it."""
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    complaint = {"text": "手机相册里有别人的照片", "platform": "taobao"}
    page = client.post("/compose/suggest", data=complaint, headers={"X-CSRF-Token": csrf})
    form = BeautifulSoup(page.text, "html.parser").select_one("form.draft")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    assert data["recognised"] == "counterfeit"
    edited = form.select_one("textarea[name=sent_text]").get_text() + "有问题随时找我。"
    badge = client.post("/compose/sincerity", data={**data, "sent_text": edited}, headers={"X-CSRF-Token": csrf})
    assert badge.status_code == 200 and "答非所问" not in badge.text, badge.text
    without = {k: v for k, v in data.items() if k != "recognised"}
    badge = client.post("/compose/sincerity", data={**without, "sent_text": edited}, headers={"X-CSRF-Token": csrf})
    assert "答非所问" in badge.text  # what it said before: the words alone
