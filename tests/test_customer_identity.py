"""Issue 13 item 2: the salutation (顾客称呼, "王女士") only addresses the customer; a returning customer is recognised
by the platform's buyer nickname or ID and the order number, both kept only as keyed hashes."""

import json

import pytest
from bs4 import BeautifulSoup
from helpers import sign_in

from assistant.log.auth import add_user
from assistant.log.redact import keyed_hash

FIRST = "快递还没到"
AGAIN = "快递还是没到，太气人了"


@pytest.fixture
def site(make_client):
    client, db = make_client()
    users = {name: add_user(db, name, "agent") for name in ("小林", "小美")}
    return client, db, users


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {user.token}"}


def log_api(client, user, **fields) -> int:
    body = {"complaint": FIRST, "sent_text": "您好，今天18:00前回电说明物流进度。", "platform": "taobao", **fields}
    response = client.post("/api/v1/replies", json=body, headers=bearer(user))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def reasons(client, user, **fields) -> list[str]:
    response = client.post("/api/v1/suggest", json={"text": AGAIN, "platform": "taobao", **fields}, headers=bearer(user))
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["escalation"]["reasons"]]


def test_two_buyers_both_called_wang_nvshi_are_not_linked(site):
    client, _, users = site
    log_api(client, users["小林"], customer="王女士", buyer_id="tb_buyer_1")
    assert "repeat_unresolved" not in reasons(client, users["小美"], customer="王女士", buyer_id="tb_buyer_2")
    assert "repeat_unresolved" not in reasons(client, users["小美"], customer="王女士")


def test_the_same_buyer_nickname_is_linked_whatever_the_salutation(site):
    client, _, users = site
    log_api(client, users["小林"], customer="王女士", buyer_id="tb_buyer_1")
    assert "repeat_unresolved" in reasons(client, users["小美"], customer="王小姐", buyer_id=" TB_buyer_1 ")
    assert "repeat_unresolved" in reasons(client, users["小美"], buyer_id="tb_buyer_1")


def test_the_order_number_still_links(site):
    client, _, users = site
    log_api(client, users["小林"], customer="王女士", order_id="88239912345")
    assert "repeat_unresolved" in reasons(client, users["小美"], order_id="88239912345")


def test_an_order_number_typed_in_the_complaint_links_as_the_order_field_does(site):
    """Agents paste the complaint and often leave 订单号 empty, while the customer writes the order number in each
    complaint: the number in the text finds the earlier reply, as the field would. Another order's does not."""
    client, db, users = site
    reply_id = log_api(client, users["小林"], complaint="订单号 88239912345 快递还没到")
    assert db["replies"].get(reply_id)["order_ref"] == keyed_hash("88239912345", client.app.state.key)
    again = {"text": "订单号88239912345，快递还是没到，太气人了", "platform": "taobao"}
    found = client.post("/api/v1/suggest", json=again, headers=bearer(users["小美"])).json()["escalation"]["reasons"]
    assert "repeat_unresolved" in [r["id"] for r in found]
    other = {**again, "text": "订单号88239900000，快递还是没到，太气人了"}
    found = client.post("/api/v1/suggest", json=other, headers=bearer(users["小美"])).json()["escalation"]["reasons"]
    assert "repeat_unresolved" not in [r["id"] for r in found]


def test_the_log_keeps_the_buyer_as_a_keyed_hash_and_not_the_salutation(site):
    client, db, users = site
    reply_id = log_api(client, users["小林"], customer="王女士", buyer_id="tb_buyer_1")
    row = db["replies"].get(reply_id)
    key = client.app.state.key
    assert row["customer_ref"] == keyed_hash("tb_buyer_1", key) != keyed_hash("王女士", key)
    assert "tb_buyer_1" not in json.dumps(row, ensure_ascii=False)
    bare = db["replies"].get(log_api(client, users["小林"], customer="王女士"))
    assert bare["customer_ref"] is None


def test_the_draft_page_has_a_buyer_field_and_links_only_by_it(site):
    client, db, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    page = BeautifulSoup(client.get("/compose").text, "html.parser")
    assert page.select_one("input[name=buyer_id]") is not None and page.select_one("input[name=customer]") is not None
    log_api(client, users["小美"], customer="王女士", buyer_id="jd_9527")

    def suggest(**fields):
        data = {"text": AGAIN, "platform": "taobao", **fields}
        response = client.post("/compose/suggest", data=data, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 200
        return BeautifulSoup(response.text, "html.parser")

    other = suggest(customer="王女士", buyer_id="jd_1234")
    banner = other.select_one(".banner.escalate")
    assert banner is None or "多次未解决" not in banner.text
    assert "好几次" not in " ".join(t.text for t in other.select("textarea.reply"))
    same = suggest(customer="王女士", buyer_id="jd_9527")
    assert "多次未解决" in same.select_one(".banner.escalate").text
    assert same.select_one("#draft-1 input[name=buyer_id]")["value"] == "jd_9527"
