"""`assistant train` cross-validates the whole run-time path: every labelled complaint is decided by core.decide (the
function the service uses), guards included, with a model that never saw it."""

import dataclasses

import pytest

from assistant.engine import core, crossval, match
from assistant.engine import train as training
from assistant.taxonomy import OTHER

# Our own labelled complaints: four intents, some with a regulator threat (escalated), enough for 5 folds.
OWN = {
    "logistics_delay": [
        "快递一个星期了还没到",
        "物流三天没更新",
        "发货太慢了，催了也没用",
        "包裹显示签收但我没收到",
        "快递员不送上门",
        "下单五天还没发货",
        "快递停在中转站不动了",
        "等了半个月才送到",
        "物流信息一直不更新，再不到我就打12315",
        "快递丢了也没人管，我要去消协反映",
    ],
    "quality_defect": [
        "用了两天就坏了",
        "开机就黑屏",
        "质量太差，线头到处都是",
        "充不进电",
        "噪音特别大，晚上没法用",
        "洗了一次就掉色",
        "按键失灵，用不了",
        "才用一周就开胶了",
        "刚买就坏，我已经找律师了",
        "质量这么差，我要打12315投诉",
    ],
    "not_as_described": [
        "和图片上的颜色完全不一样",
        "实物比宣传的小很多",
        "详情页写的纯棉，其实是化纤",
        "色差太大了，跟描述不符",
        "宣传说续航十小时，实际两小时",
        "尺码表不准，和描述的不一样",
        "图片看着高级，实物很廉价",
        "说是实木，收到是压缩板",
        "和描述完全不符，我要去市场监管局举报",
        "虚假宣传，我已经打了12315",
    ],
    OTHER: [
        "太差了",
        "不推荐",
        "非常失望",
        "再也不买了",
        "垃圾",
        "一般般，不会回购",
        "体验很糟糕",
        "不好，不喜欢",
        "太坑了，我要找律师",
        "差劲，我去12315了",
    ],
}
THREATS = ("12315", "消协", "律师", "市场监管")


def marker(n: int) -> str:
    """Two rare characters that only complaint ``n`` has: a feature no other text gives the model."""
    return chr(0x3400 + 2 * n) + chr(0x3401 + 2 * n)


def labelled() -> list[dict]:
    out = []
    for intent, texts in OWN.items():
        for text in texts:
            escalated = any(t in text for t in THREATS)
            out.append(
                {
                    "text": f"{text}，{marker(len(out))}",
                    "intent": intent,
                    "escalate": escalated,
                    "reasons": ["legal_threat"] if escalated else [],
                }
            )
    return out


@pytest.fixture(scope="module")
def small(engine):
    """The shipped library cut to two examples a template (fast to fit), the shipped segmenter and rules."""
    templates = tuple(dataclasses.replace(t, examples=t.examples[:2]) for t in engine.library.templates)
    return dataclasses.replace(engine.library, templates=templates), engine.segmenter, engine.rules


def spy_on_decide(monkeypatch) -> list:
    """Every call cross-validation makes to core.decide: (the text, the model it was decided with, the decision)."""
    calls = []

    def spy(normalized, index, rules, model, **kwargs):
        decision = core.decide(normalized, index, rules, model, **kwargs)
        calls.append((normalized.text, model, decision))
        return decision

    monkeypatch.setattr(crossval, "decide", spy)
    return calls


@pytest.fixture(scope="module")
def trained(small):
    """One training on the labelled complaints: the model, its figures, and cross-validation's calls to decide."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        calls = spy_on_decide(monkeypatch)
        model, figures = training.train(*small, labelled())
    return model, figures, calls


def test_every_labelled_complaint_is_decided_once_by_a_model_that_never_saw_it(trained):
    model, figures, decided = trained
    records = labelled()
    assert sorted(text[-2:] for text, _, _ in decided) == [marker(n) for n in range(len(records))], "each decided once"
    assert len({id(m) for _, m, _ in decided}) == training.FOLDS, "one model per fold"
    for text, fold_model, _ in decided:
        own = text[-2:]
        assert own not in fold_model.intents.vocabulary, f"the fold's intent model was fitted on {text!r}"
        assert own not in fold_model.escalation.vocabulary, f"the fold's escalation model was fitted on {text!r}"
        assert own in model.intents.vocabulary, "the shipped model is fitted on every complaint"
    path = figures["whole_path"]
    assert set(path) == {"top1", "top3", "precision", "recall", "macro_recall", "recall_per_intent"}
    assert set(path["recall_per_intent"]) == set(OWN)
    assert 0.0 <= path["top1"] <= path["top3"] <= 1.0


def test_each_folds_settings_are_chosen_without_its_complaints(trained):
    """Weights and thresholds are chosen per fold on the other folds: they differ from the shipped model's, chosen on all."""
    model, _, decided = trained
    settings = [m.settings for _, m, _ in decided]
    assert all(s.keys() == model.settings.keys() for s in settings)
    assert any(s != model.settings for s in settings)


def test_the_run_time_guards_count_in_the_whole_path_figures(small, trained, monkeypatch):
    """Were the guards bypassed (the model's ranking scored directly), a guard could change no figure. Here one guard
    is made to fire on every text ("names no cause": the top intent gives way to `other`): only `other` is right."""
    records = labelled()
    before = trained[1]
    monkeypatch.setattr(match, "names_no_cause", lambda normalized: True)
    _, after = training.train(*small, records)
    share_of_other = sum(r["intent"] == OTHER for r in records) / len(records)
    assert after["whole_path"]["top1"] == pytest.approx(share_of_other, abs=1e-3)
    assert after["whole_path"]["recall_per_intent"][OTHER] == 1.0
    assert after["top1"] == before["top1"], "the model-level figure cannot see a run-time guard"
    assert before["whole_path"]["top1"] > share_of_other


def test_a_praising_text_is_not_escalated_by_the_model_alone_in_the_whole_path(small, monkeypatch):
    """The praise guard of check_escalation counts: with every text read as praise, only rule hits can escalate, so
    no complaint without a threat word is escalated (the model alone may not)."""
    monkeypatch.setattr(match, "recognise_kind", lambda normalized: "praise")
    calls = spy_on_decide(monkeypatch)
    _, figures = training.train(*small, labelled())
    assert len(calls) == len(labelled())
    for text, _, d in calls:
        if d.escalation.escalate:
            assert any(t in text for t in THREATS), text
    escalated = sum(d.escalation.escalate for _, _, d in calls)
    assert figures["whole_path"]["recall"] == pytest.approx(escalated / sum(r["escalate"] for r in labelled()), abs=1e-3)


def test_the_service_decides_through_the_same_function(engine, monkeypatch):
    seen, decide = [], core.decide

    def spy(normalized, *args, **kwargs):
        seen.append(normalized.text)
        return decide(normalized, *args, **kwargs)

    monkeypatch.setattr(core, "decide", spy)
    suggestion = engine.suggest("快递一个星期了还没到")
    assert seen == ["快递一个星期了还没到"]
    assert suggestion.intents[0].id == "logistics_delay"
