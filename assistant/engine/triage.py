"""Batch triage for the morning backlog: read many complaints, rank them, write them back.

Input is CSV (the complaint in a column headed ``text`` or as shops' exports head it, 评价内容, 评价, 留言…
(``taxonomy.INPUT_HEADINGS``), a 追评 column read after it; other columns are kept; commas or tabs), JSONL (the
same names as fields) or plain text (one complaint a line), chosen by the file's extension; a .txt whose first
line is a tab-separated header naming the complaint's column is a table (Excel's 「Unicode 文本」).
Each complaint becomes one record with its position, top intents, escalation,
a severity (escalations first, then by intent urgency and anger) and the best
draft. A bad row is reported with its line number and skipped, never dropped
silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.engine.core import Engine, Suggestion
from assistant.engine.draft import FURTHER_UNSURE, stated
from assistant.errors import AssistantError, InvalidInput
from assistant.taxonomy import (
    COMPLAINT,
    DEFAULT_URGENCY,
    DIMENSION_LABELS,
    FIGURE_LABELS,
    INPUT_HEADINGS,
    INTENTS,
    KIND_LABELS,
    REASONS,
    URGENCY,
)

_ANGER = re.compile(r"[!！]|垃圾|骗子|坑人|恶心|无耻|气死|太差|差评|再也不|投诉|滚|去死|流氓|忍无可忍|受够")


@dataclass(frozen=True)
class Row:
    """One complaint read from the input: its position, the file line, its text and the other columns."""

    position: int
    line: int
    text: str
    extra: dict


@dataclass(frozen=True)
class Skipped:
    """A row that could not be triaged, with the reason."""

    line: int
    reason: str


@dataclass(frozen=True)
class Parsed:
    """A backlog read: its complaints, the rows that could not be read, and the headings the complaints were read
    from (a table's complaint column and its 追评 column, if any; None for plain lines)."""

    rows: list[Row]
    skipped: list[Skipped]
    column: str | None = None
    followup: str | None = None


def heading_key(heading: str) -> str:
    """A column heading as ``INPUT_HEADINGS`` are compared: NFKC, case-folded, without spaces and _ - . : # ( )."""
    return re.sub(r"[\s_\-.:#()]", "", unicodedata.normalize("NFKC", heading)).casefold()


def columns_named(field: str, headings: Iterable) -> list[str]:
    """The headings among ``headings`` that name ``field`` (a key of ``INPUT_HEADINGS``), the one listed first first."""
    rank = {heading_key(h): n for n, h in enumerate(INPUT_HEADINGS[field])}
    found = [h for h in headings if isinstance(h, str) and heading_key(h) in rank]
    return sorted(found, key=lambda h: rank[heading_key(h)])


def read_rows(path: Path) -> Parsed:
    """Read complaints from CSV, JSONL or plain text (by extension).

    :raises InvalidInput: when the file cannot be read at all (no known encoding, no complaint column)
    """
    return parse_rows(read_text(path), str(path))


# Encodings an input file may come in: UTF-8 (with or without a byte-order mark), UTF-16 (with one, as Excel's
# 「Unicode 文本」 writes it), and GBK/GB18030, which Excel on a Chinese Windows writes for 「CSV (逗号分隔)」.
def decode(raw: bytes) -> tuple[str, str] | None:
    """The text of a file's bytes and the name of the encoding it was read in; None when none fits."""
    if raw.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GBK")]
    for codec, label in candidates:
        try:
            return raw.decode(codec), label
        except UnicodeDecodeError:
            continue
    return None


def read_text(path: Path) -> str:
    """A whole input file as text, in any encoding ``decode`` knows.

    :raises InvalidInput: naming the file when it cannot be read or is in no known encoding
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror}") from None
    decoded = decode(raw)
    if decoded is None:
        raise InvalidInput(f"{path} is not UTF-8, UTF-16 or GBK text; save it as UTF-8")
    return decoded[0]


def parse_rows(content: str, name: str) -> Parsed:
    """Parse complaints from text already read; ``name``'s extension picks CSV, JSONL or plain text.

    :raises InvalidInput: for a table without a complaint column, with two of it, or that cannot be read
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".csv" or (suffix == ".txt" and delimiter_of(content) == "\t"):
        return _read_csv(content, name)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(content)
    return Parsed([Row(i, n, line.strip(), {}) for i, (n, line) in enumerate(_nonblank(content), start=1)], [])


def delimiter_of(content: str, columns: Iterable[str] = INPUT_HEADINGS["text"]) -> str:
    """How a table's cells are separated: a tab when its first line has a tab and one of ``columns`` (compared as
    ``heading_key`` folds them) among its tab-separated cells, else a comma.

    Excel's 「Unicode 文本」 (UTF-16, saved as .txt) is such a table, and so is a CSV a spreadsheet saved with tabs.
    A backlog names its complaint's column; 我的回复's sheet its 编号 and 结果 (``worksheet.import_outcomes``).
    """
    header = content.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    cells = {heading_key(cell) for cell in header.split("\t")}
    return "\t" if "\t" in header and not cells.isdisjoint(heading_key(c) for c in columns) else ","


def _nonblank(content: str):
    for n, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            yield n, line


def _read_csv(content: str, path: str) -> Parsed:
    delimiter = delimiter_of(content)
    opened = _unclosed_quote(content, delimiter)
    if opened is not None:  # the reader would run that cell to the end of the file: every later complaint in one
        raise InvalidInput(
            f"{path}: line {opened}: a quote opens a cell that never closes; the lines after it would be one complaint"
        )
    try:
        return _csv_rows(content, path, delimiter)
    except csv.Error as e:  # a cell over the csv module's field limit (131,072 characters)
        raise InvalidInput(f"{path}: cannot read the table ({e})") from None


def _unclosed_quote(content: str, delimiter: str) -> int | None:
    """The line on which a quoted cell opens that is never closed, as Python's csv reader reads a cell: a quote at
    a cell's start opens it, a doubled quote inside stands for one, and a quote inside an unquoted cell is text.

    Only quotes, line breaks and delimiters are visited (a regular expression finds them), not every character."""
    line, quoted_since, escaped = 1, None, -1
    for m in re.finditer(f'"|\n|{re.escape(delimiter)}', content):
        i, c = m.start(), m.group()
        if c == "\n":
            line += 1
        elif c != '"' or i == escaped:
            continue
        elif quoted_since is not None:
            if content.startswith('"', i + 1):
                escaped = i + 1  # a doubled quote inside the cell
            else:
                quoted_since = None  # closed; the reader keeps any text after it in the same cell
        elif i == 0 or content[i - 1] in (delimiter, "\n", "\r"):
            quoted_since = line
    return quoted_since


def _csv_rows(content: str, path: str, delimiter: str) -> Parsed:
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter, restval="")  # a short row's missing cells: ""
    headings = reader.fieldnames or []
    named = columns_named("text", headings)
    if not named:
        raise InvalidInput(
            f"{path} has no complaint column (columns: {', '.join(headings) or 'none'}); "
            f"head it one of: {', '.join(INPUT_HEADINGS['text'])}"
        )
    column, followup = named[0], next(iter(columns_named("followup", headings)), None)
    for heading in filter(None, (column, followup)):
        if headings.count(heading) > 1:  # DictReader would keep the last one's cells, and drop the others unsaid
            raise InvalidInput(f"{path} has {headings.count(heading)} '{heading}' columns; keep one")
    rows, skipped = [], []
    position = 0
    for record in reader:
        position += 1
        # The line the record starts on: the reader is past its last line, and skipped any blank lines before it.
        cells = [v for value in record.values() for v in (value if isinstance(value, list) else [value]) if v]
        line = reader.line_num - sum(cell.count("\n") for cell in cells)
        if None in record:
            skipped.append(Skipped(line, "more cells than columns"))
            continue
        text = with_followup(record.pop(column) or "", (record.pop(followup) or "") if followup else "")
        rows.append(Row(position, line, text, record))
    return Parsed(rows, skipped, column, followup)


