import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers import KEY, SHANGHAI, make_reply

from assistant.engine.core import History
from assistant.errors import Conflict, InvalidInput, NotFound
from assistant.log.history import earlier_unresolved, recent_texts
from assistant.log.outcomes import RESULTS, outcome_history, record_outcome
from assistant.log.redact import keyed_hash
from assistant.log.worksheet import ImportRejected, import_outcomes
from assistant.web.messages import chinese

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def test_a_logged_reply_keeps_what_a_lead_needs_and_no_personal_data(db, engine):
    reply_id = make_reply(
        db,
        engine,
        "我的电话13812345678，订单 88239912345 的杯子碎了",
        customer="王女士",
        order_id="88239912345",
        sent_text="王女士您好，杯子碎了是我们包装没做好，今天18:00前补发一只新的，请留意13812345678的来电。",
        rating=1,
    )
    row = db["replies"].get(reply_id)
    assert row["week"] == "2026-W47" and row["agent"] == "小林" and row["platform"] == "taobao"
    assert row["intent"] == "damaged_delivery" and json.loads(row["intents"])[0] == "damaged_delivery"
    assert row["template_id"] and row["drafted_text"] and 0 <= row["edit_ratio"] <= 1
    assert row["sincerity"] >= 60 and row["rating"] == 1
    assert "13812345678" not in row["complaint"] + row["sent_text"] + row["drafted_text"]
    assert "[手机号]" in row["complaint"]
    assert row["customer_ref"] == keyed_hash("王女士", KEY) and "王女士" not in row["customer_ref"]
    assert row["order_ref"] == keyed_hash("88239912345", KEY)


def test_edit_ratio_measures_how_much_the_agent_changed(db, engine):
    as_drafted = make_reply(db, engine)
    rewritten = make_reply(db, engine, sent_text="您好，已经帮您催了快递，今天18:00前给您回电说明物流进度。")
    assert db["replies"].get(as_drafted)["edit_ratio"] == 0
    assert db["replies"].get(rewritten)["edit_ratio"] > 0.5


@pytest.mark.parametrize("result", RESULTS)
def test_every_outcome_kind_is_recorded(db, engine, result):
    reply_id = make_reply(db, engine)
    record_outcome(db, reply_id, result, by="组长", rating_after=5 if result == "upgraded" else None, note="跟进", now=NOW)
    row = db["replies"].get(reply_id)
    assert row["outcome"] == result
    assert outcome_history(db, reply_id)[0]["recorded_by"] == "组长"


def test_a_later_outcome_supersedes_and_history_is_kept(db, engine):
    reply_id = make_reply(db, engine)
    record_outcome(db, reply_id, "unchanged", by="小林", now=NOW)
    record_outcome(db, reply_id, "upgraded", by="组长", rating_after=4, now=NOW + timedelta(days=2))
    history = outcome_history(db, reply_id)
    assert [(h["result"], h["superseded"]) for h in history] == [("unchanged", 1), ("upgraded", 0)]
    row = db["replies"].get(reply_id)
    assert (row["outcome"], row["rating_after"]) == ("upgraded", 4)


def test_bad_outcomes_are_refused(db, engine):
    with pytest.raises(InvalidInput, match="result must be one of"):
        record_outcome(db, make_reply(db, engine), "happy", by="x")
    with pytest.raises(NotFound, match="reply 999 not found"):
        record_outcome(db, 999, "upgraded", by="x")


def test_an_unresolved_reply_to_the_same_customer_within_30_days_escalates(db, engine):
    make_reply(db, engine, customer="王女士", now=NOW - timedelta(days=3))
    ref = keyed_hash("王女士", KEY)
    earlier = earlier_unresolved(db, customer_ref=ref, order_ref=None, now=NOW, tz=SHANGHAI)
    assert earlier == ["2026-11-15"]
    s = engine.suggest("还是没到", history=History(earlier=tuple(earlier)))
    evidence = {r.id: r.evidence for r in s.escalation.reasons}
    assert "2026-11-15" in evidence["repeat_unresolved"][0]


