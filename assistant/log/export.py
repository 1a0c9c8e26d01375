"""Export a week's statistics and replies as CSV or XLSX.

The figures come from one ``WeeklyStats`` object, so an export holds exactly the
numbers ``GET /api/v1/stats/weekly`` returns. CSV is UTF-8 with a byte-order
mark so Excel shows Chinese; every CSV cell that Excel would read as a formula
(starting with = + - @ or their full-width forms, also after spaces, line breaks or
zero-width characters) is prefixed with a quote (OWASP "CSV injection"). XLSX
is written with XlsxWriter (about twice as fast as openpyxl here) with text
always typed as text, such cells unchanged but quote-prefixed (a cell style, not a character). The columns, their
Chinese headers and the names the files for people use are in ``readable``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from zoneinfo import ZoneInfo

import sqlite_utils
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from assistant.engine.triage import safe_cell
from assistant.errors import InvalidInput
from assistant.log.auth import display_names
from assistant.log.readable import (
    AGREEMENT_SHEET,
    BOOK_COLUMNS,
    FIGURE_COLUMNS,
    NUMBER_KIND,
    ROW_COLUMNS,
    ROW_LABELS,
    ROWS_SHEET,
    SHEET_NAMES,
    SUMMARY_SHEET,
    Readable,
    figure_values,
)
from assistant.log.stats import (
    DIMENSIONS,
    FINAL_ESCALATE,
    FINAL_INTENT,
    FINAL_REASONS,
    Agreement,
    Kept,
    WeeklyStats,
    weekly_stats,
)
from assistant.taxonomy import AGREEMENT_LABELS, DIMENSION_LABELS, FIGURE_LABELS

# The ``replies`` expression of each export column that is not the column of that name.
ROW_SQL = {
    "intent": FINAL_INTENT,
    "escalate": FINAL_ESCALATE,
    "reasons": FINAL_REASONS,
    "assistant_intent": "intent",
    "assistant_escalate": "escalate",
    "assistant_reasons": "reasons",
}


def reply_rows(db: sqlite_utils.Database, week: str) -> Iterator[dict]:
    """The replies sent in a week, oldest first, with the columns of the export (texts are already redacted)."""
    columns = ", ".join(ROW_SQL.get(c, c) for c in ROW_COLUMNS)
    cursor = db.execute(f"select {columns} from replies where week = ? order by id", [week])
    for values in cursor:
        yield dict(zip(ROW_COLUMNS, values))


def figure_table(stats: WeeklyStats) -> Iterator[list]:
    """The week's figures as one tidy table: table, key, then ``FIGURE_COLUMNS``."""
    yield ["table", "key", *FIGURE_COLUMNS]
    yield ["summary", stats.week, *figure_values(stats.total)]
    for name in DIMENSIONS:
        for f in stats.breakdowns[name]:
            yield [f"by_{name}", f.key, *figure_values(f)]


def write_csv(stats: WeeklyStats, rows: Iterator[dict] | None, fp, *, people: Readable | None = None) -> None:
    """Write the figures (``rows`` None) or the replies of the week as CSV with a BOM to a text stream.

    Without ``people`` the columns are the ids scripts read (the API's contract). With it the file reads as the
    workbook does, for a person opening it in Excel: the workbook's Chinese headers, names as the pages say them, local
    times, 是/否, rates as percentages (「66.7%」, which Excel reads as a number).
    """
    fp.write("\ufeff")
    writer = csv.writer(fp, lineterminator="\r\n")
    if people is not None:
        lines = people.figure_lines(stats) if rows is None else people.row_lines(rows)
        for line in lines:
            writer.writerow([safe_cell(_percent(v) if kind == "percent" else v) for v, kind in line])
        return
    if rows is None:
        for line in figure_table(stats):
            writer.writerow([safe_cell(v) for v in line])
        return
    writer.writerow(ROW_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[c]) for c in ROW_COLUMNS])


def _percent(value):
    return f"{value:.1%}" if isinstance(value, int | float) else value


