import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from helpers import SHANGHAI
from openpyxl import load_workbook

from assistant.log.auth import add_user
from assistant.log.stats import iso_week
from assistant.taxonomy import DIMENSION_LABELS, FIGURE_LABELS, INTENTS, PLATFORMS


@dataclass(frozen=True)
class Api:
    """A client of a fresh app, an agent's and a lead's auth headers, and the app's log."""

    client: object
    agent: dict
    lead: dict
    db: object


@pytest.fixture
def api(make_client) -> Api:
    client, db = make_client()
    agent = add_user(db, "小林", "agent")
    lead = add_user(db, "组长", "lead")
    return Api(client, {"Authorization": f"Bearer {agent.token}"}, {"Authorization": f"Bearer {lead.token}"}, db)


@pytest.fixture
def client(api):
    return api.client


@pytest.fixture
def agent(api):
    """An agent's auth headers."""
    return api.agent


@pytest.fixture
def lead(api):
    """A lead's auth headers."""
    return api.lead


@pytest.fixture
def db(api):
    """The app's outcome log (this module's tests read what the API wrote)."""
    return api.db


THIS_WEEK = iso_week(datetime.now(UTC), SHANGHAI)


def test_healthz_is_open(client):
    assert client.get("/healthz").json() == {"status": "ok", "library_version": 0}


@pytest.mark.parametrize("headers,message", [({}, "missing API token"), ({"Authorization": "Bearer nope"}, "invalid API token")])
def test_api_needs_a_token(client, headers, message):
    response = client.post("/api/v1/suggest", json={"text": "快递太慢"}, headers=headers)
    assert response.status_code == 401
    assert message in response.json()["detail"]


def test_suggest_returns_the_cli_contract(client, agent):
    response = client.post(
        "/api/v1/suggest", json={"text": "快递三天了还没到，客服也不回消息！", "platform": "taobao"}, headers=agent
    )
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"kind", "intents", "escalation", "drafts"}
    assert data["intents"][0]["id"] == "logistics_delay"


@pytest.mark.parametrize(
    "body,status,detail",
    [
        ({"text": "   "}, 400, "complaint text is empty"),
        ({"text": "差" * 5001}, 400, "complaint text is 5001 characters; the limit is 5000"),
    ],
)
def test_bad_complaints_get_a_clear_400(client, agent, body, status, detail):
    response = client.post("/api/v1/suggest", json=body, headers=agent)
    assert response.status_code == status
    assert response.json()["detail"] == detail


def test_log_reply_then_outcome_then_weekly_stats(client, agent, lead, db):
    sent = client.post(
        "/api/v1/replies",
        json={
            "complaint": "快递一个星期还没到，电话13812345678",
            "sent_text": "您好，今天18:00前给您回电说明物流进度。",
            "platform": "taobao",
            "rating": 1,
        },
        headers=agent,
    )
    assert sent.status_code == 201
    reply_id = sent.json()["id"]
    assert "13812345678" not in db["replies"].get(reply_id)["complaint"]
    # a JSON number with a zero fraction is a whole number of stars (REVIEW11B #5: 5.0 was refused)
    outcome = client.post(f"/api/v1/replies/{reply_id}/outcome", json={"result": "upgraded", "rating_after": 5.0}, headers=agent)
    assert outcome.status_code == 201 and db["replies"].get(reply_id)["rating_after"] == 5
    stats = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=lead).json()
    assert (stats["sent"], stats["known"], stats["converted"], stats["conversion"]["rate"]) == (1, 1, 1, 1.0)
    assert stats["by_agent"][0]["key"] == "小林"


INDUCING = "亲，麻烦把差评改成好评，改好后返现5元红包给您"


HOLLOW = "亲，非常抱歉给您带来不便，我们会尽快处理的，请您耐心等待，感谢您的理解与支持"


