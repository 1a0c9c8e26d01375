"""我的回复's worksheet, both ways: the replies a filter selects as a sheet to fill in with Excel
(``worksheet_csv``), and the outcomes read back from it, or from any ``reply_id,result[,rating_after][,note]``
CSV (``import_outcomes``: bad rows refuse the whole file; rows already recorded, or changed since the sheet was
downloaded, change nothing)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.engine.triage import delimiter_of, safe_cell
from assistant.errors import InvalidInput
from assistant.log.auth import display_names
from assistant.log.history import Current, ReplyFilter, current_outcomes, find_replies
from assistant.log.outcomes import FULL_WIDTH_DIGITS, NOTE_CHARS, NewOutcome, parse_rating, record_outcomes, stored_note
from assistant.log.readable import Readable
from assistant.log.stats import local_time
from assistant.taxonomy import RESULT_LABELS, RESULTS

# Rows of one outcome import: at the limit, 1-2 s of reading and checking and 0.8-1.4 s holding the write lock on the
# busy 2-core machine (bench/outcome_log.py, docs/benchmarks.md)
MAX_IMPORT_ROWS = 20_000


# 我的回复's worksheet: the replies a filter selects, to fill in with Excel and upload again. Its columns, in order, with
# the import's name for each one it reads back (None: shown only). 结果 is left empty, so a row nobody fills in changes
# nothing; the current result, if any, is beside it. The last column is the version of that current result (the id of
# the outcome it is, 0 for none): a row whose reply got another outcome after the download is passed over, not written
# over the newer one. The writer's headers and the reader's names both come from here.
WORKSHEET = (
    ("编号", "reply_id"),
    ("发送时间", None),
    ("客服", None),
    ("平台", None),
    ("问题", None),
    ("投诉", None),
    ("发出的回复", None),
    ("当前结果", "current"),
    ("结果", "result"),
    ("之后的评分", "rating_after"),
    ("备注", "note"),
    ("版本（请勿修改）", "version"),
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
    # 当前结果 and the version from the same read, so the sheet never pairs a result with another result's version
    current = current_outcomes(db, (r["id"] for r in rows))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(WORKSHEET_COLUMNS)
    for r in rows:
        now = current.get(r["id"])
        label = (people.name("outcome", now.result) or "") if now else ""
        agent, platform = people.name("agent", r["agent"]), people.name("platform", r["platform"])
        # 问题 as the statistics count it (the agent's correction, if any), so a list filtered by it says that one
        cells = [r["id"], local_time(r["sent_at"], tz), agent, platform, people.name("intent", r["final_intent"]) or ""]
        cells += [r["complaint"], r["sent_text"], label, "", "", "", now.id if now else 0]
        writer.writerow([safe_cell(v) for v in cells])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class ImportProblem:
    """One bad (or skipped) row of an outcome import."""

    line: int
    message: str
    reply_id: int | None = None  # a skipped row's reply


class ImportRejected(InvalidInput):
    """An outcome import had bad rows; nothing was changed."""

    def __init__(self, errors: list[ImportProblem]):
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"line {first.line}: {first.message}{more}; nothing was imported")


@dataclass(frozen=True)
class Imported:
    """What an outcome import did."""

    recorded: int  # outcomes written
    unchanged: int = 0  # filled-in rows whose reply already has that outcome (the same sheet uploaded again): not written
    # Rows passed over, each with its line: their reply got another outcome after the sheet was downloaded (on the page,
    # through the API, by another sheet), and the newer outcome is kept
    skipped: tuple[ImportProblem, ...] = ()


_RESULT_BY_LABEL = {label: key for key, label in RESULT_LABELS.items()}  # a result may be given as the pages name it
_READ = ("reply_id", "current", "result", "rating_after", "note", "version")  # the columns the import reads
ID_DIGITS = 18  # the most digits of a reply id or version a sheet may hold: any such number is below SQLite's 2**63


def parse_id(value: str) -> int | None:
    """A reply id or version as a sheet's cell holds it: at most ``ID_DIGITS`` ASCII digits, or full-width ones (「１２」,
    typed with the input method in full-width mode, is 12); None for anything else, though Python's ``int`` would take
    it ("1_0", "+12", "٣", " 1 2") or refuse it with an error (over 4,300 digits)."""
    text = value.strip().translate(FULL_WIDTH_DIGITS)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None


def _shown(value: str) -> str:
    """A cell's text in a message: at most 40 characters, unprintable ones escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:40])


