"""The outcome log: replies sent and what happened to the review afterwards.

A reply is stored with its complaint and texts redacted and its customer and
order references as keyed hashes. Outcomes are appended: a later outcome
supersedes the earlier one (kept, marked ``superseded``) and becomes the
reply's current outcome. The history the engine needs (earlier unresolved
replies, texts already sent) is read here and handed to ``Engine.suggest``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlite_utils
from rapidfuzz import fuzz

from assistant.db import write_transaction
from assistant.engine import Suggestion
from assistant.errors import InvalidInput, NotFound
from assistant.redact import keyed_hash, redact
from assistant.sincerity import check_sincerity
from assistant.stats import iso_week, template_conversion

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


RESULTS = ("upgraded", "positive_followup", "deleted", "unchanged", "resolved_offline", "escalated_further", "no_response")
CONVERTED = ("upgraded", "positive_followup", "deleted")
RESOLVED = CONVERTED + ("resolved_offline",)
REPEAT_WINDOW_DAYS = 30


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
    """Record a sent reply and return its id.

    :param suggestion: what the engine said about the complaint (intents, escalation, drafts)
    :param sent_text: the text the agent actually sent
    :param template_id: the draft the agent started from (default: the first draft)
    :param key: the HMAC key for customer and order references
    :raises InvalidInput: for an empty reply or an unknown template id
    """
    if not sent_text or not sent_text.strip():
        raise InvalidInput("sent_text is empty")
    now = now or datetime.now(timezone.utc)
    drafts = {d.template_id: d for d in suggestion.drafts}
    if template_id is None and suggestion.drafts:
        template_id = suggestion.drafts[0].template_id
    draft = drafts.get(template_id)
    drafted = draft.text if draft else None
    complaint = suggestion.normalized.original
    record = {
        "sent_at": now.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "week": iso_week(now, tz),
        "agent": agent,
        "platform": platform,
        "intent": suggestion.intents[0].id if suggestion.intents else "other",
        "intents": json.dumps([m.id for m in suggestion.intents]),
        "escalate": int(suggestion.escalation.escalate),
        "reasons": json.dumps([r.id for r in suggestion.escalation.reasons]),
        "template_id": template_id,
        "complaint": redact(complaint),
        "drafted_text": redact(drafted) if drafted else None,
        "sent_text": redact(sent_text.strip()),
        "edit_ratio": round(1 - fuzz.ratio(drafted, sent_text.strip()) / 100, 3) if drafted else None,
        "sincerity": check_sincerity(sent_text, complaint).score,
        "customer_ref": keyed_hash(customer, key),
        "order_ref": keyed_hash(order_id, key),
        "rating": rating,
    }
    return db["replies"].insert(record).last_pk


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
    :raises InvalidInput: for an unknown result
    :raises NotFound: when the reply does not exist (or belongs to another agent)
    """
    if result not in RESULTS:
        raise InvalidInput(f"result must be one of: {', '.join(RESULTS)}")
    now = now or datetime.now(timezone.utc)
    stamp = now.astimezone(timezone.utc).isoformat(timespec="seconds")
    with (db.atomic() if db.conn.in_transaction else write_transaction(db)):
        row = db.execute("select agent from replies where id = ?", [reply_id]).fetchone()
        if not row or (owner is not None and row[0] != owner):
            raise NotFound(f"reply {reply_id} not found")
        db.execute("update outcomes set superseded = 1 where reply_id = ? and superseded = 0", [reply_id])
        outcome_id = db["outcomes"].insert(
            {"reply_id": reply_id, "result": result, "rating_after": rating_after, "note": note,
             "recorded_by": by, "recorded_at": stamp, "superseded": 0}
        ).last_pk
        db.execute(
            "update replies set outcome = ?, outcome_at = ?, rating_after = ? where id = ?",
            [result, stamp, rating_after, reply_id],
        )
    return outcome_id


def outcome_history(db: sqlite_utils.Database, reply_id: int) -> list[dict]:
    """Every outcome recorded for a reply, oldest first."""
    return list(db["outcomes"].rows_where("reply_id = ?", [reply_id], order_by="id"))