def with_followup(text: str, followup: str) -> str:
    """A review and its later addition (追评) as one complaint: the addition often says what went wrong (a review
    of 「还行」 and, a week on, 「用了一周就坏了」), so it is triaged and answered with the review, on its own line."""
    if not followup.strip():
        return text
    return f"{text}\n追评：{followup.strip()}" if text.strip() else followup


def _read_jsonl(content: str) -> Parsed:
    rows, skipped = [], []
    for position, (n, line) in enumerate(_nonblank(content), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            skipped.append(Skipped(n, f"not valid JSON ({e.msg})"))
            continue
        texts = columns_named("text", [k for k, v in record.items() if isinstance(v, str)]) if isinstance(record, dict) else []
        if not texts:
            skipped.append(Skipped(n, "no complaint field (text, 评价内容 or another complaint heading)"))
            continue
        followup = next((k for k in columns_named("followup", record) if isinstance(record[k], str)), None)
        text = with_followup(record.pop(texts[0]), record.pop(followup) if followup else "")
        rows.append(Row(position, n, text, record))
    return Parsed(rows, skipped)


def severity(suggestion: Suggestion) -> float:
    """Higher is more urgent: escalations first (by reason), then intent urgency, then anger."""
    score = 0.0
    if suggestion.escalation.escalate:
        score += 100 + 10 * suggestion.escalation.severity + 5 * (len(suggestion.escalation.reasons) - 1)
    if suggestion.intents:
        score += URGENCY.get(suggestion.intents[0].id, DEFAULT_URGENCY) * 5
    score += min(10, len(_ANGER.findall(suggestion.normalized.full)))
    return round(score, 1)


# How 批量分拣 names a severity for an agent, the number kept beside it: an escalation first, then the intents whose
# urgency is 7 or more (safety, privacy, spoiled food: 35 points), then the rest.
SEVERITY_LEVELS = ((100.0, "紧急"), (35.0, "较急"), (0.0, "一般"))


def severity_level(score: float) -> str:
    """The word for a severity (``SEVERITY_LEVELS``)."""
    return next(label for floor, label in SEVERITY_LEVELS if score >= floor)


# The columns triage writes, in this order, before the input's own; an input column of one of these names is kept as
# "input_<name>" (an uploaded "line" or "severity" column is the customer's data, not ours to overwrite).
COLUMNS = ("line", "file_line", "severity", "escalate", "reasons", "kind", "intents", "text", "draft", "action")
# The same columns as 批量分拣's download heads them for agents (``write_records(labels=True)``); ``assistant triage``
# keeps the ids above, which scripts read (DESIGN.md "Contracts").
COLUMN_LABELS = {
    "line": "序号",
    "file_line": "文件行",
    "severity": "紧急度",
    "escalate": FIGURE_LABELS["escalated"],
    "reasons": "转线下原因",
    "kind": "类型",
    "intents": DIMENSION_LABELS["intent"],
    "text": "投诉",
    "draft": "建议草稿",
    "action": "处理建议",
}


def triage(engine: Engine, rows: list[Row], progress=None, *, agent: str | None = None) -> tuple[list[dict], list[Skipped]]:
    """Suggest for every row and return records sorted most severe first, plus rows that failed.

    :param agent: the name the drafts sign with (the signed-in agent's); None: the library's generic one
    """
    records, skipped = [], []
    for row in rows:
        try:
            s = engine.suggest(row.text, agent=agent)
        except AssistantError as e:
            skipped.append(Skipped(row.line, str(e)))
        else:
            records.append(
                {
                    **{(f"input_{k}" if k in COLUMNS else k): v for k, v in row.extra.items()},
                    "line": row.position,
                    "file_line": row.line,  # the file's own line number, as the skipped-row warnings count
                    "text": row.text,
                    "kind": s.kind,  # complaint, praise or question
                    # the top intent, and further ones only where they are more than a weak guess or the complaint
                    # names their problem (as drafting: 「客服还不理人」 beside 漏发 at 0.19)
                    "intents": [
                        m.id
                        for n, m in enumerate(s.intents)
                        if n == 0 or m.score >= FURTHER_UNSURE or stated(m.id, s.normalized.text)
                    ],
                    "escalate": s.escalation.escalate,
                    "reasons": [r.id for r in s.escalation.reasons],
                    "severity": severity(s),
                    "action": s.escalation.action if s.escalation.escalate else "",
                    "draft": s.drafts[0].text if s.drafts else "",
                }
            )
        if progress:
            progress(1)
    records.sort(key=lambda r: (-r["severity"], r["line"]))
    return records, skipped


def write_records(records: list[dict], fp, fmt: str, *, labels: bool = False) -> None:
    """Write triaged records as CSV (lists joined with "|", formula-safe cells, header included) or JSONL.

    :param labels: CSV for people (批量分拣's download): our columns headed in Chinese (``COLUMN_LABELS``), 是/否,
        reasons, intents (a complaint's only, as the page shows them) and the kind by their Chinese names (joined with
        "、"), severity a whole number; the input's own columns keep their names and cells (``_heading``)
    """
    if fmt == "jsonl":
        for record in records:
            fp.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    extra = [k for r in records for k in r if k not in COLUMNS]
    columns = list(COLUMNS) + list(dict.fromkeys(extra))
    head = [_heading(c) for c in columns] if labels else columns
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in head])  # the header's extra columns come from the uploaded file
    for record in records:
        values = {**record, **_labelled(record)} if labels else record
        writer.writerow([_cell(values.get(k, "")) for k in columns])