def test_a_hollow_or_review_inducing_reply_is_logged_flagged_with_its_warnings(client, agent, lead, db):
    """The API logs replies already sent on the platform: 78d99c8 refused a hollow or review-inducing one with 422
    unless confirm_send was true, so existing clients dropped exactly the worst replies and the weekly figures were
    computed over the better ones (REVIEW12B #9). It is logged (201, counted), flagged in the log (sent_despite) and
    the answer's warnings name its problems; confirm_send null is false, not a 422."""
    body = {"complaint": "收到的杯子是碎的，差评", "sent_text": INDUCING, "platform": "taobao"}
    logged = client.post("/api/v1/replies", json=body, headers=agent)
    assert logged.status_code == 201
    warnings = logged.json()["warnings"]
    assert warnings[0] == "真诚度只有 0 分" and "诱导顾客改评" in warnings[1]
    row = db["replies"].get(logged.json()["id"])
    assert row["sincerity"] == 0 and json.loads(row["sent_despite"]) == warnings
    hollow = client.post(
        "/api/v1/replies", json={"complaint": "快递一个星期还没到", "sent_text": HOLLOW, "platform": "jd"}, headers=agent
    )
    assert hollow.status_code == 201 and hollow.json()["warnings"] == ["真诚度只有 0 分"]
    for flag in (None, False, True):
        again = client.post("/api/v1/replies", json={**body, "confirm_send": flag}, headers=agent)
        assert again.status_code == 201 and again.json()["warnings"] == warnings
    sincere = {**body, "sent_text": "您好，杯子碎了是我们包装没做好，今天18:00前给您补发一个新的，碎的不用寄回。"}
    fine = client.post("/api/v1/replies", json=sincere, headers=agent)
    assert fine.status_code == 201 and fine.json()["warnings"] == []
    assert db["replies"].get(fine.json()["id"])["sent_despite"] is None
    stats = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=lead).json()
    assert stats["sent"] == 6  # every reply sent is counted, the worst ones too


def test_a_hollow_reply_is_retried_and_its_verdict_corrected_with_its_key_as_any_other(client, agent, db):
    """78d99c8 checked the reply before the idempotency key: a retry of a reply logged with confirm_send, sent again
    without it, and a verdict correction under the same key answered 422 instead of the replay or update (REVIEW12B #9)."""
    body = {"complaint": "快递一个星期还没到，差评", "sent_text": HOLLOW, "platform": "taobao", "idempotency_key": "hollow-1"}
    first = client.post("/api/v1/replies", json={**body, "confirm_send": True}, headers=agent)
    assert first.status_code == 201
    retry = client.post("/api/v1/replies", json=body, headers=agent)
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    corrected = client.post("/api/v1/replies", json={**body, "agent_intent": "logistics_delay"}, headers=agent)
    assert corrected.status_code == 201 and corrected.headers["Idempotent-Replayed"] == "updated"
    assert corrected.json() == {"id": first.json()["id"], "warnings": ["真诚度只有 0 分"]}
    assert db["replies"].get(first.json()["id"])["agent_intent"] == "logistics_delay" and db["replies"].count == 1


def test_outcome_for_a_missing_reply_is_404_and_bad_result_is_422(client, agent):
    assert client.post("/api/v1/replies/999/outcome", json={"result": "upgraded"}, headers=agent).json() == {
        "detail": "reply 999 not found"
    }
    assert client.post("/api/v1/replies/999/outcome", json={"result": "great"}, headers=agent).status_code == 422


def test_statistics_are_for_leads(client, agent):
    response = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=agent)
    assert response.status_code == 403
    assert response.json() == {"detail": "this needs a lead account"}


def test_bad_week_is_a_400(client, lead):
    response = client.get("/api/v1/stats/weekly", params={"week": "2026-47"}, headers=lead)
    assert response.status_code == 400 and "ISO week" in response.json()["detail"]


def _log_some(client, agent):
    for text, result in [("快递一个星期还没到", "upgraded"), ("收到的杯子碎了", "unchanged"), ("发票一直没给开", None)]:
        reply_id = client.post(
            "/api/v1/replies",
            json={"complaint": text, "sent_text": "您好，今天18:00前处理好并回电。", "platform": "jd"},
            headers=agent,
        ).json()["id"]
        if result:
            client.post(f"/api/v1/replies/{reply_id}/outcome", json={"result": result}, headers=agent)


