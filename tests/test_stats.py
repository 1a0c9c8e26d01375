from datetime import UTC, datetime, timedelta

import pytest
from helpers import SHANGHAI, make_reply

from assistant.errors import InvalidInput
from assistant.log.outcomes import record_outcome
from assistant.log.stats import iso_week, parse_week, template_conversion, week_totals, weekly_stats, wilson_interval

MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, week 2026-W47


def test_week_boundaries_follow_shanghai_time():
    sunday_late = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    assert iso_week(sunday_late, SHANGHAI) == "2026-W47"
    assert iso_week(sunday_late + timedelta(minutes=31), SHANGHAI) == "2026-W48"
    # 17:00 UTC on Sunday is already Monday 01:00 in Shanghai
    assert iso_week(datetime(2026, 11, 22, 17, 0, tzinfo=UTC), SHANGHAI) == "2026-W48"


@pytest.mark.parametrize("week", ["2026-47", "2026-W54", "W47", "", "2026-W00"])
def test_malformed_weeks_are_refused(week):
    with pytest.raises(InvalidInput, match="ISO week"):
        parse_week(week)


@pytest.mark.parametrize(
    "k,n,low,high",
    [(0, 0, 0.0, 0.0), (0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0), (33, 100, 0.2456, 0.4269)],
)
def test_wilson_interval_matches_published_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


@pytest.fixture
def week47(db, engine):
    """Ten replies in 2026-W47 with hand-picked outcomes, and one in W48 that must not count."""
    plan = [
        ("快递一个星期还没到", "小林", "taobao", "upgraded"),
        ("快递一个星期还没到", "小林", "taobao", "positive_followup"),
        ("快递一个星期还没到", "小林", "jd", "deleted"),
        ("快递一个星期还没到", "小周", "jd", "unchanged"),
        ("快递一个星期还没到", "小周", "jd", "no_response"),
        ("收到的杯子碎了", "小周", "pdd", "upgraded"),
        ("收到的杯子碎了", "小周", "pdd", "resolved_offline"),
        ("收到的杯子碎了", "小林", "pdd", None),
        ("用了过敏住院了，我要投诉到12315", "小林", "douyin", "escalated_further"),
        ("用了过敏住院了，我要投诉到12315", "小林", "douyin", None),
    ]
    ids = []
    for n, (text, agent, platform, outcome) in enumerate(plan):
        sent = MONDAY + timedelta(hours=n)
        reply_id = make_reply(db, engine, text, agent=agent, platform=platform, now=sent)
        if outcome:
            record_outcome(db, reply_id, outcome, by="组长", now=sent + timedelta(days=2))
        ids.append(reply_id)
    make_reply(db, engine, agent="小林", now=MONDAY + timedelta(days=7))
    return ids


def test_conversion_arithmetic_matches_the_hand_count(db, week47):
    s = weekly_stats(db, "2026-W47").to_dict()
    # 10 sent, 8 known, 2 pending; converted = upgraded 2 + positive_followup 1 + deleted 1 = 4; rate 4/8
    assert (s["sent"], s["known"], s["pending"], s["converted"]) == (10, 8, 2, 4)
    assert (s["upgraded"], s["positive_followup"], s["deleted"]) == (2, 1, 1)
    assert s["conversion"]["rate"] == 0.5
    assert (s["conversion"]["low"], s["conversion"]["high"]) == tuple(round(x, 4) for x in wilson_interval(4, 8))
    assert s["escalation_share"] == 0.2
    assert s["median_days_to_outcome"] == 2.0


def test_breakdowns_by_agent_platform_intent_and_template(db, week47):
    s = weekly_stats(db, "2026-W47").to_dict()
    agents = {r["key"]: (r["sent"], r["known"], r["converted"]) for r in s["by_agent"]}
    assert agents == {"小林": (6, 4, 3), "小周": (4, 4, 1)}
    platforms = {r["key"]: (r["sent"], r["converted"]) for r in s["by_platform"]}
    assert platforms == {"taobao": (2, 2), "jd": (3, 1), "pdd": (3, 1), "douyin": (2, 0)}
    intents = {r["key"]: r["sent"] for r in s["by_intent"]}
    assert intents["logistics_delay"] == 5 and intents["damaged_delivery"] == 3
    assert sum(r["sent"] for r in s["by_template"]) == 10


def test_template_conversion_counts_known_outcomes(db, week47):
    counts = template_conversion(db)
    assert sum(k for _, k in counts.values()) == 8
    assert sum(c for c, _ in counts.values()) == 4


def test_an_empty_week_has_zeros_not_errors(db):
    s = weekly_stats(db, "2026-W01").to_dict()
    assert (s["sent"], s["known"], s["conversion"]["rate"], s["median_days_to_outcome"]) == (0, 0, None, None)


