"""What a week's export holds and how the files for people say it.

The columns of the week's figures and of its replies, by the ids the API's CSV heads them with (scripts read them);
the Chinese sheet names and headers of the workbook and of 数据统计's CSV files, named as the pages name them
(``FIGURE_LABELS``, ``DIMENSION_LABELS`` and the other tables of ``assistant.taxonomy``); the kind of number each
column holds; and ``Readable``, the one place the exports and 我的回复's worksheet turn ids into names. No SQL and no
file format: ``export`` reads the rows and writes the files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from assistant.log.stats import DIMENSIONS, WeeklyStats, local_time
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


# The kind of number a column holds: counts whole (1,234), rates in percent with one decimal (66.7%), days as the
# page (1.75); ``export.NUMBER_FORMATS`` says how the workbook shows each kind.
NUMBER_KIND = {
    **{c: "count" for c in (*FIGURE_COLUMNS, "kept", "total")},
    **{c: "percent" for c in (*RATE_COLUMNS, "escalation_share", "edit_ratio", "kept_rate")},
    "median_days_to_outcome": "days",
}
# The replies' columns in the files for people: the agent's login name right after the name the pages show
BOOK_COLUMNS = [c for column in ROW_COLUMNS for c in ([column, "login"] if column == "agent" else [column])]


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