def test_a_platform_given_by_its_name_counts_as_that_platform_in_the_statistics(client, agent, lead):
    """A script sending 「京东」, "JD" or " jd " logs the platform the draft page calls 京东; an unknown one is kept."""
    for platform in ["京东", "JD", " jd ", "天猫", "快手"]:
        body = {"complaint": "快递一个星期还没到", "sent_text": "您好，今天18:00前查清物流并回电。", "platform": platform}
        assert client.post("/api/v1/replies", json=body, headers=agent).status_code == 201
    stats = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=lead).json()
    assert {r["key"]: r["sent"] for r in stats["by_platform"]} == {"jd": 3, "taobao": 1, "快手": 1}


def test_csv_export_has_a_bom_and_chinese_intact(client, agent, lead):
    _log_some(client, agent)
    response = client.get("/api/v1/export", params={"week": THIS_WEEK, "format": "csv", "table": "rows"}, headers=lead)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0]["complaint"] == "快递一个星期还没到" and rows[0]["agent"] == "小林"


def test_a_week_without_outcomes_has_no_rate_in_the_api_nor_in_its_exports(client, agent, lead):
    """The export left the rate blank while the API said 0.0 for the same week: a script reported 0% (review 10 #11)."""
    sent = {"complaint": "发票一直没给开", "sent_text": "您好，今天开好发票。", "platform": "jd"}
    assert client.post("/api/v1/replies", json=sent, headers=agent).status_code == 201
    stats = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=lead).json()
    assert (stats["sent"], stats["known"], stats["conversion"]) == (1, 0, {"rate": None, "low": None, "high": None})
    assert {(r["rate"], r["low"], r["high"]) for rows in ("by_template", "by_intent") for r in stats[rows]} == {(None,) * 3}
    response = client.get("/api/v1/export", params={"week": THIS_WEEK, "format": "csv"}, headers=lead)
    summary = next(r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))) if r["table"] == "summary")
    assert (summary["sent"], summary["rate"], summary["low"], summary["high"]) == ("1", "", "", "")
    response = client.get("/api/v1/export", params={"week": THIS_WEEK, "format": "xlsx"}, headers=lead)
    rows = dict(load_workbook(io.BytesIO(response.content), read_only=True)["汇总"].iter_rows(min_row=2, values_only=True))
    assert [rows[FIGURE_LABELS[c]] for c in ("rate", "low", "high")] == [None, None, None]


def test_xlsx_sheets_hold_the_numbers_of_the_stats_api(client, agent, lead, engine):
    _log_some(client, agent)
    stats = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=lead).json()
    response = client.get("/api/v1/export", params={"week": THIS_WEEK, "format": "xlsx"}, headers=lead)
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["汇总", "助手判断被采纳率", "按模板", "按问题类型", "按客服", "按平台", "回复明细"]
    ids = {label: column for column, label in {**FIGURE_LABELS, **DIMENSION_LABELS}.items()}  # Chinese headers back to ids
    ids["模板"] = ids["问题类型"] = ids["客服"] = ids["平台"] = "key"
    ids["用户名"] = "login"
    summary = {ids[row[0]]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    for field in ("sent", "known", "pending", "converted", "upgraded", "positive_followup", "deleted"):
        assert summary[field] == stats[field]
    assert (summary["rate"], summary["low"], summary["high"]) == (
        stats["conversion"]["rate"],
        stats["conversion"]["low"],
        stats["conversion"]["high"],
    )
    blank = {"rate": None, "low": None, "high": None}  # a group without outcomes has no rate: an empty cell, not 0
    for sheet, key, names in [
        ("按模板", "by_template", engine.library.situations),  # the workbook says what the page says: Chinese names
        ("按问题类型", "by_intent", INTENTS),
        ("按客服", "by_agent", {}),
        ("按平台", "by_platform", PLATFORMS),
    ]:
        rows = list(book[sheet].iter_rows(values_only=True))
        header, body = [ids[h] for h in rows[0]], rows[1:]
        login = sheet == "按客服"  # an agent's login name has a column of its own
        expected = [
            {
                **r,
                "key": names.get(r["key"], r["key"]),
                **({"login": r["key"]} if login else {}),
                **(blank if not r["known"] else {}),
            }
            for r in stats[key]
        ]
        assert [dict(zip(header, r)) for r in body] == expected
    rows = list(book["回复明细"].iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "发送时间（本地时间）", "周", "客服") and len(rows) == 4
    detail = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert all(r["问题类型"] in INTENTS.values() and r["平台"] in PLATFORMS.values() for r in detail)
    assert all(r["转线下"] in ("是", "否") for r in detail)
    assert not any(re.fullmatch(r"[a-z_.]+", str(r["模板"])) for r in detail)


def test_import_api_is_all_or_nothing(client, agent, lead, db):
    _log_some(client, agent)
    response = client.post("/api/v1/outcomes/import", content=b"reply_id,result\n1,upgraded\n2,nope\n", headers=lead)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("line 3: result 'nope'")
    assert db["outcomes"].count == 2  # the two recorded through the API before, nothing from the import


def test_import_api_reads_a_csv_saved_by_excel_on_a_chinese_windows(client, agent, lead, db):
    _log_some(client, agent)
    body = "reply_id,result,note\n1,upgraded,客户追评说谢谢\n".encode("gbk")
    response = client.post("/api/v1/outcomes/import", content=body, headers=lead)
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 1, "unchanged": 0, "skipped": []}
    assert "客户追评说谢谢" in [r["note"] for r in db["outcomes"].rows]
    refused = client.post("/api/v1/outcomes/import", content=b"\xff\xfe\xffreply_id\x00\x81", headers=lead)
    assert refused.status_code == 400 and "not UTF-8, UTF-16 or GBK" in refused.json()["detail"]


