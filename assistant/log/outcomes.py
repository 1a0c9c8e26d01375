"""What happened to a sent reply's review: outcomes recorded one at a time (the row form, the API) or many at once (a
worksheet's import), and the rules every way in shares (a star rating, a note).

Outcomes are appended: a later outcome supersedes the earlier one (kept, marked ``superseded``) and becomes the reply's
current outcome. The replies themselves are logged by ``sent``; the reads are in ``history``, the worksheet's round trip
in ``worksheet``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from assistant.errors import InvalidInput, NotFound
from assistant.log.db import all_or_nothing, insert
from assistant.log.history import current_outcomes
from assistant.log.redact import redact
from assistant.taxonomy import RESULTS

NOTE_CHARS = 2000  # the longest note an outcome keeps, from the row form, the API or a sheet


FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_STARS = re.compile(r"([1-5])\s*(?:星|颗星)?")


def parse_rating(value: str | int | float | None) -> int | None:
    """A star rating 1-5, however a form, a sheet's cell, a backlog's column or the API gives it: 4, 4.0 (a JSON
    number), "4", "４", "4星", "4 颗星" ("" or None: unknown). The one rule for every rating the pages, the sheets and
    the API take.

    :raises InvalidInput: for anything else (0, 10, 3.5, "3.5", "4-5", "²", "٣", True)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(f"rating {str(value)[:20]!r} is not 1-5")
    text = str(value).strip().translate(FULL_WIDTH_DIGITS)
    stars = _STARS.fullmatch(text)
    if stars is None:
        raise InvalidInput(f"rating {text[:20]!r} is not 1-5")
    return int(stars[1])


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
    _check(result, note)
    stamp = _stamp(now)
    with all_or_nothing(db):
        row = db.execute("select agent from replies where id = ?", [reply_id]).fetchone()
        if not row or (owner is not None and row[0] != owner):
            raise NotFound(f"reply {reply_id} not found")
        db.execute("update outcomes set superseded = 1 where reply_id = ? and superseded = 0", [reply_id])
        outcome = dict(zip(_OUTCOME_COLUMNS, _outcome_values(reply_id, result, rating_after, stored_note(note), by, stamp)))
        outcome_id = insert(db, "outcomes", outcome)
        db.execute(
            "update replies set outcome = ?, outcome_at = ?, rating_after = ? where id = ?",
            [result, stamp, rating_after, reply_id],
        )
    return outcome_id


@dataclass(frozen=True)
class NewOutcome:
    """One outcome of ``record_outcomes``: what ``record_outcome`` takes, and the reply's outcome it was judged against."""

    reply_id: int
    result: str
    rating_after: int | None = None
    note: str | None = None  # as typed: redacted before it is stored
    # The id of the reply's current outcome when this one was decided (0: none yet), or None: whatever it is now.
    version: int | None = None


_OUTCOME_COLUMNS = ("reply_id", "result", "rating_after", "note", "recorded_by", "recorded_at", "superseded")


def record_outcomes(
    db: sqlite_utils.Database, outcomes: Sequence[NewOutcome], *, by: str, now: datetime | None = None
) -> list[NewOutcome]:
    """Record many outcomes as ``record_outcome`` records one, in one short write transaction; return those left out.

    An outcome whose ``version`` is no longer its reply's current outcome (another was recorded meanwhile, on the page,
    through the API or by another import) is not recorded: the newer outcome stays, and the caller says so. Everything
    that can be done before taking the write lock (checks, redaction) is; inside it are one read of the replies'
    current outcomes and three batched statements.

    :raises InvalidInput: for an unknown result, a note over ``NOTE_CHARS``, or a reply named twice
    :raises NotFound: when a reply does not exist; nothing is recorded
    """
    ids = [o.reply_id for o in outcomes]
    twice = [i for i, n in Counter(ids).items() if n > 1]
    if twice:
        raise InvalidInput(f"reply {twice[0]} is named twice")
    for o in outcomes:
        _check(o.result, o.note)
    stamp = _stamp(now)
    notes = [stored_note(o.note) for o in outcomes]
    left_out = []
    with all_or_nothing(db):
        current = current_outcomes(db, ids)
        rows = []
        for o, note in zip(outcomes, notes, strict=True):
            if o.reply_id not in current:
                raise NotFound(f"reply {o.reply_id} not found")
            now_ = current[o.reply_id]
            if o.version is not None and o.version != (now_.id if now_ else 0):
                left_out.append(o)
                continue
            rows.append(_outcome_values(o.reply_id, o.result, o.rating_after, note, by, stamp))
        db.conn.executemany("update outcomes set superseded = 1 where reply_id = ? and superseded = 0", [r[:1] for r in rows])
        columns, marks = ", ".join(_OUTCOME_COLUMNS), ", ".join("?" * len(_OUTCOME_COLUMNS))
        db.conn.executemany(f"insert into outcomes ({columns}) values ({marks})", rows)
        db.conn.executemany(
            "update replies set outcome = ?, outcome_at = ?, rating_after = ? where id = ?",
            [(r[1], stamp, r[2], r[0]) for r in rows],
        )
    return left_out


def _check(result: str, note: str | None) -> None:
    if result not in RESULTS:
        raise InvalidInput(f"result must be one of: {', '.join(RESULTS)}")
    if note is not None and len(note) > NOTE_CHARS:
        raise InvalidInput(f"note is longer than {NOTE_CHARS} characters")


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def stored_note(note: str | None) -> str | None:
    """A note as stored: redacted (it may name a phone, an address, an ID number); one of only spaces (an API
    client's) is no note."""
    return redact(note) if note and note.strip() else None


def _outcome_values(reply_id: int, result: str, rating_after: int | None, note: str | None, by: str, stamp: str) -> tuple:
    """An outcome row, in ``_OUTCOME_COLUMNS`` order: the current one (not superseded)."""
    return (reply_id, result, rating_after, note, by, stamp, 0)


def outcome_history(db: sqlite_utils.Database, reply_id: int) -> list[dict]:
    """Every outcome recorded for a reply, oldest first."""
    return list(db.table("outcomes").rows_where("reply_id = ?", [reply_id], order_by="id"))
