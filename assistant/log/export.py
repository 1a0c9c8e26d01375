"""Export a week's statistics and replies as CSV or XLSX.

The figures come from one ``WeeklyStats`` object, so an export holds exactly the
numbers ``GET /api/v1/stats/weekly`` returns. CSV is UTF-8 with a byte-order
mark so Excel shows Chinese; every CSV cell that Excel would read as a formula
(starting with = + - @ or their full-width forms, also after spaces, line breaks or
zero-width characters) is prefixed with a quote (OWASP "CSV injection"). XLSX
is written with XlsxWriter (about twice as fast as openpyxl here) with text
always typed as text, such cells unchanged but quote-prefixed (a cell style, not a character).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlite_utils
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from assistant.engine.triage import safe_cell
from assistant.errors import InvalidInput
from assistant.log.auth import display_names
from assistant.log.stats import (
    DIMENSIONS,
    FINAL_ESCALATE,
    FINAL_INTENT,
    FINAL_REASONS,
    Agreement,
    Kept,
    WeeklyStats,
    local_time,
    weekly_stats,
)
from assistant.taxonomy import (
    ACCOUNT_LABELS,
    AGREEMENT_LABELS,
    DIMENSION_LABELS,
    FIGURE_LABELS,
    INTENTS,
    PLATFORMS,
    REASONS,
    RESULT_LABELS,
)

FIGURE_COLUMNS = [
    "sent",
    "known",
    "pending",
    "converted",
    "upgraded",
    "positive_followup",
    "deleted",
    "escalated",
    "rate",
    "low",
    "high",
]
ROW_COLUMNS = [
    "id",
    "sent_at",
    "week",
    "agent",
    "platform",
    "intent",
    "assistant_intent",
    "intents",
    "escalate",
    "assistant_escalate",
    "reasons",
    "assistant_reasons",
    "template_id",
    "complaint",
    "sent_text",
    "edit_ratio",
    "sincerity",
    "rating",
    "outcome",
    "outcome_at",
    "rating_after",
]
# ``intent``, ``escalate`` and ``reasons`` are the reply's as the figures count it (the agent's correction on the draft
# page, if any: the reasons go with the escalation verdict they belong to, none when the agent said it stays online);
# ``assistant_intent``, ``assistant_escalate``, ``assistant_reasons`` and ``intents`` are what the assistant said, each
# right after the column it answers (``intents`` the assistant's list, best first).
# The API's CSV keeps the column ids above (scripts read them); the workbook and the page's CSV files are for people, so
# their sheets and headers are Chinese, named as the pages name them (``FIGURE_LABELS``, ``DIMENSION_LABELS`` and the
# other tables of ``assistant.taxonomy``).
SHEET_NAMES = {name: f"按{label}" for name, label in DIMENSION_LABELS.items()}
SUMMARY_SHEET, ROWS_SHEET, AGREEMENT_SHEET = "汇总", "回复明细", AGREEMENT_LABELS["title"]
ROW_LABELS = {
    "id": "编号",
    "sent_at": "发送时间（UTC）",
    "week": FIGURE_LABELS["week"],
    "agent": DIMENSION_LABELS["agent"],
    "login": ACCOUNT_LABELS["name"],  # the workbook's only: the agent's login name beside the name the pages show
    "platform": DIMENSION_LABELS["platform"],
    "intent": DIMENSION_LABELS["intent"],
    "assistant_intent": AGREEMENT_LABELS["by_intent"],
    "intents": "识别出的类型",
    "escalate": FIGURE_LABELS["escalated"],
    "assistant_escalate": "助手建议转线下",
    "reasons": "转线下原因",
    "assistant_reasons": "助手判断的转线下原因",  # as 助手判断的问题类型 names the assistant's intent
    "template_id": DIMENSION_LABELS["template"],
    "complaint": "投诉",
    "sent_text": "发出的回复",
    "edit_ratio": "改动比例",
    "sincerity": "真诚度",
    "rating": "原评分",
    "outcome": "结果",
    "outcome_at": "结果登记时间（UTC）",
    "rating_after": "之后的评分",
}


RATE_COLUMNS = ("rate", "low", "high")


def figure_values(figures) -> list:
    """A group's ``FIGURE_COLUMNS``; the rate and its interval are blank (None) when no reply has an outcome yet."""
    return [getattr(figures, c) for c in FIGURE_COLUMNS]


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


