"""我的回复's worksheet, both ways: the replies a filter selects as a sheet to fill in with Excel
(``worksheet_csv``), and the outcomes read back from it, or from any ``reply_id,result[,rating_after][,note]``
CSV (``import_outcomes``, all or nothing)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.engine.triage import delimiter_of, safe_cell
from assistant.errors import InvalidInput
from assistant.log.auth import display_names
from assistant.log.db import write_transaction
from assistant.log.export import Readable
from assistant.log.history import ReplyFilter, find_replies
from assistant.log.outcomes import NOTE_CHARS, parse_rating, record_outcome
from assistant.log.stats import local_time
from assistant.taxonomy import RESULT_LABELS, RESULTS

MAX_IMPORT_ROWS = 20_000  # rows of one outcome import (about 10 s of checking and writing at the limit)


# 我的回复's worksheet: the replies a filter selects, to fill in with Excel and upload again. Its columns, in order, with
# the import's name for each one it reads back (None: shown only). 结果 is left empty, so a row nobody fills in changes
# nothing; the current result, if any, is beside it. The writer's headers and the reader's names both come from here.
WORKSHEET = (
    ("编号", "reply_id"),
    ("发送时间", None),
    ("客服", None),
    ("平台", None),
    ("问题", None),
    ("投诉", None),
    ("发出的回复", None),
    ("当前结果", None),
    ("结果", "result"),
    ("之后的评分", "rating_after"),
    ("备注", "note"),
)
WORKSHEET_COLUMNS = tuple(header for header, _ in WORKSHEET)
# The columns of an outcome import by the names a file may give them: the API's and the CLI's ids, or the worksheet's
# Chinese headers, which an agent or a lead fills in with Excel.
IMPORT_HEADERS = {header: column for header, column in WORKSHEET if column}
WORKSHEET_ROWS = MAX_IMPORT_ROWS


def worksheet_csv(db: sqlite_utils.Database, where: ReplyFilter, *, tz: ZoneInfo) -> bytes:
    """The worksheet of the replies ``where`` selects (newest first, at most ``WORKSHEET_ROWS``), as UTF-8 CSV with a
    byte-order mark for Excel; customer text is written as text, never as a formula (``safe_cell``)."""
    rows, _ = find_replies(db, where, tz=tz, limit=WORKSHEET_ROWS)
    people = Readable(agent_names=display_names(db))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(WORKSHEET_COLUMNS)
    for r in rows:
        current = people.name("outcome", r["outcome"]) or ""
        agent, platform = people.name("agent", r["agent"]), people.name("platform", r["platform"])
        # 问题 as the statistics count it (the agent's correction, if any), so a list filtered by it says that one
        cells = [r["id"], local_time(r["sent_at"], tz), agent, platform, people.name("intent", r["final_intent"]) or ""]
        cells += [r["complaint"], r["sent_text"], current, "", "", ""]
        writer.writerow([safe_cell(v) for v in cells])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


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


_RESULT_BY_LABEL = {label: key for key, label in RESULT_LABELS.items()}  # a result may be given as the pages name it


def _import_reader(content: str) -> csv.DictReader:
    # Commas, or tabs as Excel's 「Unicode 文本」 saves the sheet (UTF-16, .txt)
    delimiter = delimiter_of(content, (*IMPORT_HEADERS, *IMPORT_HEADERS.values()))
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    if reader.fieldnames:
        reader.fieldnames = [IMPORT_HEADERS.get(name.strip(), name.strip()) for name in reader.fieldnames]
    return reader


def _existing_ids(db: sqlite_utils.Database, content: str, agent: str | None) -> set[int]:
    """The reply ids among the file's ``reply_id`` cells that exist (and are ``agent``'s, if given), looked up in
    chunks, not the whole log.

    :raises ImportRejected: when the file has more than ``MAX_IMPORT_ROWS`` rows (records, whose cells may hold line
        breaks: the sheet's complaints and replies often do), read no further
    """
    wanted = set()
    try:
        for n, record in enumerate(_import_reader(content), start=1):
            if n > MAX_IMPORT_ROWS:
                problem = f"the file has more than {MAX_IMPORT_ROWS} rows; import at most {MAX_IMPORT_ROWS} rows at a time"
                raise ImportRejected([ImportProblem(1, problem)])
            value = (record.get("reply_id") or "").strip()
            if value.isascii() and value.isdigit() and len(value) < 19:
                wanted.add(int(value))
    except csv.Error:
        pass  # reported with its line by the caller's own pass over the file
    ids = sorted(wanted)
    found: set[int] = set()
    mine = "" if agent is None else " and agent = ?"
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = f"select id from replies where id in ({', '.join('?' * len(chunk))}){mine}"
        found.update(r[0] for r in db.execute(query, [*chunk, *([] if agent is None else [agent])]))
    return found


def import_outcomes(
    db: sqlite_utils.Database, content: str, *, by: str, agent: str | None = None, now: datetime | None = None
) -> int:
    """Import outcomes from CSV (``reply_id,result[,rating_after][,note]``), all or nothing.

    Every row is validated before anything is written. The columns may also be named as 我的回复's worksheet names
    them (``IMPORT_HEADERS``) and a result as the pages name it (「已改好评」); a row with no result, rating or note
    is one left blank in the worksheet, and is passed over.

    :param agent: when given, only this agent's replies may be named (another's is "not found", as on the pages)

    :returns: the number of outcomes recorded
    :raises ImportRejected: listing every bad row with its line; the log is unchanged
    """
    reader = _import_reader(content)
    missing = {"reply_id", "result"} - set(reader.fieldnames or [])
    if missing:
        raise ImportRejected([ImportProblem(1, f"missing column(s): {', '.join(sorted(missing))}")])
    rows, errors = [], []
    known = _existing_ids(db, content, agent)
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
        if not any((record.get(column) or "").strip() for column in ("result", "rating_after", "note")):
            continue
        try:
            reply_id = int((record.get("reply_id") or "").strip())
        except ValueError:
            errors.append(ImportProblem(line_start, f"reply_id {record.get('reply_id')!r} is not a number"))
            continue
        result = (record.get("result") or "").strip()
        result = _RESULT_BY_LABEL.get(result, result)
        if reply_id not in known:
            errors.append(ImportProblem(line_start, f"reply {reply_id} not found"))
            continue
        if not result:  # a rating or a note, but no result: said as such, not as an unknown result ''
            errors.append(ImportProblem(line_start, "a rating or note without a result"))
            continue
        if result not in RESULTS:
            errors.append(ImportProblem(line_start, f"result {result!r} is not one of: {', '.join(RESULTS)}"))
            continue
        try:
            rating = parse_rating(record.get("rating_after"))
        except InvalidInput as e:
            errors.append(ImportProblem(line_start, f"rating_after: {e}"))
            continue
        note = (record.get("note") or "").strip() or None
        if note is not None and len(note) > NOTE_CHARS:  # as record_outcome says it, but for every such line at once
            errors.append(ImportProblem(line_start, f"note is longer than {NOTE_CHARS} characters"))
            continue
        rows.append((reply_id, result, rating, note))
    if errors:
        raise ImportRejected(errors)
    with write_transaction(db):
        for reply_id, result, rating, note in rows:
            record_outcome(db, reply_id, result, by=by, rating_after=rating, note=note, now=now)
    return len(rows)