def earlier_unresolved(
    db: sqlite_utils.Database, *, customer_ref: str | None, order_ref: str | None, now: datetime, tz: ZoneInfo
) -> list[str]:
    """Dates (YYYY-MM-DD, local) of replies to the same customer or order in the last 30 days not yet resolved."""
    refs = [(col, ref) for col, ref in (("customer_ref", customer_ref), ("order_ref", order_ref)) if ref]
    if not refs:
        return []
    since = (now - timedelta(days=REPEAT_WINDOW_DAYS)).astimezone(timezone.utc).isoformat(timespec="seconds")
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
        start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
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
) -> dict:
    """What the log knows for ``Engine.suggest``: earlier unresolved dates, texts already sent, conversion.

    :param conversion: per-template conversion already at hand (the web app caches it); queried if None
    """
    now = now or datetime.now(timezone.utc)
    customer_ref, order_ref = keyed_hash(customer, key), keyed_hash(order_id, key)
    return {
        "earlier": earlier_unresolved(db, customer_ref=customer_ref, order_ref=order_ref, now=now, tz=tz),
        "recent": recent_texts(db, customer_ref=customer_ref, order_ref=order_ref, platform=platform, now=now, tz=tz),
        "conversion": conversion if conversion is not None else template_conversion(db),
    }


@dataclass(frozen=True)
class ImportProblem:
    """One bad row of an outcome import."""

    line: int
    message: str


class ImportRejected(InvalidInput):
    """An outcome import had bad rows; nothing was changed."""

    def __init__(self, errors: list[ImportProblem]):
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"line {first.line}: {first.message}{more}; nothing was imported")


def _existing_ids(db: sqlite_utils.Database, content: str) -> set[int]:
    """The reply ids among the file's ``reply_id`` cells that exist, looked up in chunks, not the whole log."""
    wanted = set()
    try:
        for record in csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline="")):
            value = (record.get("reply_id") or "").strip()
            if value.isascii() and value.isdigit() and len(value) < 19:
                wanted.add(int(value))
    except csv.Error:
        pass  # reported with its line by the caller's own pass over the file
    ids = sorted(wanted)
    found = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(r[0] for r in db.execute(f"select id from replies where id in ({', '.join('?' * len(chunk))})", chunk))
    return found


def import_outcomes(db: sqlite_utils.Database, content: str, *, by: str, now: datetime | None = None) -> int:
    """Import outcomes from CSV (``reply_id,result[,rating_after][,note]``), all or nothing.

    Every row is validated before anything is written.

    :returns: the number of outcomes recorded
    :raises ImportRejected: listing every bad row with its line; the log is unchanged
    """
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    missing = {"reply_id", "result"} - set(reader.fieldnames or [])
    if missing:
        raise ImportRejected([ImportProblem(1, f"missing column(s): {', '.join(sorted(missing))}")])
    rows, errors = [], []
    known = _existing_ids(db, content)
    line = 1
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as e:
            errors.append(ImportProblem(reader.line_num, f"unreadable CSV: {e}"))
            break
        line_start, line = line + 1, reader.line_num
        try:
            reply_id = int((record.get("reply_id") or "").strip())
        except ValueError:
            errors.append(ImportProblem(line_start, f"reply_id {record.get('reply_id')!r} is not a number"))
            continue
        result = (record.get("result") or "").strip()
        if reply_id not in known:
            errors.append(ImportProblem(line_start, f"reply {reply_id} not found"))
            continue
        if result not in RESULTS:
            errors.append(ImportProblem(line_start, f"result {result!r} is not one of: {', '.join(RESULTS)}"))
            continue
        try:
            rating = parse_rating(record.get("rating_after"))
        except InvalidInput as e:
            errors.append(ImportProblem(line_start, f"rating_after: {e}"))
            continue
        rows.append((reply_id, result, rating, (record.get("note") or "").strip() or None))
    if errors:
        raise ImportRejected(errors)
    with write_transaction(db):
        for reply_id, result, rating, note in rows:
            record_outcome(db, reply_id, result, by=by, rating_after=rating, note=note, now=now)
    return len(rows)