def test_resolved_or_old_replies_do_not_count_as_repeats(db, engine):
    resolved = make_reply(db, engine, order_id="A1", now=NOW - timedelta(days=2))
    record_outcome(db, resolved, "resolved_offline", by="组长", now=NOW - timedelta(days=1))
    make_reply(db, engine, order_id="A1", now=NOW - timedelta(days=45))
    assert earlier_unresolved(db, customer_ref=None, order_ref=keyed_hash("A1", KEY), now=NOW, tz=SHANGHAI) == []


def test_texts_sent_to_the_customer_or_today_on_the_platform_are_found(db, engine):
    make_reply(db, engine, customer="王女士", platform="jd", sent_text="甲", now=NOW - timedelta(days=20))
    make_reply(db, engine, platform="taobao", sent_text="乙", now=NOW - timedelta(hours=1))
    make_reply(db, engine, platform="taobao", sent_text="丙", now=NOW - timedelta(days=1))
    found = recent_texts(db, customer_ref=keyed_hash("王女士", KEY), order_ref=None, platform="taobao", now=NOW, tz=SHANGHAI)
    assert sorted(found) == ["乙", "甲"]


def test_import_is_all_or_nothing_and_names_the_bad_line(db, engine):
    ids = [make_reply(db, engine) for _ in range(3)]
    lines = ["reply_id,result,rating_after,note"] + [f"{ids[i % 3]},upgraded,5," for i in range(1000)]
    lines[501] = f"{ids[0]},happy,5,"
    with pytest.raises(ImportRejected) as info:
        import_outcomes(db, "\n".join(lines), by="组长")
    assert [(p.line, "happy" in p.message) for p in info.value.errors] == [(502, True)]
    assert db["outcomes"].count == 0
    assert all(r["outcome"] is None for r in db["replies"].rows)


def test_a_clean_import_records_every_row(db, engine):
    ids = [make_reply(db, engine) for _ in range(2)]
    content = f"\ufeffreply_id,result,rating_after,note\n{ids[0]},upgraded,5,电话回访后改了\n{ids[1]},no_response,,\n"
    assert import_outcomes(db, content, by="组长").recorded == 2
    assert [r["outcome"] for r in db["replies"].rows] == ["upgraded", "no_response"]


# --- what the page showed, the agent's verdict, idempotency, corrections ---------------------------------------------

from assistant.log.sent import corrections, log_shown  # noqa: E402
from assistant.log.shown import (  # noqa: E402
    Shown,
    SuggestionTokenExpired,
    SuggestionTokenInvalid,
    agent_verdict,
    complaint_digest,
)

SECRET = b"s" * 32
LATE = Shown(
    intents=(("logistics_delay", 0.91), ("service_attitude", 0.42)),
    escalate=False,
    reasons=(),
    drafts=(
        ("logistics_delay.stuck", "您好，包裹卡在中转站是我们没盯紧，今天18:00前给您回电。"),
        ("logistics_delay.slow", "您好，发货慢了，对不起。"),
    ),
)
THREAT = Shown(
    intents=(("quality_defect", 0.8),),
    escalate=True,
    reasons=("legal_threat", "compensation_demand"),
    drafts=(("offline.legal_threat.regulator", "您好，我是组长小周，今天18:00前给您打电话。"),),
)


SENT = "您好，今天18:00前给您回电说明进度。"


COMPLAINT = "快递一个星期还没到，客服也不回"


def _log(db, shown, verdict=None, *, key=None, agent="小林", complaint=COMPLAINT, template_id=None, sent=SENT, now=NOW):
    """Log ``sent`` as a reply to ``shown``; returns (reply id, what was done)."""
    logged = log_shown(
        db,
        shown,
        complaint,
        sent,
        agent=agent,
        platform="taobao",
        key=KEY,
        tz=SHANGHAI,
        template_id=template_id,
        verdict=verdict,
        idempotency_key=key,
        now=now,
    )
    return logged.id, logged.action


