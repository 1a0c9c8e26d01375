"""Accuracy on the labelled dev set (../shared/eval/dev.jsonl), the issue's acceptance thresholds."""

import pytest

from assistant.evaluate import predict, summarize


@pytest.fixture(scope="module")
def figures(engine, dev_records):
    return summarize(predict(engine, dev_records))


def test_top1_and_top3(figures):
    assert figures["top1"] >= 0.75
    assert figures["top3"] >= 0.90


def test_escalation_recall_and_precision(figures):
    assert figures["escalation"]["recall"] >= 0.90
    assert figures["escalation"]["precision"] >= 0.75


def test_no_common_intent_is_neglected(figures):
    weak = {i: v["recall"] for i, v in figures["per_intent"].items() if v["n"] >= 5 and v["recall"] < 0.5}
    assert weak == {}


def test_traditional_script_gets_the_same_top_intent(engine, dev_records):
    converter = __import__("opencc").OpenCC("s2t")
    differ = []
    for record in dev_records:
        simplified = engine.suggest(record["text"]).intents[0].id
        traditional = engine.suggest(converter.convert(record["text"])).intents[0].id
        if simplified != traditional:
            differ.append((record["id"], simplified, traditional))
    assert differ == []
