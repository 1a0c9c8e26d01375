"""Weekly review-conversion statistics.

Cohorts are by the ISO week a reply was sent, in the configured time zone
(Asia/Shanghai by default). For a week: ``sent`` replies; ``known`` of them
have an outcome; ``pending`` do not; ``converted`` = upgraded + positive_followup
+ deleted; ``rate = converted / known`` with a Wilson score 95% interval
(Wilson 1927; see Agresti & Coull 1998), which stays sensible for small counts;
rate and interval are None, not 0, while no reply has an outcome (known = 0).
Each part (upgraded, positive follow-up, deleted) is also reported on its own,
as are the escalation share (escalated / sent) and the median days from sending
to the outcome. The same figures are broken down by template, intent, agent and
platform. A reply's intent and whether it was escalated are the agent's when they
corrected the assistant on the draft page, else the assistant's (``FINAL_INTENT``,
``FINAL_ESCALATE``): the page's bars, the exports and the replies a bar lists all
count it so.

``agreement`` measures the assistant on the team's own complaints: of the
replies whose agent reviewed the verdict on the draft page (or sent one through
the API), how often they kept the assistant's primary intent and its escalation
verdict (escalate or not), overall and per intent the assistant named. A rate
is None, not 0, when nothing was reviewed.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.errors import InvalidInput
from assistant.taxonomy import CONVERTED, OTHER

_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})", re.ASCII)  # matched whole: no other digits, no trailing newline
YEARS = range(2000, 2100)
_CONVERTED = "(" + ", ".join(f"'{r}'" for r in CONVERTED) + ")"  # an SQL list of the converted results
# A reply's intent and escalation as every figure counts them (SQL expressions over ``replies``): the agent's verdict
# when they reviewed it (``agent_intent``/``agent_escalate``, null otherwise), else the assistant's. Only the
# agreement compares the two columns.
FINAL_INTENT = "coalesce(agent_intent, intent)"
FINAL_ESCALATE = "coalesce(agent_escalate, escalate)"
# The reasons of that escalation verdict: the agent's whenever they gave a verdict (none when they kept it online)
FINAL_REASONS = "coalesce(agent_reasons, reasons)"
DIMENSIONS = {"template": "template_id", "intent": FINAL_INTENT, "agent": "agent", "platform": "platform"}
# The figures of a group of replies, in ``Figures`` order after its key: the one place they are counted in SQL.
_FIGURES = f"""count(*), count(outcome), sum(outcome in {_CONVERTED}), sum(outcome = 'upgraded'),
    sum(outcome = 'positive_followup'), sum(outcome = 'deleted'), sum({FINAL_ESCALATE})"""


def local_time(stamp: str | None, tz: ZoneInfo) -> str:
    """A stored UTC stamp (ISO 8601) as the configured time zone's "YYYY-MM-DD HH:MM"; "" for none."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


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
    rate: float | None  # None (as low and high) when no reply of the group has an outcome yet: no rate, not 0%
    low: float | None
    high: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Kept:
    """How often agents kept the assistant's answer: ``kept`` of ``total`` reviewed replies (rate None when 0)."""

    kept: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.kept / self.total, 4) if self.total else None

    def to_dict(self) -> dict:
        return {"kept": self.kept, "total": self.total, "rate": self.rate}


@dataclass(frozen=True)
class Agreement:
    """Agents' agreement with the assistant in one week: intent, escalation verdict, and intent per intent shown."""

    intent: Kept = Kept()
    escalation: Kept = Kept()
    by_intent: tuple[tuple[str, Kept], ...] = ()  # (the assistant's intent, how often agents kept it), most reviewed first

    def to_dict(self) -> dict:
        return {
            "intent": self.intent.to_dict(),
            "escalation": self.escalation.to_dict(),
            "by_intent": [{"intent": intent, **k.to_dict()} for intent, k in self.by_intent],
        }


@dataclass(frozen=True)
class WeeklyStats:
    """The statistics of one ISO week."""

    week: str
    total: Figures
    escalation_share: float
    median_days_to_outcome: float | None
    breakdowns: dict[str, tuple[Figures, ...]]
    agreement: Agreement = field(default_factory=Agreement)

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
        out["agreement"] = self.agreement.to_dict()
        return out