def _heading(column: str) -> str:
    """A column's heading for people: ours in Chinese; the input's by its own name (its "line" is no longer renamed
    "input_line", as no id heads our columns), with "（原表）" after one that is spelt like a Chinese heading."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    name = column.removeprefix("input_") if column.removeprefix("input_") in COLUMNS else column
    return f"{name}（原表）" if name in COLUMN_LABELS.values() else name


def _labelled(record: dict) -> dict:
    """A record's own values as an agent reads them (``write_records(labels=True)``)."""
    return {
        "severity": round(record["severity"]),
        "escalate": "是" if record["escalate"] else "否",
        "reasons": "、".join(REASONS.get(r, r) for r in record["reasons"]),
        "kind": KIND_LABELS.get(record["kind"], record["kind"]),
        # as the page lists them: praise and a plain question are not complaints, so no problem is named for them
        "intents": "、".join(INTENTS.get(i, i) for i in record["intents"]) if record["kind"] == COMPLAINT else "",
    }


def _cell(value) -> str:
    """A CSV cell: lists joined with "|", a JSONL input's null empty and its objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, list) and not any(isinstance(v, (list, dict)) for v in value):
        value = "|".join("" if v is None else str(v) for v in value)
    elif isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return safe_cell(str(value))


# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"), full-width forms included (some
# spreadsheets fold them), and what may stand before it unseen: whitespace, line breaks, zero-width and BOM characters.
_FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
_UNSEEN_PREFIX = re.compile(r"[\s\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]*")


def safe_cell(value):
    """A value safe for a spreadsheet cell: text that could run as a formula gets a leading quote.

    That is text starting with = + - @ (or their full-width forms), a tab or a line break, also after leading
    spaces, line breaks or zero-width characters. Anything that is not text is returned as it is.
    """
    if not isinstance(value, str) or not value:
        return value
    start = _UNSEEN_PREFIX.match(value).end()  # type: ignore[union-attr]  # a * pattern always matches
    if value[0] in _FORMULA_START or value[start : start + 1] in _FORMULA_START:
        return "'" + value
    return value
