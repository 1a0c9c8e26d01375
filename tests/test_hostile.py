"""Hostile input through the HTTP layer: size limits, malformed bodies and parameters, SQL and template payloads."""

from typing import NamedTuple

import pytest

from assistant.log.auth import add_user


class App(NamedTuple):
    """A client of a fresh app, a lead's auth headers and the app's log."""

    client: object
    lead: dict
    db: object


@pytest.fixture
def app(make_client) -> App:
    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    return App(client, {"Authorization": f"Bearer {lead.token}"}, db)


@pytest.fixture
def client(app):
    return app.client


@pytest.fixture
def lead(app):
    """A lead's auth headers."""
    return app.lead


@pytest.fixture
def db(app):
    """The app's outcome log."""
    return app.db


def test_a_body_over_the_limit_gets_413(client, lead):
    response = client.post(
        "/api/v1/suggest", content=b'{"text": "' + b"a" * 70_000 + b'"}', headers={**lead, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than 65536 bytes"}


def test_a_streamed_body_over_the_limit_gets_413(client, lead):

    def chunks():
        yield b'{"text": "'
        for _ in range(80):
            yield b"a" * 1000
        yield b'"}'

    response = client.post("/api/v1/suggest", content=chunks(), headers={**lead, "Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_page_form_over_the_limit_is_asked_to_be_cut_down_and_an_upload_to_come_in_parts(client):
    """Every page form over the limit was told 「请分批上传」 under the title 文件太大, a reply on 写回复 too (REVIEW11 #10)."""
    reply = client.post("/compose/sent", data={"sent_text": "好" * 30_000})
    assert reply.status_code == 413 and reply.headers["content-type"].startswith("text/html")
    assert "<title>内容太长</title>" in reply.text and "超过了 64 KB 的上限，没有收下。请返回上一页删减后再提交。" in reply.text
    assert "分批上传" not in reply.text
    backlog = client.post("/triage", content=b"x" * (10 * 1024 * 1024 + 1), headers={"Content-Type": "text/plain"})
    assert backlog.status_code == 413 and "<title>文件太大</title>" in backlog.text
    assert "超过了 10 MB 的上限，没有收下。请分批上传。" in backlog.text


@pytest.mark.parametrize("body", [b"{not json", b'{"text": ', b"[]", b'"text"', b'{"text": 5}'])
def test_malformed_json_gets_422(client, lead, body):
    response = client.post("/api/v1/suggest", content=body, headers={**lead, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize("week", ["../../etc/passwd", "2026-W47'; DROP TABLE replies;--", "2026-W99", "%00", "2026-w47"])
def test_malformed_or_path_like_weeks_are_rejected(client, lead, db, week):
    for path in ("/api/v1/stats/weekly", "/api/v1/export"):
        response = client.get(path, params={"week": week}, headers=lead)
        assert response.status_code == 400 and "ISO week" in response.json()["detail"]
    assert db["replies"].exists()


@pytest.mark.parametrize("fmt", ["pdf", "../csv", "csv;rm -rf /"])
def test_unknown_export_formats_are_rejected(client, lead, fmt):
    assert client.get("/api/v1/export", params={"week": "2026-W47", "format": fmt}, headers=lead).status_code == 422


def test_sql_metacharacters_are_stored_as_text(client, lead, db):
    payload = "'); DROP TABLE replies; -- \" OR 1=1"
    reply = client.post(
        "/api/v1/replies",
        # (the salutation is masked wherever it appears in the stored texts, so it is not the payload here)
        json={"complaint": payload, "sent_text": payload + "今天18:00前回电", "platform": payload[:40], "customer": "王女士"},
        headers=lead,
    )
    assert reply.status_code == 201
    row = db["replies"].get(reply.json()["id"])
    assert row["complaint"] == payload and row["platform"] == payload[:40]
    assert db["replies"].count == 1


@pytest.mark.parametrize(
    "payload", ["{{ 7*7 }}", "{{ ''.__class__.__mro__ }}", "{% for x in range(10**9) %}x{% endfor %}", "${7*7}"]
)
def test_template_injection_in_complaint_or_fields_is_inert(client, lead, payload):
    response = client.post(
        "/api/v1/suggest", json={"text": payload + " 快递太慢", "customer": payload, "product": payload}, headers=lead
    )
    assert response.status_code == 200
    drafts = response.json()["drafts"]
    assert drafts
    for draft in drafts:
        rest = draft["text"].replace(payload, "")  # the payload (or a quoted piece of it) may appear as text
        assert "49" not in rest and "<class" not in rest and "xxxxxxxxxx" not in rest  # never its evaluated result


def test_lone_surrogates_in_json_are_dropped_not_a_500(client, lead, db):
    body = (
        b'{"complaint": "\\ud800\\u5feb\\u9012\\u592a\\u6162", '
        b'"sent_text": "\\udfff\\u60a8\\u597d\\uff0c\\u4eca\\u592918:00\\u524d\\u56de\\u7535", "platform": "jd\\ud800"}'
    )
    reply = client.post("/api/v1/replies", content=body, headers={**lead, "Content-Type": "application/json"})
    assert reply.status_code == 201
    row = db["replies"].get(reply.json()["id"])
    assert (row["complaint"], row["platform"]) == ("快递太慢", "jd")
    suggest = client.post(
        "/api/v1/suggest",
        content=b'{"text": "\\ud800\\u5feb\\u9012\\u592a\\u6162"}',
        headers={**lead, "Content-Type": "application/json"},
    )
    assert suggest.status_code == 200