def test_a_reply_is_logged_as_it_was_shown_with_the_chosen_draft(db):
    reply_id, _ = _log(db, LATE, template_id="logistics_delay.slow")
    row = db["replies"].get(reply_id)
    assert (row["intent"], json.loads(row["intents"]), json.loads(row["intent_scores"])) == (
        "logistics_delay",
        ["logistics_delay", "service_attitude"],
        [0.91, 0.42],
    )
    assert (row["escalate"], row["reasons"], row["template_id"]) == (0, "[]", "logistics_delay.slow")
    assert row["drafted_text"] == "您好，发货慢了，对不起。" and row["edit_ratio"] > 0
    assert row["agent_intent"] is None and row["agent_escalate"] is None  # nobody reviewed it


def test_the_same_idempotency_key_logs_one_reply(db):
    first = _log(db, LATE, key="k-1")
    again = _log(db, LATE, key="k-1")
    assert first == (first[0], "created") and again == (first[0], "repeated")
    assert db["replies"].count == 1
    with pytest.raises(InvalidInput, match="another agent"):
        _log(db, LATE, key="k-1", agent="小周")
    assert _log(db, LATE, key="k-2")[1] and db["replies"].count == 2


def test_a_corrected_reply_marked_sent_again_replaces_the_logged_text(db):
    """Marking the same suggestion as sent with another text (a typo fixed, a corrected reply sent) logged nothing and
    kept the first text, its edit ratio and sincerity computed on words never sent (review 10 #5)."""
    first, _ = _log(db, LATE, key="k-1", sent="您好，发货慢了。")
    corrected = "您好，包裹卡在中转站是我们没盯紧，今天18:00前给您回电说明进度。"
    assert _log(db, LATE, key="k-1", sent=corrected, now=NOW + timedelta(minutes=5)) == (first, "updated")
    fresh, _ = _log(db, LATE, key="k-2", sent=corrected)  # the same text logged afresh, to compare with
    updated, expected = db["replies"].get(first), db["replies"].get(fresh)
    assert updated["sent_text"] == corrected
    for column in ("template_id", "drafted_text", "edit_ratio", "sincerity"):
        assert updated[column] == expected[column], column
    assert updated["sent_at"] == NOW.isoformat(timespec="seconds")  # still the reply first marked as sent
    assert _log(db, LATE, key="k-1", sent=corrected) == (first, "repeated")
    assert db["replies"].count == 2


def test_a_verdict_corrected_after_the_first_mark_is_what_the_log_holds(db):
    """The agent marked a reply sent, then saw the intent was wrong and corrected it (and the escalation), marking it sent
    again with the same text: the page said 「已更新」 and the log kept the first verdict (REVIEW11 #5)."""
    as_shown = agent_verdict(LATE, intent="logistics_delay", escalate=False)
    first, _ = _log(db, LATE, as_shown, key="k-1")
    assert corrections(db) == []
    corrected = agent_verdict(LATE, intent="service_attitude", escalate=True, reasons=["repeat_unresolved"])
    again = {"agent": "小林", "platform": "taobao", "key": KEY, "tz": SHANGHAI, "now": NOW + timedelta(minutes=5)}
    logged = log_shown(db, LATE, COMPLAINT, SENT, verdict=corrected, idempotency_key="k-1", **again)
    assert (logged.id, logged.action, logged.changed) == (first, "updated", ("intent", "escalation"))
    row = db["replies"].get(first)
    assert (row["agent_intent"], row["agent_escalate"], row["agent_reasons"]) == ("service_attitude", 1, '["repeat_unresolved"]')
    assert row["sent_text"] == SENT and db["replies"].count == 1
    assert [(c["intent"], c["escalate"], c["reasons"]) for c in corrections(db)] == [
        ("service_attitude", True, ["repeat_unresolved"])
    ]
    assert _log(db, LATE, corrected, key="k-1") == (first, "repeated")
    assert _log(db, LATE, None, key="k-1") == (first, "repeated")  # not reviewed this time: the verdict stays
    assert db["replies"].get(first)["agent_intent"] == "service_attitude"
    record_outcome(db, first, "upgraded", by="小林", now=NOW + timedelta(minutes=1))
    with pytest.raises(Conflict) as refused:
        _log(db, LATE, as_shown, key="k-1", now=NOW + timedelta(minutes=2))
    assert chinese(str(refused.value)) == f"这条回复（#{first}）已经登记了结果，判断不能再改；如需记录新的回复，请重新生成草稿。"
    assert db["replies"].get(first)["agent_intent"] == "service_attitude"