def weekly_stats(db: sqlite_utils.Database, week: str) -> WeeklyStats:
    """Compute the statistics of one ISO week (cohort: replies sent that week).

    :raises InvalidInput: for a malformed week
    """
    week = parse_week(week)
    (total,) = _figures(db, week, None)
    days = [
        r[0]
        for r in db.execute(
            "select julianday(outcome_at) - julianday(sent_at) from replies where week = ? and outcome is not null", [week]
        )
    ]
    return WeeklyStats(
        week=week,
        total=total,
        escalation_share=round(total.escalated / total.sent, 4) if total.sent else 0.0,
        median_days_to_outcome=round(statistics.median(days), 2) if days else None,
        breakdowns={name: _figures(db, week, column) for name, column in DIMENSIONS.items()},
        agreement=agreement(db, week),
    )


def agreement(db: sqlite_utils.Database, week: str) -> Agreement:
    """How often the agents kept the assistant's intent and escalation verdict on the replies sent in ``week``."""
    rows = db.execute(
        "select intent, count(agent_intent), sum(agent_intent = intent), count(agent_escalate), sum(agent_escalate = escalate) "
        "from replies where week = ? and (agent_intent is not null or agent_escalate is not null) group by intent",
        [week],
    ).fetchall()
    by_intent = sorted(
        ((intent or OTHER, Kept(kept or 0, total)) for intent, total, kept, _, _ in rows if total),
        key=lambda pair: (-pair[1].total, pair[0]),
    )
    return Agreement(
        intent=Kept(sum(r[2] or 0 for r in rows), sum(r[1] for r in rows)),
        escalation=Kept(sum(r[4] or 0 for r in rows), sum(r[3] for r in rows)),
        by_intent=tuple(by_intent),
    )


def _figures(db: sqlite_utils.Database, week: str, column: str | None) -> tuple[Figures, ...]:
    key = f"coalesce({column}, '')" if column else "'all'"
    grouped = "group by 1 order by count(*) desc, 1" if column else ""
    return _to_figures(db.execute(f"select {key}, {_FIGURES} from replies where week = ? {grouped}", [week]))


@dataclass(frozen=True)
class WeekTotal:
    """One week's overall figures, for a trend (no breakdowns)."""

    week: str
    total: Figures


def week_totals(db: sqlite_utils.Database, weeks: list[str]) -> list[WeekTotal]:
    """The overall figures of several weeks in one grouped query, in the order given (a week without replies: zeros)."""
    sql = f"select week, {_FIGURES} from replies where week in ({', '.join('?' for _ in weeks)}) group by week"
    found = {f.key: f for f in _to_figures(db.execute(sql, weeks))} if weeks else {}
    return [WeekTotal(w, found.get(w) or _to_figures([(w, 0, 0, 0, 0, 0, 0, 0)])[0]) for w in weeks]


def _to_figures(rows) -> tuple[Figures, ...]:
    out = []
    for key_value, sent, known, converted, upgraded, followup, deleted, escalated in rows:
        converted, sent = converted or 0, sent or 0
        low, high = wilson_interval(converted, known) if known else (None, None)
        out.append(
            Figures(
                key=key_value,
                sent=sent,
                known=known,
                pending=sent - known,
                converted=converted,
                upgraded=upgraded or 0,
                positive_followup=followup or 0,
                deleted=deleted or 0,
                escalated=escalated or 0,
                rate=round(converted / known, 4) if known else None,
                low=None if low is None else round(low, 4),
                high=None if high is None else round(high, 4),
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


def week_replies(db: sqlite_utils.Database, week: str, *, limit: int = 50) -> list[dict]:
    """The latest replies sent in a week (newest first), for the statistics page."""
    return list(
        db.query(
            "select id, agent, platform, intent, agent_intent, template_id, complaint, sent_text, outcome "
            "from replies where week = ? order by id desc limit ?",
            [week, limit],
        )
    )


def template_usage(db: sqlite_utils.Database) -> dict[str, int]:
    """How many replies were sent from each template, over the whole log."""
    return dict(
        db.execute("select template_id, count(*) from replies where template_id is not null group by template_id").fetchall()
    )
