"""Replies marked as sent: each stored as the assistant showed it (``shown.Shown``) with the agent's verdict beside it.

A reply is stored with its complaint and texts redacted and its customer and order references as keyed hashes. An
idempotency key makes a second "mark as sent" of the same suggestion log nothing new (or correct its text or the
agent's verdict, until an outcome is recorded). ``corrections`` turns the replies whose agent corrected the assistant
into training records. What happened to a reply afterwards is in ``outcomes``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from rapidfuzz import fuzz

from assistant.engine.core import Suggestion
from assistant.engine.sincerity import check_sincerity
from assistant.errors import Conflict, InvalidInput
from assistant.log.db import all_or_nothing, insert
from assistant.log.redact import keyed_hash, redact
from assistant.log.shown import TOKEN_MAX_AGE, Shown, Verdict
from assistant.log.stats import iso_week


@dataclass(frozen=True)
class Logged:
    """What ``log_shown`` did with a reply marked as sent."""

    id: int
    # "created": a new reply; "updated": a correction put in the reply its idempotency key names; "repeated": nothing new
    action: Literal["created", "updated", "repeated"]
    changed: tuple[str, ...] = ()  # for "updated", of ``CHANGES``: what the correction changed
    # The severe problems (``replying.severe_problems``) the reply was logged with anyway, in Chinese
    warnings: tuple[str, ...] = ()


# What a second "mark as sent" of the same suggestion may correct, and the columns each replaces: the text that was sent
# (and the draft it came from), the agent's intent, the agent's escalation verdict.
CHANGES = {
    "text": ("template_id", "drafted_text", "sent_text", "edit_ratio", "sincerity", "sent_despite"),
    "intent": ("agent_intent",),
    "escalation": ("agent_escalate", "agent_reasons"),
}


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
    return log_shown(
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
    ).id


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
    sent_despite: Sequence[str] = (),
) -> Logged:
    """Record a sent reply as the assistant showed it, with the agent's verdict; say what was done.

    :param shown: what the assistant showed (intents, escalation, drafts)
    :param complaint: the complaint as pasted (stored redacted)
    :param sent_text: the text the agent actually sent
    :param template_id: the draft the agent started from (default: the first draft)
    :param verdict: the agent's intent and escalation verdict (None: not reviewed)
    :param idempotency_key: when a reply with this key exists, nothing new is logged: the same text and verdict is
        "repeated"; another text or verdict (a corrected reply sent again, an intent corrected after the first mark)
        replaces those in the reply ("updated", see ``_resend``)
    :param customer: who the customer is (the platform's buyer nickname or ID, never a salutation such as
        "王女士"), stored as ``customer_ref``, a keyed hash
    :param salutation: how the drafts addressed the customer ("王女士"): masked in every stored text
    :param key: the HMAC key for customer and order references
    :param done: the past-tense sentences of the actions the agent ticked as done: the stored sincerity score does
        not count them as claims of what nobody did
    :param sent_despite: the severe problems the reply was sent with all the same (stored as ``sent_despite``)
    :raises Conflict: for a key already used by another agent or for another complaint, or a correction of a reply
        that has an outcome
    :raises InvalidInput: for an empty reply, or a correction of a reply logged longer than ``TOKEN_MAX_AGE`` ago
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
        "sincerity": check_sincerity(sent_text, complaint, done=done, template_id=template_id, recognised=shown.intent).score,
        "customer_ref": keyed_hash(customer, key),
        "order_ref": keyed_hash(order_id, key),
        "rating": rating,
        "agent_intent": verdict.intent if verdict else None,
        "agent_escalate": int(verdict.escalate) if verdict else None,
        "agent_reasons": json.dumps(list(verdict.reasons)) if verdict else None,
        "idempotency_key": idempotency_key or None,
        "sent_despite": json.dumps([redact(p) for p in sent_despite], ensure_ascii=False) if sent_despite else None,
    }
    if not idempotency_key:
        return Logged(insert(db, "replies", record), "created")
    with all_or_nothing(db):
        row = db.execute(
            "select id, agent, complaint, platform, sent_text, sent_at, outcome, agent_intent, agent_escalate, agent_reasons "
            "from replies where idempotency_key = ?",
            [idempotency_key],
        ).fetchone()
        if not row:
            return Logged(insert(db, "replies", record), "created")
        return _resend(db, row, record, now)


def _resend(db: sqlite_utils.Database, row: tuple, record: dict, now: datetime) -> Logged:
    """A second "mark as sent" of a logged suggestion (``row``, its reply): ``record`` corrects it or repeats it.

    Only the same complaint and platform, by the agent who logged it. Another text replaces the reply's text, its draft,
    edit ratio and sincerity; another verdict (a verdict left out: not reviewed this time, so nothing to correct) replaces
    the agent's intent or escalation verdict. Either only within ``TOKEN_MAX_AGE`` of the first and before an outcome is
    recorded: the outcome was judged on the reply as first logged.
    """
    reply_id, logged_by, logged_complaint, logged_platform, logged_text, logged_at, outcome, *logged_verdict = row
    if logged_by != record["agent"]:
        raise Conflict("idempotency_key is already used by another agent's reply; use a new key")
    if (logged_complaint, logged_platform) != (record["complaint"], record["platform"]):
        raise Conflict(f"idempotency_key is already used by reply {reply_id} to another complaint; use a new key")
    changed = ["text"] if logged_text != record["sent_text"] else []
    if record["agent_intent"] is not None:
        intent, escalate, reasons = logged_verdict
        if record["agent_intent"] != intent:
            changed.append("intent")
        if (record["agent_escalate"], set(json.loads(record["agent_reasons"]))) != (escalate, set(json.loads(reasons or "[]"))):
            changed.append("escalation")
    if not changed:
        return Logged(reply_id, "repeated")
    what = "text" if changed == ["text"] else "verdict" if "text" not in changed else "text and verdict"
    if outcome is not None:  # the outcome was judged on the logged reply: crediting it to another would mislead
        raise Conflict(f"reply {reply_id} already has an outcome recorded; its {what} can no longer be changed")
    if (now - datetime.fromisoformat(logged_at)).total_seconds() > TOKEN_MAX_AGE:
        raise InvalidInput(
            f"reply {reply_id} was logged more than {TOKEN_MAX_AGE // 3600} hours ago; its {what} can no longer be changed"
        )
    columns = [column for change in changed for column in CHANGES[change]]
    assignments = ", ".join(f"{c} = ?" for c in columns)
    db.execute(f"update replies set {assignments} where id = ?", [*(record[c] for c in columns), reply_id])
    return Logged(reply_id, "updated", tuple(changed))


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
