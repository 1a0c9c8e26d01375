"""What leads read, the way every shell gets it: the week's overview and trend, the library's use, reloading it.

The JSON API, the lead pages and the CLI call these functions; the queries stay in the log
modules (``stats``, ``export``), the formatting in the shells. Where the log already answers in one call (a
week's figures: ``stats.weekly_stats``; a week's export: ``export.export_file``) the shells call it directly.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.config import Settings
from assistant.engine.core import Engine
from assistant.engine.library import Template, search_words
from assistant.engine.sincerity import Sincerity
from assistant.log.db import bump_stamp, open_db, read_stamp
from assistant.log.stats import (
    YEARS,
    WeeklyStats,
    WeekTotal,
    iso_week,
    parse_week,
    template_conversion,
    template_usage,
    week_replies,
    week_totals,
    weekly_stats,
)
from assistant.taxonomy import INTENTS, OFFLINE

TREND_WEEKS = 12


@dataclass(frozen=True)
class WeekOverview:
    """The statistics page: a week's figures, the trend up to it and its latest replies."""

    week: str
    current: WeeklyStats
    trend: list[WeekTotal]
    rows: list[dict]
    prev_week: str | None  # None at the edge of the weeks the statistics accept (2000-W01 to 2099's last)
    next_week: str | None  # None for this week and later: nothing has happened there yet
    monday: date  # the week's first day, and
    sunday: date  # its last: the page names the dates, not only the ISO week's number
    choices: list[tuple[str, date, date]]  # the weeks the page's picker lists (week, Monday, Sunday), newest first


# The weeks 数据统计's picker lists: this one and the year before it (older ones by 上一周 or the address).
CHOICE_WEEKS = 53


def week_overview(db: sqlite_utils.Database, week: str | None, tz: ZoneInfo, *, trend_weeks: int = TREND_WEEKS) -> WeekOverview:
    """The figures of ``week`` (default: this week in ``tz``), the ``trend_weeks`` ending with it, its latest replies."""
    this_week = iso_week(datetime.now(UTC), tz)
    week = parse_week(week) if week else this_week
    following = shift_week(week, 1)
    return WeekOverview(
        week=week,
        current=weekly_stats(db, week),
        trend=week_totals(db, [w for w in previous_weeks(week, trend_weeks) if _accepted(w)]),
        rows=week_replies(db, week),
        prev_week=shift_week(week, -1) if _accepted(shift_week(week, -1)) else None,
        next_week=following if _accepted(following) and following <= this_week else None,  # no link into the future
        monday=_day(week, 1),
        sunday=_day(week, 7),
        choices=week_choices(week, this_week),
    )


def week_choices(shown: str, this_week: str, n: int = CHOICE_WEEKS) -> list[tuple[str, date, date]]:
    """The ``n`` weeks ending with ``this_week`` and the four either side of ``shown`` (none after this week but
    ``shown`` itself), newest first."""
    around = [shift_week(shown, k) for k in range(-4, 5)]
    weeks = {w for w in previous_weeks(this_week, n) + around if _accepted(w) and w <= this_week} | {shown}
    return [(w, _day(w, 1), _day(w, 7)) for w in sorted(weeks, reverse=True)]


def _day(week: str, weekday: int) -> date:
    """A day of an ISO week (1: its Monday, 7: its Sunday)."""
    return date.fromisocalendar(int(week[:4]), int(week[6:]), weekday)


def _accepted(week: str) -> bool:
    """Whether the statistics accept ``week`` (the API and the page take the same range, ``parse_week``'s)."""
    return int(week[:4]) in YEARS


def previous_weeks(week: str, n: int) -> list[str]:
    """The ``n`` ISO weeks ending with ``week`` (oldest first)."""
    return [shift_week(week, -k) for k in range(n - 1, -1, -1)]


def shift_week(week: str, by: int) -> str:
    """The ISO week ``by`` weeks after ``week`` (before, when negative)."""
    year, number = int(week[:4]), int(week[6:])
    monday = date.fromisocalendar(year, number, 1) + timedelta(weeks=by)
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


@dataclass(frozen=True)
class TemplateUse:
    """One template on the library page: its sample text, how often it was sent, its measured conversion, its sincerity."""

    t: Template
    text: str
    used: int
    converted: int
    known: int
    sincerity: Sincerity


def library_overview(
    engine: Engine, db: sqlite_utils.Database, *, q: str = "", intent: str = ""
) -> list[tuple[str, list[TemplateUse]]]:
    """Templates by intent (offline invitations last), filtered by intent and a search text (every word of it, as the
    quick phrases search), with usage and sincerity."""
    usage = template_usage(db)
    conversion = template_conversion(db)
    library = engine.library
    words = search_words(q)
    groups = []
    for group in [*INTENTS, OFFLINE]:
        if intent and group != intent:
            continue
        templates = library.templates if group == OFFLINE else library.for_intent(group)
        items = []
        for t in templates:
            if (group == OFFLINE) != (t.kind == OFFLINE):
                continue
            text, sincerity = engine.previews[t.id]  # drafted for its first example and scored once per engine, not per view
            if t.found_by(words, text) is None:
                continue
            converted, known = conversion.get(t.id, (0, 0))
            items.append(TemplateUse(t, text, usage.get(t.id, 0), converted, known, sincerity))
        if items:
            groups.append((group, items))
    return groups


LIBRARY_STAMP = "library"  # the stamp in the log that counts reply-library reloads


def reload_engine(settings: Settings) -> Engine:
    """A new engine from the library files (the caller swaps it in).

    :raises LibraryError: naming the file (and line, where there is one) of the first problem: a file missing, a
        folder, unreadable, not UTF-8 (``words.txt`` saved as GBK) or malformed (``Engine.from_settings``)
    """
    return Engine.from_settings(settings)


def reload_library(settings: Settings) -> tuple[Engine, int]:
    """A new engine from the library files and the library's new version, bumped in the log.

    Every process of ``assistant serve --workers N`` watches that version (``library_version``) and
    reloads its own engine when it moves, so a reload asked of one worker reaches them all.

    :raises LibraryError: naming the file and line of the first problem (the version is then unchanged)
    """
    engine = reload_engine(settings)
    with closing(open_db(settings.db_path, migrate=False)) as db:
        return engine, bump_stamp(db, LIBRARY_STAMP)


def library_version(settings: Settings) -> int:
    """How many times the library has been reloaded through any worker (0 before the first reload)."""
    with closing(open_db(settings.db_path, migrate=False)) as db:
        return read_stamp(db, LIBRARY_STAMP)