def test_a_key_reused_for_another_complaint_is_refused_and_the_first_reply_kept(db):
    """The same key with another complaint put that reply's text, draft and edit ratio into the first reply's row, under
    the first complaint and intent (review 10B #1): the per-template figures that rank drafts read that row."""
    first, _ = _log(db, LATE, key="k-1")
    before = db["replies"].get(first)
    for complaint, platform in [("收到的杯子碎了两个，怎么办", "taobao"), (COMPLAINT, "jd")]:
        with pytest.raises(Conflict, match="another complaint") as refused:
            log_shown(
                db,
                LATE,
                complaint,
                "您好，碎了的杯子给您补发。",
                agent="小林",
                platform=platform,
                key=KEY,
                tz=SHANGHAI,
                idempotency_key="k-1",
                now=NOW,
            )
        assert chinese(str(refused.value)) == f"这个幂等键已经用于另一条投诉的回复（#{first}），请换一个新的键。"
    assert db["replies"].get(first) == before and db["replies"].count == 1


def test_a_reply_with_an_outcome_keeps_the_text_the_outcome_was_judged_on(db):
    """Marking a reply sent again with another text after its outcome was recorded credited that outcome to a text
    nobody judged (review 10B #4); the same text again is still a harmless repeat."""
    first, _ = _log(db, LATE, key="k-1")
    record_outcome(db, first, "upgraded", by="小林", rating_after=5, now=NOW + timedelta(minutes=1))
    before = db["replies"].get(first)
    with pytest.raises(Conflict, match="already has an outcome") as refused:
        _log(db, LATE, key="k-1", sent="您好，改过的回复。", now=NOW + timedelta(minutes=2))
    assert chinese(str(refused.value)) == f"这条回复（#{first}）已经登记了结果，文字不能再改；如需记录新的回复，请重新生成草稿。"
    assert db["replies"].get(first) == before
    assert _log(db, LATE, key="k-1") == (first, "repeated")


def test_a_reply_logged_over_twelve_hours_ago_keeps_its_text(db):
    first, _ = _log(db, LATE, key="k-1")
    with pytest.raises(InvalidInput, match="can no longer be changed") as refused:
        _log(db, LATE, key="k-1", sent="您好，改过的回复。", now=NOW + timedelta(hours=13))
    assert chinese(str(refused.value)) == f"这条投诉的回复（#{first}）已经记录超过 12 小时，不能再改文字了。"
    assert db["replies"].get(first)["sent_text"] == SENT


def test_a_shown_suggestion_survives_its_token_and_tampering_is_refused():
    shown = Shown(**{**LATE.__dict__, "complaint": "c" * 32, "key": "abc", "agent": "小林"})
    token = shown.seal(SECRET)
    assert Shown.unseal(token, SECRET) == shown
    with pytest.raises(SuggestionTokenInvalid):
        Shown.unseal(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), SECRET)
    with pytest.raises(SuggestionTokenInvalid):
        Shown.unseal(token, b"t" * 32)
    with pytest.raises(SuggestionTokenInvalid):
        Shown.unseal("not a token", SECRET)
    with pytest.raises(SuggestionTokenExpired):
        Shown.unseal(token, SECRET, max_age=-1)