def write_xlsx(
    stats: WeeklyStats,
    rows: Iterator[dict],
    fp,
    *,
    template_titles: Mapping[str, str] | None = None,
    agent_names: Mapping[str, str] | None = None,
    tz: ZoneInfo | None = None,
) -> None:
    """Write a workbook to a binary stream: summary, one sheet per breakdown, and the rows, named and headed in Chinese.

    Its values read as the pages say them: intents, platforms, reasons and results by their Chinese names, templates by
    their situation (``template_titles``), agents by the names their drafts sign with (``agent_names``, login name ->
    display name) with the login name in a column of its own, 是/否, and times in ``tz`` (UTC, saying so, without one).
    The API's CSV keeps ids.
    Rates stay fractions (0.5) shown as percentages with one decimal (50.0%), counts as whole numbers; every sheet keeps
    its header row in view.

    Text is always written as text (``strings_to_formulas`` off), so a cell that
    starts with "=" is shown, never evaluated. Text a spreadsheet could read as a formula (what ``safe_cell`` would
    quote in a CSV) is written unchanged with a quote-prefix format: the cell shows "@客服 …" as it was written, and
    editing it in a spreadsheet does not turn it into a formula either. (In XLSX a leading quote would be part of
    the text, shown to the reader.)
    """
    book = xlsxwriter.Workbook(
        fp, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    formats = {kind: book.add_format({"num_format": pattern}) for kind, pattern in NUMBER_FORMATS.items()}
    # The same formats, quote-prefixed, for text that could be read as a formula ("" is a column without a number format).
    quoted = {kind: book.add_format({"num_format": pattern, "quote_prefix": True}) for kind, pattern in NUMBER_FORMATS.items()}
    quoted[""] = book.add_format({"quote_prefix": True})
    bold = book.add_format({"bold": True})

    def sheet_with(title: str, head: list[str], widths: list[int]) -> Worksheet:
        sheet = book.add_worksheet(title)
        sheet.freeze_panes(1, 0)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.write_row(0, 0, head, bold)
        return sheet

    def put(sheet: Worksheet, n: int, values: Iterable, columns: Iterable[str | None]) -> None:
        """Line ``n`` of a sheet, each value formatted as its column's kind of number (``NUMBER_KIND``)."""
        for position, (value, column) in enumerate(zip(values, columns)):
            kind = NUMBER_KIND.get(column or "", "")
            formula_like = isinstance(value, str) and safe_cell(value) != value
            sheet.write(n, position, value, quoted[kind] if formula_like else formats.get(kind))

    sheet = sheet_with(SUMMARY_SHEET, ["指标", "数值"], [16, 12])
    summary = [("week", stats.week), *zip(FIGURE_COLUMNS, figure_values(stats.total))]
    summary += [(c, getattr(stats, c)) for c in ("escalation_share", "median_days_to_outcome")]
    for n, (column, value) in enumerate(summary, start=1):
        put(sheet, n, [FIGURE_LABELS[column], value], [None, column])
    people = Readable(template_titles or {}, agent_names or {}, tz)
    head = ["指标", *(AGREEMENT_LABELS[c] for c in ("by_intent", "kept", "total", "rate"))]
    sheet = sheet_with(AGREEMENT_SHEET, head, [18, 20, 10, 10, 10])
    for n, (what, intent, kept) in enumerate(agreement_lines(stats.agreement), start=1):
        put(sheet, n, [AGREEMENT_LABELS[what], people.name("intent", intent), kept.kept, kept.total, kept.rate], KEPT_COLUMNS)
    for name, title in SHEET_NAMES.items():
        login = ["login"] if name == "agent" else []  # an agent: the name the page shows, then the login name
        head = [DIMENSION_LABELS[name], *(ROW_LABELS[c] for c in login), *(FIGURE_LABELS[c] for c in FIGURE_COLUMNS)]
        widths = [28 if name == "template" else 14, *(14 for _ in login), *(12 for _ in FIGURE_COLUMNS)]
        sheet = sheet_with(title, head, widths)
        for n, f in enumerate(stats.breakdowns[name], start=1):
            shown = [people.name(name, f.key), *(f.key for _ in login)]
            put(sheet, n, [*shown, *figure_values(f)], [None, *login, *FIGURE_COLUMNS])
    lines = people.row_lines(rows)
    sheet = sheet_with(ROWS_SHEET, people.row_head(), [ROW_WIDTHS.get(c, 10) for c in BOOK_COLUMNS])
    next(lines)  # the header, written above
    for n, line in enumerate(lines, start=1):
        put(sheet, n, [v for v, _ in line], BOOK_COLUMNS)
    book.close()


# How the workbook shows each kind of number (``readable.NUMBER_KIND``).
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "days": "0.0#"}
ROW_WIDTHS = {
    "sent_at": 17,
    "outcome_at": 17,
    "assistant_intent": 16,
    "intents": 24,
    "reasons": 16,
    "assistant_reasons": 18,
    "template_id": 28,
    "complaint": 50,
    "sent_text": 60,
}


KEPT_COLUMNS = [None, None, "kept", "total", "kept_rate"]


def agreement_lines(agreement: Agreement) -> Iterator[tuple[str, str, Kept]]:
    """The agreement as the workbook lists it: (what was kept, the assistant's intent or "all", how often), overall first."""
    yield "intent", AGREEMENT_LABELS["all"], agreement.intent
    yield "escalation", AGREEMENT_LABELS["all"], agreement.escalation
    for intent, kept in agreement.by_intent:
        yield "intent", intent, kept


def export_file(
    db: sqlite_utils.Database,
    week: str,
    fmt: str,
    table: str = "figures",
    *,
    template_titles: Mapping[str, str] | None = None,
    tz: ZoneInfo | None = None,
    for_people: bool = False,
) -> tuple[bytes, str, str]:
    """A week's export as (content, media type, file name), the same for the API, the pages and the CLI.

    ``template_titles`` and ``tz`` make the workbook's values read as the pages show them (see ``write_xlsx``); with
    ``for_people`` (the 数据统计 page's buttons) the CSV files read so too, else they keep the column ids of the API.

    :raises InvalidInput: for a malformed week, format or table
    """
    if fmt not in ("csv", "xlsx") or table not in ("figures", "rows"):
        raise InvalidInput("format must be csv or xlsx; table must be figures or rows")
    result = weekly_stats(db, week)
    name = f"assistant-{result.week}"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        rows = reply_rows(db, result.week)
        write_xlsx(result, rows, buffer, template_titles=template_titles, agent_names=display_names(db), tz=tz)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx"
    text = io.StringIO()
    people = Readable(template_titles or {}, display_names(db), tz) if for_people else None
    write_csv(result, reply_rows(db, result.week) if table == "rows" else None, text, people=people)
    suffix = "-rows" if table == "rows" else ""
    return text.getvalue().encode("utf-8"), "text/csv; charset=utf-8", f"{name}{suffix}.csv"