def test_import_api_keeps_an_outcome_recorded_after_the_sheet_was_downloaded_and_records_nothing_twice(client, agent, lead, db):
    """Review 15 #1: a stale sheet wrote over the newer outcome, and the same sheet twice doubled the history."""
    _log_some(client, agent)  # replies 1 (upgraded), 2 (unchanged), 3 (no outcome)
    body = "编号,当前结果,结果\n1,已改好评,已删差评\n3,,没有变化\n".encode()  # as downloaded: 1 was 已改好评
    client.post("/api/v1/replies/1/outcome", json={"result": "escalated_further"}, headers=agent)  # changed since
    response = client.post("/api/v1/outcomes/import", content=body, headers=lead)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "imported": 1,
        "unchanged": 0,
        "skipped": [
            {
                "line": 2,
                "reply_id": 1,
                "message": "reply 1 got another outcome after the sheet was downloaded (now escalated_further); not recorded",
            }
        ],
    }
    again = client.post("/api/v1/outcomes/import", content=body, headers=lead)
    assert again.json()["imported"] == 0 and again.json()["unchanged"] == 1
    assert [(r["reply_id"], r["result"]) for r in db["outcomes"].rows_where("reply_id in (1, 3)", order_by="id")] == [
        (1, "upgraded"),
        (1, "escalated_further"),
        (3, "unchanged"),
    ]


def test_import_api_refuses_a_header_cell_over_the_csv_limit_with_400(client, lead, db):
    """Review 15 #5: it answered 500."""
    response = client.post(
        "/api/v1/outcomes/import", content=b"reply_id,result," + b"x" * 140_000 + b"\n1,upgraded,\n", headers=lead
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("line 1: the header row cannot be read")
    assert db["outcomes"].count == 0


def test_openapi_documents_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/suggest",
        "/api/v1/replies",
        "/api/v1/replies/{reply_id}/outcome",
        "/api/v1/stats/weekly",
        "/api/v1/export",
    ):
        assert path in paths


def test_an_agent_cannot_touch_another_agents_reply(client, agent, lead, db):
    other = add_user(db, "小周", "agent")
    reply_id = client.post(
        "/api/v1/replies", json={"complaint": "快递太慢", "sent_text": "您好，今天18:00前回电。", "platform": "jd"}, headers=agent
    ).json()["id"]
    response = client.post(
        f"/api/v1/replies/{reply_id}/outcome", json={"result": "upgraded"}, headers={"Authorization": f"Bearer {other.token}"}
    )
    assert response.status_code == 404 and response.json() == {"detail": f"reply {reply_id} not found"}
    assert client.post(f"/api/v1/replies/{reply_id}/outcome", json={"result": "upgraded"}, headers=lead).status_code == 201


