"""The outcome log's writes: replies sent and what happened to the review afterwards.

A reply is stored with its complaint and texts redacted and its customer and order references as keyed hashes,
as the assistant showed it (``shown.Shown``) with the agent's verdict beside it. Outcomes are appended: a later
outcome supersedes the earlier one (kept, marked ``superseded``) and becomes the reply's current outcome.
``corrections`` turns the replies whose agent corrected the assistant into training records; an idempotency key
makes a second "mark as sent" of the same suggestion log nothing new (or correct its text, until an outcome is
recorded). The reads are in ``history``, the worksheet's round trip in ``worksheet``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from rapidfuzz import fuzz

from assistant.engine.core import Suggestion
from assistant.engine.sincerity import check_sincerity
from assistant.errors import Conflict, InvalidInput, NotFound
from assistant.log.db import all_or_nothing, insert
from assistant.log.redact import keyed_hash, redact
from assistant.log.shown import TOKEN_MAX_AGE, Shown, Verdict
from assistant.log.stats import iso_week
from assistant.taxonomy import RESULTS

NOTE_CHARS = 2000  # the longest note an outcome keeps, from the row form, the API or a sheet


def parse_rating(value: str | int | None) -> int | None:
    """A star rating 1-5 from a form or CSV cell ("" or None means unknown).

    :raises InvalidInput: for anything else ("²" and "10**20" included)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text not in ("1", "2", "3", "4", "5"):
        raise InvalidInput(f"rating {text[:20]!r} is not 1-5")
    return int(text)


# What ``log_shown`` did: logged a new reply, put a new text in the reply its idempotency key names, or nothing (the same
# text again).
Logged = Literal["created", "updated", "repeated"]
# The columns a second "mark as sent" of the same suggestion with another text replaces: what was sent, from which draft.
RESENT = ("template_id", "drafted_text", "sent_text", "edit_ratio", "sincerity")