def _records(content: str) -> tuple[list[tuple[int, dict]], set[str], list[ImportProblem]]:
    """The file's records, each with the line it starts on; the columns it has; the problem that stopped the reading,
    if any.

    :raises ImportRejected: for a header that cannot be read, lacks 编号 or 结果, or names a column twice, and for more
        than ``MAX_IMPORT_ROWS`` records (whose cells may hold line breaks: the sheet's complaints and replies often do)
    """
    # Commas, or tabs as Excel's 「Unicode 文本」 saves the sheet (UTF-16, .txt)
    delimiter = delimiter_of(content, (*IMPORT_HEADERS, *IMPORT_HEADERS.values()))
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
    except csv.Error as e:  # a header cell over the csv module's limit (131,072 characters)
        raise ImportRejected([ImportProblem(1, f"the header row cannot be read ({e})")]) from None
    names = [IMPORT_HEADERS.get(name.strip(), name.strip()) for name in header]
    reader.fieldnames = names
    twice = sorted({name for name in names if name in _READ and names.count(name) > 1}, key=_READ.index)
    if twice:
        raise ImportRejected([ImportProblem(1, f"column {name!r} appears {names.count(name)} times; keep one") for name in twice])
    missing = {"reply_id", "result"} - set(names)
    if missing:
        raise ImportRejected([ImportProblem(1, f"missing column(s): {', '.join(sorted(missing))}")])
    records: list[tuple[int, dict]] = []
    problems: list[ImportProblem] = []
    line = 1
    rows = iter(reader)
    while True:
        try:
            record = next(rows)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(ImportProblem(line + 1, f"unreadable CSV: {e}"))
            break
        if len(records) == MAX_IMPORT_ROWS:
            problem = f"the file has more than {MAX_IMPORT_ROWS} rows; import at most {MAX_IMPORT_ROWS} rows at a time"
            raise ImportRejected([ImportProblem(1, problem)])
        records.append((line + 1, record))
        line = reader.line_num
    return records, set(names), problems


def _existing_ids(db: sqlite_utils.Database, ids: set[int], agent: str | None) -> set[int]:
    """Those of ``ids`` that are replies (``agent``'s, if given), looked up in chunks, not the whole log."""
    wanted = sorted(ids)
    found: set[int] = set()
    mine = "" if agent is None else " and agent = ?"
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = f"select id from replies where id in ({', '.join('?' * len(chunk))}){mine}"
        found.update(r[0] for r in db.execute(query, [*chunk, *([] if agent is None else [agent])]))
    return found


@dataclass(frozen=True)
class _Row:
    line: int
    reply_id: int
    result: str
    rating: int | None
    note: str | None
    version: int | None  # the sheet's version cell (None: no such column, or left empty)
    current: str | None  # the sheet's 当前结果 cell (None: no such column)


