"""What the pages say is said in Chinese (``assistant/web/messages.py``): the engine's and the log's English messages
reworded, a form the server cannot read refused in Chinese, error pages that keep the navigation; the JSON API keeps
its English messages."""

import pytest
from bs4 import BeautifulSoup
from helpers import ENGLISH, shown_text, sign_in


def test_the_missing_complaint_column_is_said_in_chinese_by_messages():
    from assistant.web.messages import chinese

    assert chinese("backlog.csv has no complaint column (columns: 备注, 订单号); head it one of: text, 评价内容, 留言") == (
        "文件“backlog.csv”里找不到投诉所在的列（找到的列：备注、订单号）。请把投诉那一列的表头改成其中一个再上传："
        "text、评价内容、留言。"
    )
    assert "（找到的列：没有）" in chinese("b.csv has no complaint column (columns: none); head it one of: text")


def test_a_form_the_server_cannot_read_is_refused_in_chinese_on_a_page_and_in_json_on_the_api(site):
    """Whatever Starlette refuses before a route runs reaches a page as the Chinese error page (REVIEW11 #9)."""
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    broken = {"Content-Type": "multipart/form-data", "X-CSRF-Token": csrf}  # no boundary
    page = client.post("/triage", content=b"text=x", headers=broken)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "提交的表单格式不对" in shown_text(page.text) and not ENGLISH.search(shown_text(page.text))
    fields = "&".join(f"f{n}=x" for n in range(1001))
    many = client.post("/triage", content=fields.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 400 and "表单的项目太多（最多 1000 项）" in shown_text(many.text)
    token = {"Authorization": f"Bearer {users['小林'].token}"}
    api = client.post("/api/v1/outcomes/import", content=b"text=x", headers={**broken, **token})
    assert api.headers["content-type"].startswith("application/json")


def test_page_messages_are_chinese_and_error_pages_keep_the_navigation(site):
    client, _, users = site
    csrf = sign_in(client, "组长", users["组长"].password)
    empty = client.post("/compose/suggest", data={"text": " ", "platform": "taobao"}, headers={"X-CSRF-Token": csrf})
    assert "投诉内容是空的" in empty.text and "complaint" not in empty.text
    bad_week = client.get("/stats", params={"week": "2026-47"})
    assert bad_week.status_code == 400 and "2026-W47" in bad_week.text
    assert not ENGLISH.search(shown_text(bad_week.text))
    assert BeautifulSoup(bad_week.text, "html.parser").select_one("nav a[href='/replies']") is not None
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and BeautifulSoup(missing.text, "html.parser").select_one("nav") is not None

    created = client.post("/users", data={"csrf": csrf, "name": "xiaomei", "role": "agent"})
    assert "（客服）" in created.text and "(agent)" not in created.text and "（agent）" not in created.text
    again = client.post("/users", data={"csrf": csrf, "name": "xiaomei", "role": "agent"})
    assert again.status_code == 400
    assert "用户名“xiaomei”已经有人用了" in again.text and "already exists" not in again.text
    assert not ENGLISH.search(shown_text(again.text))
    for twin in ("XiaoMei", "ｘｉａｏｍｅｉ"):  # one sign-in limit, one name to everyone reading the list
        refused = client.post("/users", data={"csrf": csrf, "name": twin, "role": "agent"})
        assert refused.status_code == 400 and "只差大小写" in refused.text and "differs" not in refused.text


def test_the_api_keeps_its_english_messages(site):
    client, _, users = site
    response = client.post("/api/v1/suggest", json={"text": " "}, headers={"Authorization": f"Bearer {users['小林'].token}"})
    assert response.status_code in (400, 422) and "empty" in response.text


@pytest.mark.parametrize(
    "english,expected",
    [
        ("complaint text is empty", "投诉内容是空的"),
        ("complaint text is 6000 characters; the limit is 5000", "6000 个字"),
        ("week must look like 2026-W47 (an ISO week of 2000-2099), not '2026-47'", "2026-W47"),
        ("user 'xiaomei' already exists", "“xiaomei”"),
        ("something we never said", "something we never said"),
    ],
)
def test_known_messages_have_a_chinese_wording(english, expected):
    from assistant.web.messages import chinese

    assert expected in chinese(english)