def log_reply(
    db: sqlite_utils.Database,
    suggestion: Suggestion,
    sent_text: str,
    *,
    agent: str,
    platform: str,
    key: bytes,
    tz: ZoneInfo,
    template_id: str | None = None,
    customer: str | None = None,
    order_id: str | None = None,
    rating: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a sent reply to a suggestion the engine just made and return its id (see ``log_shown``)."""
    reply_id, _ = log_shown(
        db,
        Shown.from_suggestion(suggestion),
        suggestion.normalized.original,
        sent_text,
        agent=agent,
        platform=platform,
        key=key,
        tz=tz,
        template_id=template_id,
        customer=customer,
        order_id=order_id,
        rating=rating,
        now=now,
    )
    return reply_id


def log_shown(
    db: sqlite_utils.Database,
    shown: Shown,
    complaint: str,
    sent_text: str,
    *,
    agent: str,
    platform: str,
    key: bytes,
    tz: ZoneInfo,
    template_id: str | None = None,
    customer: str | None = None,
    salutation: str | None = None,
    order_id: str | None = None,
    rating: int | None = None,
    verdict: Verdict | None = None,
    idempotency_key: str | None = None,
    done: Sequence[str] = (),
    now: datetime | None = None,
) -> tuple[int, Logged]:
    """Record a sent reply as the assistant showed it, with the agent's verdict; return (id, what was done).

    :param shown: what the assistant showed (intents, escalation, drafts)
    :param complaint: the complaint as pasted (stored redacted)
    :param sent_text: the text the agent actually sent
    :param template_id: the draft the agent started from (default: the first draft)
    :param verdict: the agent's intent and escalation verdict (None: not reviewed)
    :param idempotency_key: when a reply with this key exists, its id is returned and nothing new is logged: the same
        text is "repeated"; another text (a corrected reply sent again) replaces the reply's sent text, its draft, edit
        ratio and sincerity ("updated"), only for the same complaint and platform, by the agent who logged it, within
        ``TOKEN_MAX_AGE`` of the first and before an outcome is recorded (the outcome was judged on the first text)
    :param customer: who the customer is (the platform's buyer nickname or ID, never a salutation such as
        "王女士"), stored as ``customer_ref``, a keyed hash
    :param salutation: how the drafts addressed the customer ("王女士"): masked in every stored text
    :param key: the HMAC key for customer and order references
    :param done: the past-tense sentences of the actions the agent ticked as done: the stored sincerity score does
        not count them as claims of what nobody did
    :raises Conflict: for a key already used by another agent or for another complaint, or another text for a reply
        that has an outcome
    :raises InvalidInput: for an empty reply, or another text for a reply logged longer than ``TOKEN_MAX_AGE`` ago
    """
    if not sent_text or not sent_text.strip():
        raise InvalidInput("sent_text is empty")
    now = now or datetime.now(UTC)
    if template_id is None and shown.drafts:
        template_id = shown.drafts[0][0]
    drafted = shown.drafted(template_id)
    sent = sent_text.strip()
    record = {
        "sent_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "week": iso_week(now, tz),
        "agent": agent,
        "platform": redact(platform),
        "intent": shown.intent,
        "intents": json.dumps([i for i, _ in shown.intents]),
        "intent_scores": json.dumps([score for _, score in shown.intents]),
        "escalate": int(shown.escalate),
        "reasons": json.dumps(list(shown.reasons)),
        "template_id": template_id,
        "complaint": redact(complaint, salutation=salutation),
        "drafted_text": redact(drafted, salutation=salutation) if drafted else None,
        "sent_text": redact(sent, salutation=salutation),
        "edit_ratio": round(1 - fuzz.ratio(drafted, sent) / 100, 3) if drafted else None,
        "sincerity": check_sincerity(sent_text, complaint, done=done, template_id=template_id).score,
        "customer_ref": keyed_hash(customer, key),
        "order_ref": keyed_hash(order_id, key),
        "rating": rating,
        "agent_intent": verdict.intent if verdict else None,
        "agent_escalate": int(verdict.escalate) if verdict else None,
        "agent_reasons": json.dumps(list(verdict.reasons)) if verdict else None,
        "idempotency_key": idempotency_key or None,
    }
    if not idempotency_key:
        return insert(db, "replies", record), "created"
    with all_or_nothing(db):
        row = db.execute(
            "select id, agent, complaint, platform, sent_text, sent_at, outcome from replies where idempotency_key = ?",
            [idempotency_key],
        ).fetchone()
        if not row:
            return insert(db, "replies", record), "created"
        reply_id, logged_by, logged_complaint, logged_platform, logged_text, logged_at, outcome = row
        if logged_by != agent:
            raise Conflict("idempotency_key is already used by another agent's reply; use a new key")
        if (logged_complaint, logged_platform) != (record["complaint"], record["platform"]):
            raise Conflict(f"idempotency_key is already used by reply {reply_id} to another complaint; use a new key")
        if logged_text == record["sent_text"]:
            return reply_id, "repeated"
        if outcome is not None:  # the outcome was judged on the logged text: crediting it to another would mislead
            raise Conflict(f"reply {reply_id} already has an outcome recorded; its text can no longer be changed")
        if (now - datetime.fromisoformat(logged_at)).total_seconds() > TOKEN_MAX_AGE:
            raise InvalidInput(
                f"reply {reply_id} was logged more than {TOKEN_MAX_AGE // 3600} hours ago; its text can no longer be changed"
            )
        columns = ", ".join(f"{c} = ?" for c in RESENT)
        db.execute(f"update replies set {columns} where id = ?", [*(record[c] for c in RESENT), reply_id])
        return reply_id, "updated"


def corrections(db: sqlite_utils.Database) -> list[dict]:
    """Training records (TAXONOMY format) of every reply whose agent changed the intent or the escalation verdict.

    The text is the stored (redacted) complaint; intent, escalate and reasons are the agent's
    (what they left as shown is the assistant's, which they confirmed). Oldest first.
    """
    out = []
    rows = db.execute(
        "select id, complaint, intent, escalate, reasons, agent_intent, agent_escalate, agent_reasons from replies "
        "where agent_intent is not null and (agent_intent is not intent or agent_escalate is not escalate "
        "or agent_reasons is not reasons) order by id"
    )
    for reply_id, text, intent, escalate, reasons, agent_intent, agent_escalate, agent_reasons in rows:
        shown_reasons = json.loads(reasons or "[]")
        agent_escalate = bool(escalate) if agent_escalate is None else bool(agent_escalate)
        agent_reasons = shown_reasons if agent_reasons is None else json.loads(agent_reasons)
        if agent_intent == intent and agent_escalate == bool(escalate) and set(agent_reasons) == set(shown_reasons):
            continue  # the same reasons in another order
        out.append(
            {
                "id": f"reply-{reply_id}",
                "text": text,
                "intent": agent_intent,
                "secondary": [],
                "escalate": agent_escalate,
                "reasons": agent_reasons,
            }
        )
    return out


def record_outcome(
    db: sqlite_utils.Database,
    reply_id: int,
    result: str,
    *,
    by: str,
    rating_after: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    owner: str | None = None,
) -> int:
    """Record what happened to a reply's review; it supersedes any earlier outcome, which is kept.

    :param owner: when given, only a reply sent by this agent may be changed (others look absent)
    :raises InvalidInput: for an unknown result, or a note over ``NOTE_CHARS``
    :raises NotFound: when the reply does not exist (or belongs to another agent)
    """
    if result not in RESULTS:
        raise InvalidInput(f"result must be one of: {', '.join(RESULTS)}")
    if note is not None and len(note) > NOTE_CHARS:
        raise InvalidInput(f"note is longer than {NOTE_CHARS} characters")
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    with all_or_nothing(db):
        row = db.execute("select agent from replies where id = ?", [reply_id]).fetchone()
        if not row or (owner is not None and row[0] != owner):
            raise NotFound(f"reply {reply_id} not found")
        db.execute("update outcomes set superseded = 1 where reply_id = ? and superseded = 0", [reply_id])
        outcome = {
            "reply_id": reply_id,
            "result": result,
            "rating_after": rating_after,
            "note": redact(note) if note else note,  # a note may name a phone, an address, an ID number
            "recorded_by": by,
            "recorded_at": stamp,
            "superseded": 0,
        }
        outcome_id = insert(db, "outcomes", outcome)
        db.execute(
            "update replies set outcome = ?, outcome_at = ?, rating_after = ? where id = ?",
            [result, stamp, rating_after, reply_id],
        )
    return outcome_id


def outcome_history(db: sqlite_utils.Database, reply_id: int) -> list[dict]:
    """Every outcome recorded for a reply, oldest first."""
    return list(db.table("outcomes").rows_where("reply_id = ?", [reply_id], order_by="id"))
