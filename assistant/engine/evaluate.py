"""Accuracy and latency of the engine on a labelled file (the ``assistant eval`` figures).

top1: the first predicted intent is the labelled primary intent; top3: it is among
the first three. Escalation precision/recall/F1 treat ``escalate`` as the positive
class. Per-intent precision and recall are computed on the top-1 prediction.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass

from assistant.engine.core import Engine
from assistant.engine.triage import read_text
from assistant.errors import InvalidInput


@dataclass(frozen=True)
class Prediction:
    """What the engine said about one labelled record."""

    id: str
    intent: str
    predicted: tuple[str, ...]
    escalate: bool
    predicted_escalate: bool
    reasons: tuple[str, ...]
    predicted_reasons: tuple[str, ...]
    ms: float


def predict(engine: Engine, records, progress=None) -> list[Prediction]:
    """Run the engine over labelled records and time each call."""
    out: list[Prediction] = []
    for record in records:
        start = time.perf_counter()
        s = engine.suggest(record["text"])
        ms = (time.perf_counter() - start) * 1000
        out.append(
            Prediction(
                id=str(record.get("id", len(out) + 1)),
                intent=record["intent"],
                predicted=tuple(m.id for m in s.intents),
                escalate=bool(record.get("escalate")),
                predicted_escalate=s.escalation.escalate,
                reasons=tuple(record.get("reasons") or ()),
                predicted_reasons=tuple(r.id for r in s.escalation.reasons),
                ms=ms,
            )
        )
        if progress:
            progress(1)
    return out


def summarize(predictions: list[Prediction]) -> dict:
    """The figures of the ``assistant eval --json`` contract."""
    n = len(predictions)
    top1 = sum(p.predicted[:1] == (p.intent,) for p in predictions)
    top3 = sum(p.intent in p.predicted[:3] for p in predictions)
    tp = sum(p.escalate and p.predicted_escalate for p in predictions)
    fp = sum(p.predicted_escalate and not p.escalate for p in predictions)
    fn = sum(p.escalate and not p.predicted_escalate for p in predictions)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    labelled = Counter(p.intent for p in predictions)
    predicted = Counter(p.predicted[0] for p in predictions if p.predicted)
    hits = Counter(p.intent for p in predictions if p.predicted[:1] == (p.intent,))
    per_intent = {
        intent: {
            "precision": round(hits[intent] / predicted[intent], 3) if predicted[intent] else 0.0,
            "recall": round(hits[intent] / labelled[intent], 3) if labelled[intent] else 0.0,
            "n": labelled[intent],
        }
        for intent in sorted(set(labelled) | set(predicted))
    }
    latencies = sorted(p.ms for p in predictions)
    return {
        "n": n,
        "top1": round(top1 / n, 3) if n else 0.0,
        "top3": round(top3 / n, 3) if n else 0.0,
        "escalation": {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)},
        "per_intent": per_intent,
        "latency_ms": {"p50": round(percentile(latencies, 50), 3), "p99": round(percentile(latencies, 99), 3)},
    }


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none): the smallest value with at least q% of the
    values at or below it. The benches under ``bench/`` use this one definition too."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values) - 1e-9) - 1))
    return sorted_values[k]


def read_labelled(path) -> list[dict]:
    """Read a labelled JSONL file; every record needs ``text`` and ``intent``.

    :raises InvalidInput: naming the file and line of the first malformed record
    """
    content = read_text(path)
    records = []
    for n, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"{path}:{n}: not valid JSON ({e.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not isinstance(record.get("intent"), str):
            raise InvalidInput(f"{path}:{n}: a record needs 'text' and 'intent' strings")
        records.append(record)
    if not records:
        raise InvalidInput(f"{path}: no records")
    return records
