"""The HTML pages through the in-process client: access rules, CSRF, escaping, templates used."""

import re

import pytest
from bs4 import BeautifulSoup

from assistant.auth import add_user
from helpers import sign_in

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>快递一个星期还没到"


@pytest.fixture
def site(make_client):
    client, db = make_client()
    users = {name: add_user(db, name, role) for name, role in [("小林", "agent"), ("小周", "agent"), ("组长", "lead")]}
    return client, db, users


def test_pages_need_a_session(site):
    client, *_ = site
    response = client.get("/compose", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/compose"


def test_compose_renders_suggestion_partial_with_escaped_text(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    response = client.post("/compose/suggest", data={"text": XSS, "platform": "taobao"}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.template.name == "_suggestion.html"
    assert "<script>alert(1)</script>" not in response.text and "&lt;script&gt;" in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("img") is None and len(soup.select("form.draft")) >= 1
    assert soup.select_one(".intent code").text == "logistics_delay"


def test_a_form_post_without_a_valid_csrf_token_is_refused(site):
    client, _, users = site
    sign_in(client, "小林", users["小林"].password)
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        response = client.post("/compose/suggest", data={"text": "快递太慢"}, headers=headers)
        assert response.status_code == 403
        assert "CSRF" in response.text


def test_login_attempts_are_rate_limited(site):
    client, _, users = site
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    statuses = [client.post("/login", data={"name": "小林", "password": "wrong", "csrf": csrf}).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]


def test_an_agent_requesting_another_agents_reply_gets_404(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    client.post("/compose/sent", data={"complaint": XSS, "sent_text": "您好，今天18:00前回电说明物流进度。", "platform": "jd"}, headers={"X-CSRF-Token": csrf})
    mine = client.get("/replies")
    assert "&lt;script&gt;" in mine.text and "<script>alert(1)" not in mine.text
    client.cookies.clear()
    csrf = sign_in(client, "小周", users["小周"].password)
    assert client.get("/replies/1").status_code == 404
    assert client.post("/replies/1/outcome", data={"result": "upgraded"}, headers={"X-CSRF-Token": csrf}).status_code == 404
    assert "快递一个星期" not in client.get("/replies?show=all").text


def test_an_agent_calling_an_export_route_gets_403(site):
    client, _, users = site
    sign_in(client, "小林", users["小林"].password)
    assert client.get("/stats/export", params={"week": "2026-W47", "format": "csv"}).status_code == 403
    assert client.get("/stats").status_code == 403
    api = client.get("/api/v1/export", params={"week": "2026-W47"}, headers={"Authorization": f"Bearer {users['小林'].token}"})
    assert api.status_code == 403


def test_lead_sees_statistics_with_charts_and_escaped_rows(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    client.post("/compose/sent", data={"complaint": XSS, "sent_text": "您好，今天18:00前回电。", "platform": "jd"}, headers={"X-CSRF-Token": csrf})
    client.cookies.clear()
    sign_in(client, "组长", users["组长"].password)
    response = client.get("/stats")
    assert response.template.name == "stats.html"
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("#sent").text == "1"
    assert len(soup.select("figure.chart")) == 5 and len(soup.select("figure.chart svg")) >= 4
    assert soup.find("img") is None and "&lt;script&gt;" in response.text


def test_library_search_is_escaped_and_lists_templates(site):
    client, _, users = site
    sign_in(client, "小林", users["小林"].password)
    response = client.get("/library", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in response.text
    all_templates = client.get("/library")
    assert len(BeautifulSoup(all_templates.text, "html.parser").select("article.template")) >= 100


def test_compose_link_prefills_the_complaint(site):
    client, _, users = site
    sign_in(client, "小林", users["小林"].password)
    response = client.get("/compose", params={"text": "快递太慢了</textarea><script>x</script>"})
    textarea = BeautifulSoup(response.text, "html.parser").select_one("textarea#text")
    assert textarea.text == "快递太慢了</textarea><script>x</script>"


def test_signing_out_revokes_copies_of_the_session_cookie(site):
    client, _, users = site
    csrf = sign_in(client, "小林", users["小林"].password)
    stolen = dict(client.cookies)
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.update(stolen)
    assert client.get("/compose", follow_redirects=False).status_code == 303
