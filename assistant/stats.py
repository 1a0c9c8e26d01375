"""Weekly review-conversion statistics.

Cohorts are by the ISO week a reply was sent, in the configured time zone
(Asia/Shanghai by default). For a week: ``sent`` replies; ``known`` of them
have an outcome; ``pending`` do not; ``converted`` = upgraded + positive_followup
+ deleted; ``rate = converted / known`` with a Wilson score 95% interval
(Wilson 1927; see Agresti & Coull 1998), which stays sensible for small counts.
Each part (upgraded, positive follow-up, deleted) is also reported on its own,
as are the escalation share (escalated / sent) and the median days from sending
to the outcome. The same figures are broken down by template, intent, agent and
platform.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import asdict, dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.errors import InvalidInput

_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})", re.ASCII)  # matched whole: no other digits, no trailing newline
YEARS = range(2000, 2100)
_CONVERTED = "('upgraded', 'positive_followup', 'deleted')"
DIMENSIONS = {"template": "template_id", "intent": "intent", "agent": "agent", "platform": "platform"}


def iso_week(moment: datetime, tz: ZoneInfo) -> str:
    """The ISO week of a moment in a time zone, as YYYY-Www (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(week: str) -> str:
    """Validate a YYYY-Www week.

    :raises InvalidInput: when it is not a real ISO week
    """
    m = _WEEK.fullmatch(week or "")
    if m and int(m.group(1)) in YEARS:
        try:
            date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return week
        except ValueError:
            pass
    raise InvalidInput(f"week must look like 2026-W47 (an ISO week of 2000-2099), not {week!r}")


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (0, 0) when n is 0."""
    if n == 0:
        return 0.0, 0.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Figures:
    """Counts and rates for one group of replies (a week, or one template/intent/agent/platform in it)."""

    key: str
    sent: int
    known: int
    pending: int
    converted: int
    upgraded: int
    positive_followup: int
    deleted: int
    escalated: int
    rate: float
    low: float
    high: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WeeklyStats:
    """The statistics of one ISO week."""

    week: str
    total: Figures
    escalation_share: float
    median_days_to_outcome: float | None
    breakdowns: dict[str, tuple[Figures, ...]]

    def to_dict(self) -> dict:
        """The JSON contract of ``GET /api/v1/stats/weekly``."""
        t = self.total
        out = {
            "week": self.week,
            "sent": t.sent,
            "known": t.known,
            "pending": t.pending,
            "converted": t.converted,
            "conversion": {"rate": t.rate, "low": t.low, "high": t.high},
            "upgraded": t.upgraded,
            "positive_followup": t.positive_followup,
            "deleted": t.deleted,
            "escalation_share": self.escalation_share,
            "median_days_to_outcome": self.median_days_to_outcome,
        }
        for name, rows in self.breakdowns.items():
            out[f"by_{name}"] = [r.to_dict() for r in rows]
        return out


def weekly_stats(db: sqlite_utils.Database, week: str) -> WeeklyStats:
    """Compute the statistics of one ISO week (cohort: replies sent that week).

    :raises InvalidInput: for a malformed week
    """
    week = parse_week(week)
    (total,) = _figures(db, week, None)
    days = [r[0] for r in db.execute(
        "select julianday(outcome_at) - julianday(sent_at) from replies where week = ? and outcome is not null", [week]
    )]
    return WeeklyStats(
        week=week,
        total=total,
        escalation_share=round(total.escalated / total.sent, 4) if total.sent else 0.0,
        median_days_to_outcome=round(statistics.median(days), 2) if days else None,
        breakdowns={name: _figures(db, week, column) for name, column in DIMENSIONS.items()},
    )


def _figures(db: sqlite_utils.Database, week: str, column: str | None) -> tuple[Figures, ...]:
    key = f"coalesce({column}, '')" if column else "'all'"
    sql = f"""
        select {key} as key, count(*), count(outcome),
               sum(outcome in {_CONVERTED}), sum(outcome = 'upgraded'), sum(outcome = 'positive_followup'),
               sum(outcome = 'deleted'), sum(escalate)
        from replies where week = ? {"group by 1 order by count(*) desc, 1" if column else ""}
    """
    out = []
    for key_value, sent, known, converted, upgraded, followup, deleted, escalated in db.execute(sql, [week]):
        converted, sent = converted or 0, sent or 0
        low, high = wilson_interval(converted, known)
        out.append(
            Figures(
                key=key_value, sent=sent, known=known, pending=sent - known, converted=converted,
                upgraded=upgraded or 0, positive_followup=followup or 0, deleted=deleted or 0, escalated=escalated or 0,
                rate=round(converted / known, 4) if known else 0.0, low=round(low, 4), high=round(high, 4),
            )
        )
    return tuple(out)


def template_conversion(db: sqlite_utils.Database) -> dict[str, tuple[int, int]]:
    """(converted, known) outcomes per template id over the whole log, for ranking drafts."""
    rows = db.execute(
        f"select template_id, sum(outcome in {_CONVERTED}), count(outcome) from replies "
        "where template_id is not null and outcome is not null group by template_id"
    )
    return {tid: (converted, known) for tid, converted, known in rows}