def test_a_token_is_only_good_for_its_complaint_agent_and_drafts():
    shown = Shown(**{**LATE.__dict__, "agent": "小林", "complaint": complaint_digest("快递没到\n快点")})
    shown.check(complaint="快递没到\r\n快点", agent="小林", template_id="logistics_delay.slow")  # a form's CR LF is the same text
    for changes, message in [
        ({"complaint": "快递没到"}, "complaint differs"),
        ({"agent": "小周"}, "another user"),
        ({"template_id": "quality_defect.broken"}, "not among the drafts"),
    ]:
        with pytest.raises(SuggestionTokenInvalid, match=message):
            shown.check(**{"complaint": "快递没到\n快点", "agent": "小林", "template_id": None, **changes})


def test_agent_verdicts_keep_what_was_not_changed_and_follow_the_taxonomy():
    assert agent_verdict(LATE) is None
    assert agent_verdict(LATE, intent="other") == agent_verdict(LATE, intent="other", escalate=False, reasons=[])
    assert agent_verdict(THREAT, intent="counterfeit").reasons == ("legal_threat", "compensation_demand")
    assert agent_verdict(THREAT, escalate=False).reasons == ()
    assert agent_verdict(LATE, reasons=["media_threat", "media_threat"]).escalate is True
    for kwargs, message in [
        ({"intent": "late_parcel"}, "not one of: quality_defect"),
        ({"reasons": ["rudeness"]}, "not one of: safety"),
        ({"escalate": True}, "at least one reason"),
        ({"escalate": False, "reasons": ["safety"]}, "must be empty"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            agent_verdict(LATE, **kwargs)


def test_corrections_are_the_replies_whose_agent_changed_the_verdict(db):
    changed_intent, _ = _log(
        db, LATE, agent_verdict(LATE, intent="service_attitude"), complaint="客服不回消息，快递也慢 13812345678"
    )
    changed_escalation, _ = _log(db, THREAT, agent_verdict(THREAT, escalate=False), complaint="质量太差，我要去12315")
    added_reason, _ = _log(db, LATE, agent_verdict(LATE, escalate=True, reasons=["media_threat"]), complaint="再不到就发微博")
    _log(db, LATE, agent_verdict(LATE, intent="logistics_delay"))  # kept
    _log(db, THREAT, agent_verdict(THREAT, reasons=["compensation_demand", "legal_threat"]))  # kept, reasons in another order
    _log(db, LATE)  # not reviewed
    records = corrections(db)
    assert records == [
        {
            "id": f"reply-{changed_intent}",
            "text": "客服不回消息，快递也慢 [手机号]",
            "intent": "service_attitude",
            "secondary": [],
            "escalate": False,
            "reasons": [],
        },
        {
            "id": f"reply-{changed_escalation}",
            "text": "质量太差，我要去12315",
            "intent": "quality_defect",
            "secondary": [],
            "escalate": False,
            "reasons": [],
        },
        {
            "id": f"reply-{added_reason}",
            "text": "再不到就发微博",
            "intent": "logistics_delay",
            "secondary": [],
            "escalate": True,
            "reasons": ["media_threat"],
        },
    ]
    assert json.loads(json.dumps(records)) == records  # JSON Lines as they are


def test_my_replies_by_agent_and_result_use_an_index(db):
    """The query behind 我的回复 for one agent finds its rows through the (agent, outcome) index, not a full scan."""
    plan = " ".join(
        row[3]
        for row in db.execute(
            "explain query plan select * from replies where agent = ? and outcome is null order by id desc", ["x"]
        )
    )
    assert "USING INDEX" in plan and "agent" in plan, plan
