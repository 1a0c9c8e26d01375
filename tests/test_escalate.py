import pytest

from assistant.engine.escalate import check_escalation
from assistant.engine.normalize import normalize


def escalation(engine, text, **kw):
    return check_escalation(normalize(text, engine.segmenter), engine.rules, **kw)


@pytest.mark.parametrize(
    "text,reason,evidence",
    [
        ("孩子用了这个面霜脸上过敏红肿，已经去医院了", "safety", "过敏"),
        ("充电的时候冒烟了，差点烧起来", "safety", "冒烟"),
        ("再不处理我就打12315投诉你们", "legal_threat", "12315"),
        ("我已经找了律师，法院见", "legal_threat", "律师"),
        ("我要把这事发到微博曝光，让大家都看看", "media_threat", "曝光"),
        ("我的个人信息被泄露了，天天接到诈骗电话", "privacy", "泄露"),
        ("打了五次电话了，到现在都没有解决", "repeat_unresolved", "打了五次"),
        ("卖假货，必须假一赔三", "compensation_demand", "假一赔"),
    ],
)
def test_reasons_come_with_evidence(engine, text, reason, evidence):
    e = escalation(engine, text)
    assert e.escalate
    found = {r.id: r.evidence for r in e.reasons}
    assert reason in found
    assert any(evidence in ev for ev in found[reason])
    assert e.action


@pytest.mark.parametrize(
    "text",
    [
        "垃圾东西！！！气死我了，什么破玩意，再也不买了！！！",
        "充电的时候很烫，担心会爆炸",
        "快递太慢了，等了一个星期",
    ],
)
def test_plain_anger_or_worry_does_not_escalate(engine, text):
    assert not escalation(engine, text).escalate


def test_most_severe_reason_comes_first_and_sets_the_action(engine):
    e = escalation(engine, "用了过敏住院了，我要起诉你们")
    assert [r.id for r in e.reasons][:2] == ["safety", "legal_threat"]
    assert e.action == engine.rules["safety"].action


def test_an_earlier_unresolved_reply_escalates_with_its_date(engine):
    assert not escalation(engine, "东西还是不能用").escalate
    e = escalation(engine, "东西还是不能用", earlier=["2026-11-20"])
    assert [r.id for r in e.reasons] == ["repeat_unresolved"]
    assert "2026-11-20" in e.reasons[0].evidence[0]


@pytest.mark.parametrize(
    "text", ["第三次买了，一直很好用", "第五次回购了，一直很喜欢", "回购第三次了，好用", "多次回购，一直很满意"]
)
def test_praise_that_counts_its_purchases_is_not_escalated(engine, text):
    """A count in praise is no repeated contact in anger: it gets a thank-you, not an offline invitation."""
    s = engine.suggest(text)
    assert s.kind == "praise"
    assert not s.escalation.escalate


def test_a_praise_still_escalates_on_a_rule_of_another_reason(engine):
    e = escalation(engine, "好评！不过我家孩子用了过敏", kind="praise")
    assert [r.id for r in e.reasons] == ["safety"]
