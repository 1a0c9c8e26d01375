"""`assistant train`: reproducible, learns from agents' corrections, and its model is read the way it was fitted."""

import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import Settings
from assistant.engine.core import MODEL_FILE, Engine
from assistant.engine.escalate import check_escalation, rule_hits
from assistant.engine.model import ESCALATE, LinearModel, TrainedModel, escalation_features, intent_features
from assistant.engine.normalize import normalize
from assistant.log.db import open_db
from assistant.log.sent import corrections, log_shown
from assistant.log.shown import Shown, agent_verdict

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT.parent / "shared" / "eval" / "train.jsonl"
SHIPPED = ROOT / "replies" / MODEL_FILE

# Our own labelled complaints, enough for a 5-fold cross-validation (the library's examples come on top).
OWN = [
    ("快递一个星期了还没到", "logistics_delay"),
    ("物流三天没更新", "logistics_delay"),
    ("发货太慢了，催了也没用", "logistics_delay"),
    ("包裹显示签收但我没收到", "logistics_delay"),
    ("快递员不送上门", "logistics_delay"),
    ("下单五天还没发货", "logistics_delay"),
    ("用了两天就坏了", "quality_defect"),
    ("开机就黑屏", "quality_defect"),
    ("质量太差，线头到处都是", "quality_defect"),
    ("充不进电", "quality_defect"),
    ("噪音特别大，晚上没法用", "quality_defect"),
    ("洗了一次就掉色", "quality_defect"),
]