@dataclass(frozen=True)
class Readable:
    """How the files for people name things: intents, platforms, reasons and results by their Chinese names, templates
    by situation, agents as drafts sign, times in ``tz`` (None: UTC). The one place the exports and 我的回复's worksheet
    turn ids into names."""

    template_titles: Mapping[str, str] = field(default_factory=dict)
    agent_names: Mapping[str, str] = field(default_factory=dict)
    tz: ZoneInfo | None = None

    def names(self, column: str) -> Mapping[str, str]:
        """The names of the ids a column (of a reply, or a breakdown) holds; empty for a column of no ids."""
        by_column = {
            "intent": INTENTS,
            "assistant_intent": INTENTS,
            "intents": INTENTS,
            "reasons": REASONS,
            "assistant_reasons": REASONS,
            "platform": PLATFORMS,
            "outcome": RESULT_LABELS,
            "template": self.template_titles,
            "template_id": self.template_titles,
            "agent": self.agent_names,
        }
        return by_column.get(column, {})

    def name(self, column: str, key: str | None) -> str | None:
        """An id (an intent, platform, reason, result, template or agent) as the pages name it; an unknown one as it is."""
        return self.names(column).get(key, key) if key is not None else None

    def value(self, column: str, value):
        """One reply field as a person reads it: ids by name, lists of ids joined with 、, 是/否, local times."""
        if value is None:
            return FIGURE_LABELS["pending"] if column == "outcome" else None
        if column in ("escalate", "assistant_escalate"):
            return "是" if value else "否"
        if column in ("intents", "reasons", "assistant_reasons"):
            try:
                ids = json.loads(value)
            except (TypeError, ValueError):
                return value
            return "、".join(str(self.name(column, i)) for i in ids) if isinstance(ids, list) else value
        if column in ("sent_at", "outcome_at") and self.tz is not None:
            return local_time(value, self.tz)
        return self.name(column, value)

    def row_head(self) -> list[str]:
        zone = "UTC" if self.tz is None else "本地时间"
        return [ROW_LABELS[c].replace("UTC", zone) for c in BOOK_COLUMNS]

    def row_lines(self, rows: Iterable[dict]) -> Iterator[list[tuple[object, str]]]:
        """The replies as the workbook's 回复明细 sheet: its header, then (value, number kind) per cell."""
        yield [(h, "") for h in self.row_head()]
        for row in rows:
            row["login"] = row["agent"]
            yield [(self.value(c, row[c]), NUMBER_KIND.get(c, "")) for c in BOOK_COLUMNS]

    def figure_lines(self, stats: WeeklyStats) -> Iterator[list[tuple[object, str]]]:
        """The week's figures in one table: what (汇总 or a breakdown sheet's name), its name, an agent's login name,
        then the figures, headed as the workbook heads them."""
        head = ["分类", "名称", ACCOUNT_LABELS["name"], *(FIGURE_LABELS[c] for c in FIGURE_COLUMNS)]
        yield [(h, "") for h in head]
        kinds = [NUMBER_KIND[c] for c in FIGURE_COLUMNS]
        week = f"{stats.week[:4]} 年第 {int(stats.week[6:])} 周"
        yield [(SUMMARY_SHEET, ""), (week, ""), ("", ""), *zip(figure_values(stats.total), kinds)]
        for name in DIMENSIONS:
            for f in stats.breakdowns[name]:
                login = f.key if name == "agent" else ""
                yield [(SHEET_NAMES[name], ""), (self.name(name, f.key), ""), (login, ""), *zip(figure_values(f), kinds)]


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


# How the workbook shows a number: counts whole (1,234), rates in percent with one decimal (66.7%), days as the page (1.75).
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "days": "0.0#"}
NUMBER_KIND = {
    **{c: "count" for c in (*FIGURE_COLUMNS, "kept", "total")},
    **{c: "percent" for c in (*RATE_COLUMNS, "escalation_share", "edit_ratio", "kept_rate")},
    "median_days_to_outcome": "days",
}
BOOK_COLUMNS = [c for column in ROW_COLUMNS for c in ([column, "login"] if column == "agent" else [column])]
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
