"""Reads of the outcome log: the replies 我的回复 lists, one reply, and the history ``Engine.suggest`` needs
(earlier unresolved replies to the same customer or order, texts already sent, per-template conversion)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.engine.core import History
from assistant.errors import InvalidInput
from assistant.log.redact import keyed_hash
from assistant.log.stats import FINAL_ESCALATE, FINAL_INTENT, template_conversion
from assistant.taxonomy import RESOLVED, RESULTS

REPEAT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ReplyFilter:
    """What 我的回复 shows: whose replies, which status, platform, intent, words and local dates (all optional).

    ``status`` is "pending" (no outcome yet), "all", or one of ``RESULTS`` (the current outcome); ``text``
    is searched in the complaint and the sent reply; ``since`` and ``until`` are local dates, both included;
    ``intent`` is the one the statistics count (the agent's correction, if any, else the assistant's).
    """

    agent: str | None = None
    status: str = "all"
    platform: str | None = None
    intent: str | None = None
    text: str | None = None
    since: date | None = None
    until: date | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_replies(
    db: sqlite_utils.Database, where: ReplyFilter, *, tz: ZoneInfo, limit: int = 50, offset: int = 0
) -> tuple[list[dict], int]:
    """A page of the replies ``where`` selects, newest first, and how many it selects in all.

    :raises InvalidInput: for a status that is neither "pending", "all" nor a result
    """
    clauses, params = ["1 = 1"], []
    if where.agent is not None:
        clauses.append("agent = ?")
        params.append(where.agent)
    if where.status == "pending":
        clauses.append("outcome is null")
    elif where.status in RESULTS:
        clauses.append("outcome = ?")
        params.append(where.status)
    elif where.status != "all":
        raise InvalidInput(f"status must be pending, all or one of: {', '.join(RESULTS)}")
    if where.platform:
        clauses.append("platform = ?")
        params.append(where.platform)
    if where.intent:  # the intent the statistics count (the agent's correction, if any): a bar's replies are its count
        clauses.append(f"{FINAL_INTENT} = ?")
        params.append(where.intent)
    if where.text and where.text.strip():
        clauses.append("(complaint like ? escape '\\' or sent_text like ? escape '\\')")
        params += [_like(where.text.strip())] * 2
    if where.since is not None:
        clauses.append("sent_at >= ?")
        params.append(_utc_midnight(where.since, tz))
    if where.until is not None:
        clauses.append("sent_at < ?")
        params.append(_utc_midnight(where.until + timedelta(days=1), tz))
    condition = " and ".join(clauses)
    total = db.execute(f"select count(*) from replies where {condition}", params).fetchone()[0]
    query = f"select {_WITH_NOTE} from replies where {condition} order by id desc limit ? offset ?"
    return list(db.query(query, [*params, limit, offset])), total


# A reply row with the note of its current outcome (``outcome_note``), as the lists show it beside the result, and
# the intent and escalation the statistics count it under (``final_intent``, ``final_escalate``).
_WITH_NOTE = (
    "replies.*, (select note from outcomes where outcomes.reply_id = replies.id and outcomes.superseded = 0"
    f" order by outcomes.id desc limit 1) as outcome_note, {FINAL_INTENT} as final_intent, {FINAL_ESCALATE} as final_escalate"
)


@dataclass(frozen=True)
class Current:
    """A reply's current outcome as stored: its id (the reply's outcome version: every outcome recorded gets a new,
    larger one), result, rating after and (redacted) note."""

    id: int
    result: str
    rating_after: int | None
    note: str | None


def current_outcomes(db: sqlite_utils.Database, reply_ids: Iterable[int]) -> dict[int, Current | None]:
    """The current outcome of each of ``reply_ids`` that is a reply (None: it has none yet; a reply that does not
    exist is left out), looked up in chunks (an import's 20,000 rows). The one read of the outcomes a sheet is written
    against and an import checks, inside its write lock too (``outcomes.record_outcomes``)."""
    ids = sorted(set(reply_ids))
    found: dict[int, Current | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = (
            "select replies.id, outcomes.id, outcomes.result, outcomes.rating_after, outcomes.note from replies "
            "left join outcomes on outcomes.reply_id = replies.id and outcomes.superseded = 0 "
            f"where replies.id in ({', '.join('?' * len(chunk))}) order by replies.id, outcomes.id"
        )
        # the newest wins, should two ever be current
        for reply_id, outcome_id, *outcome in db.execute(query, chunk):
            found[reply_id] = None if outcome_id is None else Current(outcome_id, *outcome)
    return found


def _utc_midnight(day: date, tz: ZoneInfo) -> str:
    """The UTC time stamp (as stored in ``sent_at``) of the start of a local day."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).isoformat(timespec="seconds")


def reply(db: sqlite_utils.Database, reply_id: int, *, owner: str | None = None) -> dict | None:
    """One reply as stored, or None when it does not exist (or, with ``owner``, belongs to another agent)."""
    record = next(db.query(f"select {_WITH_NOTE} from replies where id = ?", [reply_id]), None)
    if record is None or (owner is not None and record["agent"] != owner):
        return None
    return record


def earlier_unresolved(
    db: sqlite_utils.Database, *, customer_ref: str | None, order_ref: str | None, now: datetime, tz: ZoneInfo
) -> list[str]:
    """Dates (YYYY-MM-DD, local) of replies to the same customer or order in the last 30 days not yet resolved."""
    refs = [(col, ref) for col, ref in (("customer_ref", customer_ref), ("order_ref", order_ref)) if ref]
    if not refs:
        return []
    since = (now - timedelta(days=REPEAT_WINDOW_DAYS)).astimezone(UTC).isoformat(timespec="seconds")
    where = " or ".join(f"{col} = ?" for col, _ in refs)
    placeholders = ", ".join("?" for _ in RESOLVED)
    rows = db.execute(
        f"select sent_at from replies where ({where}) and sent_at >= ? "
        f"and (outcome is null or outcome not in ({placeholders})) order by sent_at",
        [ref for _, ref in refs] + [since, *RESOLVED],
    ).fetchall()
    return sorted({datetime.fromisoformat(r[0]).astimezone(tz).date().isoformat() for r in rows})


def recent_texts(
    db: sqlite_utils.Database,
    *,
    customer_ref: str | None,
    order_ref: str | None,
    platform: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> list[str]:
    """Texts already sent to this customer or order (ever), or on this platform today (local day)."""
    clauses, params = [], []
    for col, ref in (("customer_ref", customer_ref), ("order_ref", order_ref)):
        if ref:
            clauses.append(f"{col} = ?")
            params.append(ref)
    if platform:
        local = now.astimezone(tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        clauses.append("(platform = ? and sent_at >= ?)")
        params += [platform, start.isoformat(timespec="seconds")]
    if not clauses:
        return []
    return [r[0] for r in db.execute(f"select sent_text from replies where {' or '.join(clauses)}", params)]


def history_for(
    db: sqlite_utils.Database,
    *,
    key: bytes,
    tz: ZoneInfo,
    customer: str | None,
    order_id: str | None,
    platform: str | None,
    now: datetime | None = None,
    conversion: dict | None = None,
) -> History:
    """What the log knows for ``Engine.suggest``: earlier unresolved dates, texts already sent, conversion.

    :param customer: the buyer's identity (platform nickname or ID) as ``log_shown`` stored it, never a salutation

    :param conversion: per-template conversion already at hand (the web app caches it); queried if None
    """
    now = now or datetime.now(UTC)
    customer_ref, order_ref = keyed_hash(customer, key), keyed_hash(order_id, key)
    return History(
        earlier=tuple(earlier_unresolved(db, customer_ref=customer_ref, order_ref=order_ref, now=now, tz=tz)),
        recent=tuple(recent_texts(db, customer_ref=customer_ref, order_ref=order_ref, platform=platform, now=now, tz=tz)),
        conversion=conversion if conversion is not None else template_conversion(db),
    )