def records(tmp_path: Path) -> Path:
    path = tmp_path / "own.jsonl"
    lines = [json.dumps({"text": t, "intent": i, "escalate": False, "reasons": []}, ensure_ascii=False) for t, i in OWN]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["train", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_retraining_reproduces_the_shipped_model(tmp_path):
    if not TRAIN.exists():
        pytest.skip(f"labelled set not found at {TRAIN} (../shared is absent in this checkout)")
    shipped = TrainedModel.load(SHIPPED)
    figures = run("--data", str(TRAIN), "--out", str(tmp_path / "model.npz"))
    assert figures["inputs_hash"] == shipped.meta["inputs_hash"], (
        "replies/ or train.jsonl changed since the shipped model: retrain"
    )
    for name in ("top1", "top3", "precision", "recall", "n_labelled", "n_library"):
        assert figures[name] == shipped.meta[name], name
    retrained = TrainedModel.load(tmp_path / "model.npz")
    assert retrained.settings == shipped.settings
    assert np.array_equal(retrained.intents.coef, shipped.intents.coef)


def test_the_shipped_model_was_trained_on_the_shipped_library(engine):
    """Templates or examples added without retraining would not count: the model records the library it saw."""
    assert engine.model_summary()["library_changed"] is False, "replies/ changed since training: run `assistant train`"


def test_the_shipped_model_is_small_and_was_trained_on_train_jsonl_only():
    assert SHIPPED.stat().st_size <= 5 * 1024 * 1024
    meta = TrainedModel.load(SHIPPED).meta
    assert meta["data"] == ["train.jsonl"] and meta["n_corrections"] == 0


def test_train_learns_from_the_corrections_agents_made(tmp_path, engine):
    db_path = tmp_path / "assistant.db"
    db = open_db(db_path)
    text = "烧水壶用了一周，底座有焦味，手碰到外壳麻了一下"
    s = engine.suggest(text)
    shown = Shown.from_suggestion(s)
    # the agent disagrees with the assistant, whatever it answers: that is what makes a correction
    intent = "quality_defect" if s.intents[0].id == "safety_hazard" else "safety_hazard"
    verdict = agent_verdict(shown, intent=intent, reasons=[] if s.escalation.escalate else ["safety"])
    log_shown(
        db,
        shown,
        text,
        "已记下",
        agent="xiaomei",
        platform="taobao",
        key=b"k" * 32,
        tz=ZoneInfo("Asia/Shanghai"),
        verdict=verdict,
    )
    out = tmp_path / "model.npz"
    without = run("--data", str(records(tmp_path)), "--out", str(out))
    with_db = run("--data", str(records(tmp_path)), "--db", str(db_path), "--out", str(out))
    assert without["n_corrections"] == 0 and with_db["n_corrections"] == 1
    assert with_db["n_labelled"] == without["n_labelled"] + 1
    assert with_db["inputs_hash"] != without["inputs_hash"]
    assert TrainedModel.load(out).meta["n_corrections"] == 1


def test_train_learns_an_intent_corrected_after_the_first_mark_as_sent(tmp_path, engine):
    """The agent marked the reply sent as the assistant read it, then corrected the intent and marked it sent again: the
    log kept the first verdict and training never saw the correction (REVIEW11 #5)."""
    db_path = tmp_path / "assistant.db"
    db = open_db(db_path)
    text = "烧水壶用了一周，底座有焦味，手碰到外壳麻了一下"
    shown = Shown.from_suggestion(engine.suggest(text), complaint=text, agent="xiaomei")
    mark = {"agent": "xiaomei", "platform": "taobao", "key": b"k" * 32, "tz": ZoneInfo("Asia/Shanghai"), "idempotency_key": "k-1"}
    log_shown(db, shown, text, "已记下", verdict=agent_verdict(shown, intent=shown.intent), **mark)
    corrected = "quality_defect" if shown.intent != "quality_defect" else "safety_hazard"
    log_shown(db, shown, text, "已记下", verdict=agent_verdict(shown, intent=corrected), **mark)
    assert [c["intent"] for c in corrections(db)] == [corrected]  # what `train --db` reads
    db.close()
    figures = run("--data", str(records(tmp_path)), "--db", str(db_path), "--out", str(tmp_path / "model.npz"))
    assert figures["n_corrections"] == 1


def test_training_reports_each_intents_cross_validated_recall(tmp_path):
    figures = run("--data", str(records(tmp_path)), "--out", str(tmp_path / "model.npz"))
    recalls = figures["recall_per_intent"]
    assert set(recalls) == {"logistics_delay", "quality_defect"}, "only the intents the labelled complaints have"
    assert all(0.0 <= r <= 1.0 for r in recalls.values())
    assert figures["macro_recall"] == pytest.approx(sum(recalls.values()) / 2, abs=1e-3)
    path = figures["whole_path"]  # every complaint decided as the service decides it, by its fold's model
    assert set(path["recall_per_intent"]) == {"logistics_delay", "quality_defect"}
    assert all(0.0 <= path[k] <= 1.0 for k in ("top1", "top3", "precision", "recall"))
    text = CliRunner().invoke(cli, ["train", "--data", str(records(tmp_path)), "--out", str(tmp_path / "b.npz")]).output
    assert "recall per intent: mean" in text
    assert "as the service decides it" in text and f"top1={path['top1']:.3f}" in text


def test_the_escalation_model_learns_from_the_offline_templates_examples(tmp_path):
    """Labelled complaints without one escalation still give a model that leans towards a regulator threat."""
    run("--data", str(records(tmp_path)), "--out", str(tmp_path / "model.npz"))
    model = TrainedModel.load(tmp_path / "model.npz")
    segmenter = Engine.from_settings(Settings()).segmenter
    column = model.escalation.labels.index(ESCALATE)

    def escalate_value(text: str) -> float:
        return float(model.escalation.decision(escalation_features(normalize(text, segmenter)))[column])

    assert escalate_value("再不给我处理，我就去消协和市场监管局投诉") > escalate_value("快递比平时慢了两天")


def test_train_refuses_to_run_without_labelled_complaints():
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing labelled to learn from")


def test_train_says_why_a_few_labelled_complaints_are_not_enough(tmp_path):
    # A young log's first corrections: eleven complaints, at most four of one intent, so no intent fills five folds.
    few = [(t, i) for t, i in OWN if i == "logistics_delay"][:4] + [(t, i) for t, i in OWN if i == "quality_defect"][:4]
    few += [(text, "service_attitude") for text in ("客服态度太差了", "客服爱答不理", "客服直接挂我电话")]
    path = tmp_path / "few.jsonl"
    lines = [json.dumps({"text": t, "intent": i, "escalate": False, "reasons": []}, ensure_ascii=False) for t, i in few]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", "--data", str(path), "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: need at least 5 labelled complaints of one intent"), result.output
    assert not (tmp_path / "m.npz").exists()


def test_training_is_deterministic(tmp_path):
    data = str(records(tmp_path))
    first = run("--data", data, "--out", str(tmp_path / "a.npz"))
    second = run("--data", data, "--out", str(tmp_path / "b.npz"))
    assert {k: v for k, v in first.items() if k not in ("seconds", "model")} == {
        k: v for k, v in second.items() if k not in ("seconds", "model")
    }
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_the_model_scores_exactly_as_scikit_learn_fitted_it():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from assistant.engine import train

    docs = [["快递", "很", "慢"], ["质量", "差", "差"], ["快递", "质量"], ["退款", "慢", "慢", "慢"]]
    vectorizer, X = train._vectorize(docs)
    rng = np.random.default_rng(0)
    coef, intercept = rng.normal(size=(3, X.shape[1])), rng.normal(size=3)
    model = train._linear(vectorizer, coef, intercept, ["a", "b", "c"])
    assert isinstance(vectorizer, TfidfVectorizer)
    query = ["快递", "慢", "慢", "未知"]
    expected = vectorizer.transform([query]) @ coef.T + intercept
    assert np.allclose(model.decision(query), np.asarray(expected).ravel(), atol=1e-5)


@pytest.mark.parametrize(
    "text",
    ["快递一个星期了还没到，客服也不回", "@京东客服 @中国消费者报 买的手机用了三天就黑屏，我要打12315", "好评！物流也快", "垃圾"],
)
def test_a_loaded_model_weighs_a_text_as_each_model_alone_would(engine, text, tmp_path):
    """The service looks both models' features up in one shared vocabulary (``TrainedModel.weigh``); each model must
    weigh a text, with its @mentions or without, exactly as it would with a vocabulary of its own, and a loaded model
    saved again must read back the same."""
    shared = engine.model
    assert shared.intents.vocabulary is shared.escalation.vocabulary

    def alone(m: LinearModel) -> LinearModel:
        return LinearModel(m.labels, {w: i for i, w in enumerate(m.words)}, m.idf, m.coef, m.intercept)

    normalized = normalize(text, engine.segmenter)
    both = shared.weigh(normalized)
    for weighed, m, features in zip(
        both,
        (shared.intents, shared.escalation),
        (intent_features(normalized), escalation_features(normalized)),
    ):
        index, weights = alone(m).weigh(features)
        assert len(index) > 0
        assert np.array_equal(weighed[0], index) and np.array_equal(weighed[1], weights)
    shared.save(tmp_path / MODEL_FILE)
    again = TrainedModel.load(tmp_path / MODEL_FILE)
    for before, after in ((shared.intents, again.intents), (shared.escalation, again.escalation)):
        assert after.words == before.words and np.array_equal(after.coef, before.coef)


def test_an_escalation_raised_by_the_model_alone_names_the_phrases_that_drove_it(engine):
    words = ["投诉无门", "误工", "谁出"]
    vocabulary = {w: i for i, w in enumerate(words)}
    labels = (ESCALATE, "safety", "legal_threat", "media_threat", "privacy", "repeat_unresolved", "compensation_demand")
    coef = np.zeros((3, len(labels)), dtype=np.float32)
    coef[:, 0] = 2.0
    coef[vocabulary["误工"], labels.index("compensation_demand")] = 3.0
    esc = LinearModel(labels, vocabulary, np.ones(3), coef, np.full(len(labels), -1.0))
    model = TrainedModel(
        engine.model.intents,
        esc,
        {
            **engine.model.settings,
            "escalation": {"threshold": 0.5, "decisive": [], "stack": {"bias": 0.0, "text": 1.0, "rules": {}}},
        },
    )
    text = "投诉无门，这几天的误工费谁出"
    n = normalize(text, engine.segmenter)
    assert set(escalation_features(n)) & set(words), "the features are the text's character n-grams"
    verdict = check_escalation(n, engine.rules, model)
    assert not rule_hits(n, engine.rules)
    assert verdict.escalate and verdict.reasons[0].id == "compensation_demand"
    assert verdict.reasons[0].evidence and all(w in text for w in verdict.reasons[0].evidence)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("我已经拨打了315，等着吧", "legal_threat"),
        ("再不退款我准备到315投去", "legal_threat"),
        ("东西被调包，我已报案", "legal_threat"),
        ("工信部管管不？乱扣费", "legal_threat"),
        ("我要去12315投诉你们", "legal_threat"),
        ("我要找记者曝光你们", "media_threat"),
        ("充电的时候冒烟了，吓死人", "safety"),
    ],
)
def test_regulators_media_and_hazards_are_escalated_in_their_many_phrasings(engine, text, reason):
    verdict = engine.suggest(text).escalation
    assert verdict.escalate and reason in [r.id for r in verdict.reasons]