def _reviewed(db, intent, escalate, *, agent_intent=None, agent_escalate=None, now=MONDAY):
    """A reply the assistant read as (intent, escalate); the agent's verdict when given (None: not reviewed)."""
    from helpers import KEY

    from assistant.log.sent import log_shown
    from assistant.log.shown import Shown, Verdict

    shown = Shown(
        intents=((intent, 0.9),),
        escalate=escalate,
        reasons=("safety",) if escalate else (),
        drafts=(("t.1", "您好，今天18:00前回电。"),),
    )
    verdict = None
    if agent_intent is not None:
        agent_escalate = escalate if agent_escalate is None else agent_escalate
        verdict = Verdict(agent_intent, agent_escalate, ("safety",) if agent_escalate else ())
    log_shown(
        db, shown, "投诉", "您好，今天18:00前回电。", agent="小林", platform="jd", key=KEY, tz=SHANGHAI, verdict=verdict, now=now
    )


def test_agreement_counts_how_often_agents_kept_the_assistants_verdict(db):
    _reviewed(db, "logistics_delay", False, agent_intent="logistics_delay")
    _reviewed(db, "logistics_delay", False, agent_intent="logistics_delay", agent_escalate=True)
    _reviewed(db, "logistics_delay", False, agent_intent="service_attitude")
    _reviewed(db, "safety_hazard", True, agent_intent="quality_defect", agent_escalate=False)
    _reviewed(db, "safety_hazard", True)  # not reviewed: not counted
    _reviewed(db, "safety_hazard", True, agent_intent="quality_defect", now=MONDAY + timedelta(days=7))  # next week
    agreement = weekly_stats(db, "2026-W47").to_dict()["agreement"]
    assert agreement["intent"] == {"kept": 2, "total": 4, "rate": 0.5}
    assert agreement["escalation"] == {"kept": 2, "total": 4, "rate": 0.5}
    assert agreement["by_intent"] == [
        {"intent": "logistics_delay", "kept": 2, "total": 3, "rate": 0.6667},
        {"intent": "safety_hazard", "kept": 0, "total": 1, "rate": 0.0},
    ]


def test_agreement_of_a_week_without_reviews_is_blank_not_zero(db, week47):
    agreement = weekly_stats(db, "2026-W47").to_dict()["agreement"]  # replies logged, none reviewed
    assert agreement == {
        "intent": {"kept": 0, "total": 0, "rate": None},
        "escalation": {"kept": 0, "total": 0, "rate": None},
        "by_intent": [],
    }


def test_the_trend_totals_are_the_weekly_totals(db, week47):
    """The statistics page's trend takes the weeks' totals in one query; they equal each week's own figures."""
    weeks = ["2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    trend = week_totals(db, weeks)
    assert [t.week for t in trend] == weeks
    for t in trend:
        expected = weekly_stats(db, t.week).total
        assert {**vars(t.total), "key": None} == {**vars(expected), "key": None}
    assert trend[1].total.sent == 10 and trend[0].total.sent == 0 and trend[0].total.known == 0


def test_per_intent_figures_and_the_escalation_share_count_the_agents_correction(db):
    """A reply whose intent or escalation verdict the agent corrected on the draft page is counted under
    the agent's answer in the figures (by intent, escalated, escalation share); agreement still compares both."""
    _reviewed(db, "logistics_delay", False, agent_intent="quality_defect")  # corrected intent
    _reviewed(db, "safety_hazard", True, agent_intent="safety_hazard", agent_escalate=False)  # corrected: not offline
    _reviewed(db, "logistics_delay", False, agent_intent="logistics_delay", agent_escalate=True)  # corrected: offline
    _reviewed(db, "logistics_delay", False)  # not reviewed: the assistant's answer counts
    ids = [r[0] for r in db.execute("select id from replies order by id")]
    record_outcome(db, ids[0], "upgraded", by="组长", now=MONDAY + timedelta(days=1))
    s = weekly_stats(db, "2026-W47")
    by_intent = {f.key: (f.sent, f.converted, f.escalated) for f in s.breakdowns["intent"]}
    assert by_intent == {"logistics_delay": (2, 0, 1), "quality_defect": (1, 1, 0), "safety_hazard": (1, 0, 0)}
    assert (s.total.escalated, s.escalation_share) == (1, 0.25)
    agreement = s.agreement.to_dict()
    assert agreement["intent"] == {"kept": 2, "total": 3, "rate": 0.6667}
    assert agreement["escalation"] == {"kept": 1, "total": 3, "rate": 0.3333}
    assert [(a["intent"], a["total"]) for a in agreement["by_intent"]] == [("logistics_delay", 2), ("safety_hazard", 1)]
    (trend,) = week_totals(db, ["2026-W47"])
    assert trend.total.escalated == 1  # the trend's totals are the week's own