# --- idempotency, the suggestion token, agent corrections, agreement ----------------------------------------------

from assistant.log.sent import corrections  # noqa: E402

LATE_REPLY = {
    "complaint": "快递一个星期还没到，客服也不回消息",
    "sent_text": "您好，今天18:00前给您回电说明物流进度。",
    "platform": "taobao",
}


def test_the_same_idempotency_key_twice_logs_one_reply(client, agent, db):
    first = client.post("/api/v1/replies", json={**LATE_REPLY, "idempotency_key": "order-88-reply"}, headers=agent)
    again = client.post("/api/v1/replies", json={**LATE_REPLY, "idempotency_key": "order-88-reply"}, headers=agent)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    by_header = [
        client.post("/api/v1/replies", json=LATE_REPLY, headers={**agent, "Idempotency-Key": "retry-7"}).json() for _ in range(2)
    ]
    assert by_header[0] == by_header[1] != first.json()
    assert db["replies"].count == 2
    clash = client.post("/api/v1/replies", json={**LATE_REPLY, "idempotency_key": "a"}, headers={**agent, "Idempotency-Key": "b"})
    assert clash.status_code == 400 and "differ" in clash.json()["detail"]


def test_the_same_key_with_a_corrected_text_updates_the_reply(client, agent, db):
    first = client.post("/api/v1/replies", json={**LATE_REPLY, "idempotency_key": "k-9"}, headers=agent)
    corrected = {**LATE_REPLY, "sent_text": "您好，今天18:00前给您回电，说明物流进度和补偿。", "idempotency_key": "k-9"}
    again = client.post("/api/v1/replies", json=corrected, headers=agent)
    assert again.status_code == 201 and again.json() == first.json() and again.headers["Idempotent-Replayed"] == "updated"
    assert db["replies"].count == 1 and db["replies"].get(first.json()["id"])["sent_text"] == corrected["sent_text"]


def test_the_same_key_with_a_corrected_verdict_updates_the_verdict(client, agent, db):
    """An intent and escalation verdict corrected after the first mark as sent, with the same text, were dropped and the
    repeat answered as such (REVIEW11 #5): the correction is the agents' training signal."""
    marked = {**LATE_REPLY, "idempotency_key": "k-10", "agent_intent": "logistics_delay", "agent_escalate": False}
    first = client.post("/api/v1/replies", json=marked, headers=agent)
    verdict = {"agent_intent": "service_attitude", "agent_escalate": True, "agent_reasons": ["repeat_unresolved"]}
    again = client.post("/api/v1/replies", json={**marked, **verdict}, headers=agent)
    assert again.status_code == 201 and again.json() == first.json() and again.headers["Idempotent-Replayed"] == "updated"
    row = db["replies"].get(first.json()["id"])
    assert (row["agent_intent"], row["agent_escalate"], row["agent_reasons"]) == ("service_attitude", 1, '["repeat_unresolved"]')
    assert row["sent_text"] == LATE_REPLY["sent_text"] and db["replies"].count == 1
    assert [c["intent"] for c in corrections(db)] == ["service_attitude"]
    repeat = client.post("/api/v1/replies", json={**marked, **verdict}, headers=agent)
    assert repeat.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_for_another_complaint_or_after_an_outcome_is_refused_with_409(client, agent, db):
    first = client.post("/api/v1/replies", json={**LATE_REPLY, "idempotency_key": "k-9"}, headers=agent).json()
    broken = {"complaint": "收到的杯子碎了两个", "sent_text": "您好，碎了的杯子给您补发。", "platform": "jd"}
    broken["idempotency_key"] = "k-9"
    reused = client.post("/api/v1/replies", json=broken, headers=agent)
    assert reused.status_code == 409 and "another complaint" in reused.json()["detail"]
    assert client.post(f"/api/v1/replies/{first['id']}/outcome", json={"result": "upgraded"}, headers=agent).status_code == 201
    corrected = {**LATE_REPLY, "sent_text": "您好，今天18:00前给您回电，说明物流进度和补偿。", "idempotency_key": "k-9"}
    judged = client.post("/api/v1/replies", json=corrected, headers=agent)
    assert judged.status_code == 409 and "already has an outcome" in judged.json()["detail"]
    row = db["replies"].get(first["id"])
    assert (row["sent_text"], row["intent"], db["replies"].count) == (LATE_REPLY["sent_text"], "logistics_delay", 1)


