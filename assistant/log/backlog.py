"""批量分拣's ranked backlogs, kept an hour for their owner's download link (the complaints and drafts masked)."""

from __future__ import annotations

import io
import secrets
import time

import sqlite_utils

from assistant.engine.triage import write_records
from assistant.log.db import write_transaction
from assistant.log.redact import redact

TRIAGE_KEPT_S = 3600  # how long a ranked backlog's download link works


def keep_triage_csv(db: sqlite_utils.Database, owner: str, records: list[dict], *, now: float | None = None) -> str:
    """Keep a ranked backlog as 批量分拣's CSV (``triage.write_records(labels=True)``) for its owner's download link;
    return the link's id.

    The complaint and its draft (which quotes it) are masked (``redact``): a customer may write a phone number or a
    card into a complaint. The uploaded file's own columns are kept as they were (README): they are the agent's own
    records (订单号, 买家昵称), which the agent needs to act on a row, and masked they were lost, e.g. an order number
    of 18-19 digits read as a bank card. Results older than ``TRIAGE_KEPT_S`` are deleted on the way, so the table
    holds at most an hour of batches.
    """
    now = time.time() if now is None else now
    out = io.StringIO()
    write_records([{**r, "text": redact(r["text"]), "draft": redact(r["draft"])} for r in records], out, "csv", labels=True)
    result_id = secrets.token_urlsafe(12)
    with write_transaction(db):
        db.execute("delete from triage_results where at < ?", [now - TRIAGE_KEPT_S])
        db.execute("insert into triage_results (id, owner, at, csv) values (?, ?, ?, ?)", [result_id, owner, now, out.getvalue()])
    return result_id


def triage_csv(db: sqlite_utils.Database, result_id: str, owner: str, *, now: float | None = None) -> str | None:
    """A kept backlog's CSV for its owner, or None when it is unknown, another user's or older than an hour."""
    now = time.time() if now is None else now
    row = db.execute(
        "select csv from triage_results where id = ? and owner = ? and at >= ?", [result_id, owner, now - TRIAGE_KEPT_S]
    ).fetchone()
    return row[0] if row else None