@pytest.mark.parametrize(
    "text", ["多次联系客服都没人管，气死了", "送去2次维修还是坏，到底怎么回事", "打过很多个客服电话，一直没结果"]
)
def test_repeated_contact_is_recognised_in_its_many_phrasings(engine, text):
    assert "repeat_unresolved" in rule_hits(normalize(text, engine.segmenter), engine.rules)


def test_a_broken_model_file_is_named_and_the_last_good_model_keeps_serving(tmp_path, settings, engine):
    from fastapi.testclient import TestClient

    from assistant.log.auth import add_user
    from assistant.web.app import create_app

    replies = tmp_path / "replies"
    shutil.copytree(engine.settings.replies_dir, replies)
    live = Settings(db_path=settings.db_path, replies_dir=replies)
    with TestClient(create_app(live, engine=Engine.from_settings(live))) as client:
        lead = {"Authorization": f"Bearer {add_user(open_db(live.db_path), '组长', 'lead').token}"}
        (replies / MODEL_FILE).write_bytes(b"not a model")
        response = client.post("/api/v1/library/reload", headers=lead)
        assert response.status_code == 422
        assert response.json()["detail"].startswith("replies/model.npz: cannot read the model")
        suggestion = client.post("/api/v1/suggest", json={"text": "快递一个星期还没到"}, headers=lead).json()
        assert suggestion["intents"][0]["id"] == "logistics_delay"
        shutil.copy(SHIPPED, replies / MODEL_FILE)
        reloaded = client.post("/api/v1/library/reload", headers=lead).json()
        assert reloaded["model"]["data"] == ["train.jsonl"] and reloaded["model"]["library_changed"] is False


