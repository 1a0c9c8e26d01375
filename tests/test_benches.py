"""The benchmarks time what docs/benchmarks.md says they time: real pages, real suggest work."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from assistant.taxonomy import INTENTS

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench(name: str):
    sys.path.insert(0, str(BENCH))  # the scripts import their neighbours (outcome_log)
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_the_pages_benchmark_filters_by_intents_that_exist():
    """bench/pages.py timed 我的回复 filtered by "logistics", no intent id: an empty list, not the page agents use."""
    pages = bench("pages").pages_to_time(104)
    filters = [query["intent"] for _, _, _, query in pages if "intent" in query]
    assert filters and all(intent in INTENTS for intent in filters), filters


def test_the_suggest_benchmark_times_distinct_texts_even_without_train_jsonl(engine, monkeypatch, tmp_path):
    """Without train.jsonl the warm passes cycled 52 built-in complaints: each came round again within the 256 entries
    of the engine's per-text caches, so the passes timed cache hits. Now every pass is distinct texts, more than any
    cache keeps, and the script refuses to time anything else."""
    latency = bench("suggest_latency")
    monkeypatch.setattr(latency, "TRAIN", tmp_path / "missing.jsonl")
    texts, source = latency.load_texts()
    assert "example phrasings" in source
    assert len(set(texts)) == len(texts) > latency.largest_text_cache() >= 256
    latency.check_texts(texts, ["另一条热身用的投诉"])  # accepted
    for refused in (texts[:200], texts[:300] + texts[:1], (texts[:300], texts[:1])):
        timed, warmup = refused if isinstance(refused, tuple) else (refused, [])
        with pytest.raises(SystemExit, match="times cache hits"):
            latency.check_texts(timed, warmup)


def test_the_suggest_benchmarks_generated_library_loads(tmp_path):
    """The 5,000-template measurement stopped with a LibraryError once the library checked templates against the shop's
    policy: its stock sentences promised a visit and a resend by 「今天18:00前」. Every stock sentence now keeps to the
    policy, so a generated library with each of them loads."""
    from assistant.engine.load import load_library

    latency = bench("suggest_latency")
    latency.write_synthetic_library(tmp_path, total=300)
    bodies = [t.body for t in load_library(tmp_path).templates if t.kind == "intent"]
    assert len(bodies) == 300
    for action in latency.ACTIONS:  # each stock sentence is in some body, so the load above checked it
        assert any(action in body for body in bodies), action


def test_the_outcome_import_benchmark_counts_rows_that_already_had_their_result(tmp_path):
    """bench/outcome_log.py stopped at its own check: it expected every row of a filled sheet to be recorded, but the
    generated log already holds some of those results, which the import counts as unchanged."""
    result = bench("outcome_log").bench_import(tmp_path / "import.db", 300, repeat=2)
    assert result["same_sheet_again"]["recorded"] == 0  # the sheet just imported changes nothing the second time


def test_every_model_cv_configuration_sets_a_constant_the_training_reads():
    """A configuration of bench/model_cv.py sets module constants by name for a 5-minute run. A misspelt name must stop
    the run at once, not measure the shipped model under another label; each name lives in train, model or selection,
    with a value of the kind the constant has."""
    model_cv = bench("model_cv")
    for name, config in model_cv.CONFIGS.items():
        for constant, value in config.items():
            if constant == "offline":
                continue
            current = getattr(model_cv.home(constant), constant)
            assert isinstance(value, type(current)) or {type(value), type(current)} <= {int, float}, (name, constant)
    with pytest.raises(KeyError, match="HINGE_WIEHGT"):
        model_cv.home("HINGE_WIEHGT")


def test_the_drafts_benchmark_reports_what_changed_by_category(tmp_path, capsys):
    """bench/drafts.py diff: a changed first draft is counted once under its category, with its template change."""
    drafts = bench("drafts")
    row = {"id": "t1", "category": "水果", "intent": "quality_defect", "reasons": [], "predicted": [], "escalated": []}
    row |= {"text": "苹果不甜", "drafts": [["a.general", "旧"]]}
    same = {**row, "id": "t2", "category": "酒店"}
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps([row, same], ensure_ascii=False), encoding="utf-8")
    after.write_text(json.dumps([{**row, "drafts": [["a.produce", "新"]]}, same], ensure_ascii=False), encoding="utf-8")
    assert drafts.main(["diff", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    assert "t1 0 a.general -> a.produce" in out and "t2" not in out
    assert "水果: first draft 1, its template 1" in out and "酒店" not in out.split("\n\n")[-1]
    drafts.main(["review", str(after), str(tmp_path / "review")])
    assert "[1] a.produce: 新" in (tmp_path / "review" / "水果.txt").read_text(encoding="utf-8")