def import_outcomes(
    db: sqlite_utils.Database, content: str, *, by: str, agent: str | None = None, now: datetime | None = None
) -> Imported:
    """Import outcomes from CSV (``reply_id,result[,rating_after][,note]``); a bad row refuses the whole file.

    Every row is checked before anything is written. The columns may also be named as 我的回复's worksheet names
    them (``IMPORT_HEADERS``) and a result as the pages name it (「已改好评」); a row with no result, rating or note
    is one left blank in the worksheet, and is passed over.

    A row is written only over the outcome it was filled in against: the one its sheet's version cell names, else (a
    sheet downloaded before that column existed) the one its 当前结果 cell names, else (a plain CSV) the reply's
    outcome when the file is read. A row whose reply got another outcome since is passed over and listed in
    ``Imported.skipped``; one asking for the outcome its reply already has, or for its result with rating and note left
    blank, is not written again (``unchanged``: the rating and note recorded with it stay), so a sheet uploaded twice
    records its outcomes once. The reading and checking happen before the write lock is taken;
    the writing is one short transaction (``outcomes.record_outcomes``).

    :param agent: when given, only this agent's replies may be named (another's is "not found", as on the pages)
    :raises ImportRejected: listing every bad row with its line; the log is unchanged
    """
    records, columns, errors = _records(content)
    rows: list[_Row] = []
    for line, record in records:
        cell = partial(_cell, record)
        if not any(cell(column) for column in ("result", "rating_after", "note")):
            continue
        if not cell("reply_id"):
            errors.append(ImportProblem(line, "a result without a reply_id"))
            continue
        reply_id = parse_id(cell("reply_id"))
        if reply_id is None:
            errors.append(ImportProblem(line, f"reply_id '{_shown(cell('reply_id'))}' is not a number"))
            continue
        result = _RESULT_BY_LABEL.get(cell("result"), cell("result"))
        if not result:  # a rating or a note, but no result: said as such, not as an unknown result ''
            errors.append(ImportProblem(line, "a rating or note without a result"))
            continue
        if result not in RESULTS:
            errors.append(ImportProblem(line, f"result '{_shown(result)}' is not one of: {', '.join(RESULTS)}"))
            continue
        try:
            rating = parse_rating(record.get("rating_after"))
        except InvalidInput as e:
            errors.append(ImportProblem(line, f"rating_after: {e}"))
            continue
        note = cell("note") or None
        if note is not None and len(note) > NOTE_CHARS:  # as record_outcome says it, but for every such line at once
            errors.append(ImportProblem(line, f"note is longer than {NOTE_CHARS} characters"))
            continue
        version = parse_id(cell("version")) if cell("version") else None
        if cell("version") and version is None:
            errors.append(ImportProblem(line, f"version '{_shown(cell('version'))}' was changed; download the sheet again"))
            continue
        rows.append(_Row(line, reply_id, result, rating, note, version, cell("current") if "current" in columns else None))
    known = _existing_ids(db, {r.reply_id for r in rows}, agent)
    first: dict[int, _Row] = {}
    for r in rows:
        if r.reply_id not in known:
            errors.append(ImportProblem(r.line, f"reply {r.reply_id} not found"))
        elif r.reply_id in first and _asked(first[r.reply_id]) != _asked(r):
            errors.append(ImportProblem(r.line, f"reply {r.reply_id} is also on line {first[r.reply_id].line}; keep one"))
        first.setdefault(r.reply_id, r)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda p: p.line))
    return _write(db, list(first.values()), len(rows) - len(first), by=by, now=now)


def _cell(record: dict, column: str) -> str:
    return (record.get(column) or "").strip()


def _asked(row: _Row) -> tuple:
    return row.result, row.rating, row.note


def _write(db: sqlite_utils.Database, rows: list[_Row], repeated: int, *, by: str, now: datetime | None) -> Imported:
    """Write the checked ``rows`` (one per reply), each over the outcome it was filled in against (see
    ``import_outcomes``); ``repeated``: the rows that named a reply a second time with the same outcome."""
    current = current_outcomes(db, (r.reply_id for r in rows))
    skipped, new, lines = [], [], {}
    unchanged = repeated
    for r in rows:
        now_ = current.get(r.reply_id)
        if now_ and _unchanged(r, now_):
            unchanged += 1
            continue
        if not _filled_against(r, now_):
            skipped.append(_changed(r, now_))
            continue
        lines[r.reply_id] = r
        new.append(NewOutcome(r.reply_id, r.result, r.rating, r.note, version=now_.id if now_ else 0))
    left_out = record_outcomes(db, new, by=by, now=now)  # changed while this import ran: kept, as above
    skipped += [_changed(lines[o.reply_id], None) for o in left_out]
    return Imported(len(new) - len(left_out), unchanged, tuple(sorted(skipped, key=lambda p: p.line)))


def _unchanged(row: _Row, current: Current) -> bool:
    """Whether ``row`` asks for what its reply already has: the same result, rating and note, or the same result with
    rating and note left blank (the current result typed again keeps the rating and note recorded with it)."""
    if row.result != current.result:
        return False
    blank = row.rating is None and row.note is None
    return blank or (row.rating, stored_note(row.note)) == (current.rating_after, current.note)


def _filled_against(row: _Row, current: Current | None) -> bool:
    """Whether ``row`` was filled in against ``current``, the reply's outcome now, as far as its sheet tells."""
    if row.version is not None:
        return row.version == (current.id if current else 0)
    if row.current is not None:  # a sheet downloaded before the version column: 当前结果 as it was then
        result = _RESULT_BY_LABEL.get(row.current, row.current)
        return result == (current.result if current else "")
    return True  # a plain CSV: whatever the reply has now


def _changed(row: _Row, current: Current | None) -> ImportProblem:
    now = f" (now {current.result})" if current else ""
    message = f"reply {row.reply_id} got another outcome after the sheet was downloaded{now}; not recorded"
    return ImportProblem(row.line, message, row.reply_id)