def test_the_prior_correction_recognises_a_small_intent_more_often():
    """Out-of-fold, a small intent that the model under-calls is chosen more often once its prior is corrected."""
    from assistant.engine import selection

    rng = np.random.default_rng(0)
    y = np.array([0] * 900 + [1] * 100)
    decision = rng.normal(size=(1000, 2))
    decision[y == 0, 0] += 3.0  # the large intent's complaints are clear
    small = decision[y == 1]
    small[:, 1] = small[:, 0] + rng.normal(0.0, 0.05, size=100)  # the small intent's are a close second as often as first
    decision[y == 1] = small
    zeros = np.zeros_like(decision)
    log_prior = np.log(np.bincount(y) / len(y))

    def recall_and_top1(logits: np.ndarray) -> tuple[float, float]:
        predicted = logits.argmax(axis=1)
        return float((predicted[y == 1] == 1).mean()), float((predicted == y).mean())

    (a, b, c), tau, top1, _ = selection.choose_weights(decision, zeros, zeros, y, log_prior)
    assert tau > 0
    small_before, top1_before = recall_and_top1(decision)
    small_after, top1_after = recall_and_top1(a * decision - tau * log_prior)
    assert small_after > small_before
    assert top1_after == pytest.approx(top1)  # the figure reported is the corrected model's


def test_a_model_file_missing_a_part_is_named_by_its_file_not_by_the_part(tmp_path):
    """A model.npz cut short (one array gone) names the file a lead must replace, not "escalation"."""
    from assistant.errors import LibraryError

    with np.load(SHIPPED, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files if k != "escalation_idf"}
    broken = tmp_path / "model.npz"
    np.savez(broken, **arrays)
    with pytest.raises(LibraryError) as caught:
        TrainedModel.load(broken, "replies/model.npz")
    assert caught.value.file == "replies/model.npz" and "cannot read the model (KeyError)" in str(caught.value)