def test_the_api_docs_say_what_a_repeated_key_does(client):
    """/docs said a repeat "logs nothing new" after a repeat with another text started updating the reply (review 10B #9)."""
    fields = client.get("/openapi.json").json()["components"]["schemas"]["ReplyIn"]["properties"]
    key, token = fields["idempotency_key"]["description"], fields["suggestion"]["description"]
    assert "logs nothing new" not in key and "logged once" not in token
    assert "Idempotent-Replayed: updated" in key and "409" in key and "another complaint" in key and "outcome" in key
    assert "idempotency_key" in token


def test_a_reply_logged_without_a_token_is_drafted_with_the_product_it_names(client, agent, db):
    """Without a suggestion token the drafts are written again to log what the agent saw: with the product named, as
    POST /api/v1/suggest wrote them, so an unchanged reply is logged as unchanged (edit ratio 0)."""
    ask = {"text": "用了两周就坏了，太失望了", "platform": "taobao", "product": "电热水壶"}
    draft = client.post("/api/v1/suggest", json=ask, headers=agent).json()["drafts"][0]
    assert "电热水壶" in draft["text"]
    body = {"complaint": ask["text"], "sent_text": draft["text"], "platform": "taobao", "product": "电热水壶"}
    logged = client.post("/api/v1/replies", json={**body, "template_id": draft["template_id"]}, headers=agent)
    assert logged.status_code == 201, logged.text
    row = db["replies"].get(logged.json()["id"])
    assert (row["drafted_text"], row["edit_ratio"]) == (draft["text"], 0)


def test_a_suggestion_token_logs_what_suggest_returned_once(client, agent, db):
    suggested = client.post(
        "/api/v1/suggest", json={"text": LATE_REPLY["complaint"], "platform": "taobao", "product": "电热水壶"}, headers=agent
    )
    token, shown = suggested.headers["X-Suggestion-Token"], suggested.json()
    draft = shown["drafts"][-1]
    body = {**LATE_REPLY, "suggestion": token, "template_id": draft["template_id"], "sent_text": draft["text"]}
    first = client.post("/api/v1/replies", json=body, headers=agent)
    again = client.post("/api/v1/replies", json=body, headers=agent)
    assert first.status_code == 201 and again.json() == first.json() and db["replies"].count == 1
    row = db["replies"].get(first.json()["id"])
    assert json.loads(row["intents"]) == [i["id"] for i in shown["intents"]]
    assert json.loads(row["intent_scores"]) == [i["score"] for i in shown["intents"]]
    assert (bool(row["escalate"]), json.loads(row["reasons"])) == (
        shown["escalation"]["escalate"],
        [r["id"] for r in shown["escalation"]["reasons"]],
    )
    assert (row["template_id"], row["drafted_text"], row["edit_ratio"]) == (
        draft["template_id"],
        draft["text"],
        0,
    )  # the product named in it too
    for changed, detail in [
        ({"suggestion": token[:-4] + "AAAA"}, "invalid"),
        ({"complaint": "收到的杯子碎了"}, "complaint differs"),
        ({"template_id": "quality_defect.not_a_draft"}, "not among the drafts"),
    ]:
        response = client.post("/api/v1/replies", json={**body, **changed}, headers=agent)
        assert response.status_code == 400 and detail in response.json()["detail"]
    assert db["replies"].count == 1


