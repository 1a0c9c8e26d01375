"""批量分拣's ranked backlogs, kept an hour for their owner's download link (personal data masked)."""

from __future__ import annotations

import secrets
import time

import sqlite_utils

from assistant.log.db import write_transaction
from assistant.log.redact import redact

TRIAGE_KEPT_S = 3600  # how long a ranked backlog's download link works


def keep_triage_csv(db: sqlite_utils.Database, owner: str, text: str, *, now: float | None = None) -> str:
    """Keep a ranked backlog's CSV (personal data masked) for its owner's download link; return the link's id.

    Results older than ``TRIAGE_KEPT_S`` are deleted on the way, so the table holds at most an hour of batches.
    """
    now = time.time() if now is None else now
    result_id = secrets.token_urlsafe(12)
    with write_transaction(db):
        db.execute("delete from triage_results where at < ?", [now - TRIAGE_KEPT_S])
        db.execute("insert into triage_results (id, owner, at, csv) values (?, ?, ?, ?)", [result_id, owner, now, redact(text)])
    return result_id


def triage_csv(db: sqlite_utils.Database, result_id: str, owner: str, *, now: float | None = None) -> str | None:
    """A kept backlog's CSV for its owner, or None when it is unknown, another user's or older than an hour."""
    now = time.time() if now is None else now
    row = db.execute(
        "select csv from triage_results where id = ? and owner = ? and at >= ?", [result_id, owner, now - TRIAGE_KEPT_S]
    ).fetchone()
    return row[0] if row else None