def test_agent_corrections_are_stored_and_become_training_records(client, agent, db):
    shown = client.post("/api/v1/suggest", json={"text": LATE_REPLY["complaint"]}, headers=agent).json()
    top = shown["intents"][0]["id"]
    other = next(i for i in ("usage_question", "billing_invoice") if i != top)
    corrected = client.post(
        "/api/v1/replies",
        json={**LATE_REPLY, "agent_intent": other, "agent_escalate": True, "agent_reasons": ["media_threat"]},
        headers=agent,
    ).json()["id"]
    kept = client.post("/api/v1/replies", json={**LATE_REPLY, "agent_intent": top}, headers=agent).json()["id"]
    unreviewed = client.post("/api/v1/replies", json=LATE_REPLY, headers=agent).json()["id"]
    rows = {r["id"]: r for r in db["replies"].rows}
    assert (rows[corrected]["intent"], rows[corrected]["agent_intent"], rows[corrected]["agent_escalate"]) == (top, other, 1)
    assert json.loads(rows[corrected]["agent_reasons"]) == ["media_threat"]
    assert (rows[kept]["agent_intent"], rows[kept]["agent_escalate"]) == (top, rows[kept]["escalate"])
    assert rows[unreviewed]["agent_intent"] is None
    assert corrections(db) == [
        {
            "id": f"reply-{corrected}",
            "text": LATE_REPLY["complaint"],
            "intent": other,
            "secondary": [],
            "escalate": True,
            "reasons": ["media_threat"],
        }
    ]


@pytest.mark.parametrize(
    "fields,status,detail",
    [
        ({"agent_intent": "late_parcel"}, 422, "quality_defect"),
        ({"agent_reasons": ["rudeness"]}, 422, "legal_threat"),
        ({"agent_escalate": True, "agent_reasons": []}, 400, "agent_escalate is true: name at least one reason"),
        ({"agent_escalate": False, "agent_reasons": ["safety"]}, 400, "agent_reasons must be empty when agent_escalate is false"),
    ],
)
def test_agent_verdicts_outside_the_taxonomy_are_refused(client, agent, db, fields, status, detail):
    response = client.post("/api/v1/replies", json={**LATE_REPLY, **fields}, headers=agent)
    assert response.status_code == status and detail in json.dumps(response.json(), ensure_ascii=False)
    assert db["replies"].count == 0


def test_weekly_stats_report_how_often_agents_kept_the_assistants_verdict(client, agent, lead):
    complaints = ["快递一个星期还没到，客服也不回消息", "收到的杯子碎了，包装都压扁了", "发票一直没给开"]
    tops = []
    for text in complaints:
        shown = client.post("/api/v1/suggest", json={"text": text}, headers=agent).json()
        tops.append((shown["intents"][0]["id"], shown["escalation"]["escalate"]))
    keep, change_intent, change_escalation = zip(complaints, tops)
    for (text, _), fields in [
        (keep, {"agent_intent": keep[1][0]}),
        (change_intent, {"agent_intent": "other" if change_intent[1][0] != "other" else "usage_question"}),
        (
            change_escalation,
            {"agent_escalate": not change_escalation[1][1], "agent_reasons": [] if change_escalation[1][1] else ["legal_threat"]},
        ),
    ]:
        assert client.post("/api/v1/replies", json={**LATE_REPLY, "complaint": text, **fields}, headers=agent).status_code == 201
    client.post("/api/v1/replies", json=LATE_REPLY, headers=agent)  # not reviewed: not counted
    agreement = client.get("/api/v1/stats/weekly", params={"week": THIS_WEEK}, headers=lead).json()["agreement"]
    assert agreement["intent"] == {"kept": 2, "total": 3, "rate": 0.6667}
    assert agreement["escalation"] == {"kept": 2, "total": 3, "rate": 0.6667}
    assert sum(r["total"] for r in agreement["by_intent"]) == 3 and sum(r["kept"] for r in agreement["by_intent"]) == 2
    assert {r["intent"] for r in agreement["by_intent"]} == {intent for intent, _ in tops}


def test_a_done_action_the_agent_names_is_not_scored_as_a_claim(client, agent, db):
    """The stored sincerity score docks "已为您补发" unless the agent says it is done (the draft page's ticks)."""
    body = {
        "complaint": "收到的杯子碎了一个，包装太简陋",
        "sent_text": "您好，碎了一个杯子确实让人扫兴。新的杯子已为您补发，单号稍后发您，到货后麻烦看一下有没有完好。",
        "platform": "taobao",
    }
    claimed = client.post("/api/v1/replies", json=body, headers=agent)
    ticked = client.post("/api/v1/replies", json={**body, "done": ["新的杯子已为您补发"]}, headers=agent)
    assert claimed.status_code == ticked.status_code == 201
    scores = [db["replies"].get(r.json()["id"])["sincerity"] for r in (claimed, ticked)]
    assert scores[0] < scores[1]
    too_many = client.post("/api/v1/replies", json={**body, "done": ["已补发"] * 21}, headers=agent)
    assert too_many.status_code == 422


CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "method,path,body,loc,says",
    [
        ("post", "/api/v1/suggest", {}, ["body", "text"], "投诉内容：必填"),
        ("post", "/api/v1/suggest", {"text": "快递没到", "rating": 9}, ["body", "rating"], "评分：只能是 1 到 5 星"),
        ("post", "/api/v1/suggest", {"text": "快递没到", "rating": 3.5}, ["body", "rating"], "评分：只能是 1 到 5 星"),
        ("post", "/api/v1/suggest", {"text": "快递没到", "order_id": "1" * 65}, ["body", "order_id"], "订单号：最多 64 个字"),
        ("post", "/api/v1/replies/1/outcome", {"result": "great"}, ["body", "result"], "结果：只能是这些值之一：upgraded、"),
        ("post", "/api/v1/replies/x/outcome", {"result": "deleted"}, ["path", "reply_id"], "回复编号：应该是整数"),
        ("post", "/api/v1/replies", {**LATE_REPLY, "agent_reasons": ["rude"]}, ["body", "agent_reasons", 0], "转线下原因第 1 项"),
        ("get", "/api/v1/stats/weekly", None, ["query", "week"], "周：必填"),
        ("get", "/api/v1/export?week=2026-W47&format=pdf", None, ["query", "format"], "格式：只能是这些值之一：csv、xlsx"),
    ],
)
def test_validation_errors_name_the_field_in_chinese_and_stay_machine_readable(client, lead, method, path, body, loc, says):
    """A 422 keeps FastAPI's list of errors with their type and loc, but each says in Chinese which field is wrong."""
    response = client.request(method, path, json=body, headers=lead)
    assert response.status_code == 422
    errors = response.json()["detail"]
    error = next(e for e in errors if e["loc"] == loc)
    assert error["type"] and says in error["msg"] and error["field"] == says.split("：")[0].split("第")[0]
    assert all(CHINESE.search(e["msg"]) and not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", e["msg"]) for e in errors)


def test_a_body_that_is_not_json_is_said_in_chinese(client, lead):
    response = client.post("/api/v1/suggest", content=b"{not json", headers={**lead, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "请求体：不是有效的 JSON"


@pytest.mark.parametrize("field,label", [("platform", "平台"), ("idempotency_key", "幂等键")])
@pytest.mark.parametrize("blank", ["   ", "\u3000", " \t\n"])
def test_a_reply_field_of_only_spaces_is_refused_not_stored_empty(client, agent, db, field, label, blank):
    """ "platform": "   " passed min_length=1 and the reply was logged on the platform "", a 「（无）」 bar on 数据统计
    (REVIEW13 #8); an idempotency key of spaces was kept as a key. Both are refused with a 422 that names the field.
    The other text fields were sound: a blank complaint or sent_text is refused (400), a blank optional field is absent."""
    body = {"complaint": "快递一个星期还没到", "sent_text": "您好，今天18:00前给您回电说明物流进度。", "platform": "taobao"}
    response = client.post("/api/v1/replies", json={**body, field: blank}, headers=agent)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"], error["msg"]) == ("blank", ["body", field], f"{label}：不能只有空格，请填写内容")
    assert db.execute("select count(*) from replies").fetchone()[0] == 0


def test_an_outcome_note_of_only_spaces_is_no_note(client, agent, db):
    """The API kept a note of "   " as the outcome's note, where the row form keeps none (REVIEW13 #8's sibling)."""
    body = {"complaint": "快递一个星期还没到", "sent_text": "您好，今天18:00前给您回电说明物流进度。", "platform": "taobao"}
    reply_id = client.post("/api/v1/replies", json=body, headers=agent).json()["id"]
    outcome = client.post(f"/api/v1/replies/{reply_id}/outcome", json={"result": "unchanged", "note": " \u3000 "}, headers=agent)
    assert outcome.status_code == 201
    assert db.execute("select note from outcomes where reply_id = ?", [reply_id]).fetchone() == (None,)
