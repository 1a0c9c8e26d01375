"""The engine beside simple peer methods: everything fitted on train.jsonl, everything measured on dev.jsonl.

Protocol (``../shared/eval/README.md``): every method is fitted on
``../shared/eval/train.jsonl`` (1,500 labelled complaints) and, where the method
uses them, the library's example phrasings; ``../shared/eval/dev.jsonl`` (300) is
read only to score. Nothing is tuned here: the peers keep fixed, common settings.

Intent methods (top1: the first prediction is the labelled primary intent; top3: it
is among the first three; the definitions of ``assistant eval``):

- majority: the most frequent training intent (top3: the three most frequent);
- fuzzy-nn: the nearest training complaint by ``rapidfuzz.fuzz.ratio`` on the raw text
  (top3: the distinct intents of the nearest complaints, in order);
- bm25: ``BM25Okapi`` over jieba-segmented training complaints (a private
  ``jieba.Tokenizer``); the intents of the best-scoring ones, distinct, in order;
- tfidf+lr: TF-IDF over character 1-3-grams (``char_wb``, sublinear tf) and a
  ``LogisticRegression(max_iter=2000, class_weight="balanced")``;
- the three text peers again with the library's example phrasings added to their
  training texts ("+ library");
- the engine three ways, with the shipped ``replies/model.npz`` (trained by
  ``assistant train --data ../shared/eval/train.jsonl``, checked from its metadata):
  rules alone (``Engine.suggest`` with ``model = None``: the keyword evidence),
  model alone (``engine.model.intents.decision(intent_features(normalized))``, no
  keyword evidence), and the combined engine (``Engine.suggest`` as shipped).

Escalation (precision and recall, ``escalate = true`` the positive class): a fixed
list of 25 obvious words (escalate when any occurs), the engine's rules alone
(``check_escalation(normalized, rules, None)``) and the combined engine (with the model).

Intervals are Wilson 95% intervals; "discordant" counts the dev records that one
method gets right at top1 and the other wrong, both ways (a paired comparison).

Run from the repository root (``pip install -e '.[bench]'`` installs scikit-learn
and rank-bm25):

    python bench/peers.py          # a readable table (progress on stderr)
    python bench/peers.py --json   # one JSON object
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections import Counter
from pathlib import Path

import jieba
import numpy as np
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine.core import Engine  # noqa: E402
from assistant.engine.escalate import check_escalation  # noqa: E402
from assistant.engine.evaluate import read_labelled  # noqa: E402
from assistant.engine.model import TrainedModel, intent_features  # noqa: E402
from assistant.engine.normalize import normalize  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
TRAIN, DEV = EVAL / "train.jsonl", EVAL / "dev.jsonl"
ESCALATION_WORDS = (
    "12315",
    "消协",
    "工商",
    "律师",
    "起诉",
    "法院",
    "报警",
    "曝光",
    "媒体",
    "记者",
    "微博",
    "抖音",
    "过敏",
    "受伤",
    "住院",
    "拉肚子",
    "起火",
    "爆炸",
    "漏电",
    "赔偿",
    "泄露",
    "隐私",
    "投诉",
    "多次",
    "假一赔三",
)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ranked_distinct(labels, limit: int = 3) -> list[str]:
    """The first ``limit`` distinct labels, in order."""
    out: list[str] = []
    for label in labels:
        if label not in out:
            out.append(label)
            if len(out) == limit:
                break
    return out


def majority(train_texts, train_intents, test_texts) -> list[list[str]]:
    top = [intent for intent, _ in Counter(train_intents).most_common(3)]
    return [top] * len(test_texts)


def tfidf_lr(train_texts, train_intents, test_texts) -> list[list[str]]:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    model = LogisticRegression(max_iter=2000, class_weight="balanced")
    model.fit(vectorizer.fit_transform(train_texts), train_intents)
    probabilities = model.predict_proba(vectorizer.transform(test_texts))
    return [list(model.classes_[np.argsort(-p, kind="stable")[:3]]) for p in probabilities]


def make_segmenter():
    """A private jieba tokenizer that yields content tokens (no spaces or punctuation)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    return lambda text: [t for t in tokenizer.lcut(text.lower()) if any(ch.isalnum() for ch in t)]


def bm25(train_texts, train_intents, test_texts, segment) -> list[list[str]]:
    """Intents of the best BM25 matches; the training majority order when nothing overlaps."""
    index = BM25Okapi([segment(t) or ["_"] for t in train_texts])
    fallback = [intent for intent, _ in Counter(train_intents).most_common()]
    out = []
    for text in test_texts:
        scores = index.get_scores(segment(text))
        if scores.max() <= 0:
            out.append(fallback[:3])
            continue
        out.append(ranked_distinct(train_intents[i] for i in np.argsort(-scores, kind="stable")))
    return out


def fuzzy_nn(train_texts, train_intents, test_texts) -> list[list[str]]:
    out = []
    for text in test_texts:
        hits = process.extract(text, train_texts, scorer=fuzz.ratio, limit=None)
        out.append(ranked_distinct(train_intents[i] for _, _, i in hits))
    return out


def wilson(hits: int, n: int, z: float = 1.96) -> list[float]:
    """Wilson 95% interval of a proportion."""
    if not n:
        return [0.0, 0.0]
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(centre - half, 3), round(centre + half, 3)]


def score_intents(predicted: list[list[str]], truth: list[str]) -> dict:
    n = len(truth)
    hits1 = [p[:1] == [t] for p, t in zip(predicted, truth)]
    hits3 = sum(t in p[:3] for p, t in zip(predicted, truth))
    return {
        "top1": round(sum(hits1) / n, 4),
        "top3": round(hits3 / n, 4),
        "top1_ci": wilson(sum(hits1), n),
        "top3_ci": wilson(hits3, n),
        "_hits1": hits1,
    }


def precision_recall(truth: list[bool], predicted: list[bool]) -> dict:
    tp = sum(t and p for t, p in zip(truth, predicted))
    flagged, positive = sum(predicted), sum(truth)
    precision = tp / flagged if flagged else 0.0
    recall = tp / positive if positive else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "flagged": flagged,
        "positive": positive,
        "true_positive": tp,
        "precision_ci": wilson(tp, flagged),
        "recall_ci": wilson(tp, positive),
    }


def library_examples(engine: Engine) -> tuple[list[str], list[str]]:
    """The library's example phrasings and their templates' intents."""
    pairs = [(ex, t.group) for t in engine.library.templates if t.kind == "intent" for ex in t.examples]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def engine_figures(engine: Engine, dev: list[dict]) -> dict:
    """Rules alone, model alone and combined: intents (as ``Engine.suggest`` ranks them) and escalation."""
    model = engine.model
    out: dict = {
        "rules alone": {"intents": [], "escalate": []},
        "model alone": {"intents": []},
        "combined": {"intents": [], "escalate": []},
    }
    labels = list(model.intents.labels)
    for n, record in enumerate(dev, start=1):
        normalized = normalize(record["text"], engine.segmenter)
        decision = model.intents.decision(intent_features(normalized))
        out["model alone"]["intents"].append([labels[i] for i in np.argsort(-decision, kind="stable")[:3]])
        for name, m in (("rules alone", None), ("combined", model)):
            engine.model = m
            try:
                suggestion = engine.suggest(record["text"])
            finally:
                engine.model = model
            out[name]["intents"].append([i.id for i in suggestion.intents])
            # what suggest decides with no history; the same call check_escalation(normalized, engine.rules, m) makes
            escalation = check_escalation(normalized, engine.rules, m, earlier=())
            assert escalation.escalate == suggestion.escalation.escalate
            out[name]["escalate"].append(escalation.escalate)
        if n % 50 == 0:
            progress(f"  engine: {n}/{len(dev)}")
    return out


def discordant(a: list[bool], b: list[bool]) -> dict:
    """Records right at top1 for one method and wrong for the other."""
    return {"only_first": sum(x and not y for x, y in zip(a, b)), "only_second": sum(y and not x for x, y in zip(a, b))}


def run(model_path: Path | None = None) -> dict:
    started = time.perf_counter()
    train = read_labelled(TRAIN)
    dev = read_labelled(DEV)  # scored only
    train_texts, train_intents = [r["text"] for r in train], [r["intent"] for r in train]
    dev_texts, dev_intents = [r["text"] for r in dev], [r["intent"] for r in dev]
    dev_escalate = [bool(r.get("escalate")) for r in dev]

    progress("building the engine (shipped library and model)")
    engine = Engine.from_settings(Settings())
    model_file = engine.settings.replies_dir / "model.npz"
    if model_path is not None:  # another model file, e.g. one just trained by `assistant train --out`
        engine.model, model_file = TrainedModel.load(model_path), model_path
    if engine.model is None:
        raise SystemExit(f"no model file in {engine.settings.replies_dir}: run `assistant train --data {TRAIN}` first")
    meta = engine.model.meta
    if meta.get("data") != ["train.jsonl"]:
        raise SystemExit(f"the shipped model was trained on {meta['data']}, not train.jsonl alone")
    lib_texts, lib_intents = library_examples(engine)

    segment = make_segmenter()
    peers = {
        "majority": lambda a, b: majority(a, b, dev_texts),
        "fuzzy-nn": lambda a, b: fuzzy_nn(a, b, dev_texts),
        "bm25": lambda a, b: bm25(a, b, dev_texts, segment),
        "tfidf+lr": lambda a, b: tfidf_lr(a, b, dev_texts),
    }
    methods: dict[str, dict] = {}
    for name, fit_predict in peers.items():
        progress(f"peer {name}: fitted on train.jsonl")
        methods[name] = score_intents(fit_predict(train_texts, train_intents), dev_intents)
        if name != "majority":
            progress(f"peer {name} + library: fitted on train.jsonl and {len(lib_texts)} library examples")
            methods[f"{name} + library"] = score_intents(
                fit_predict(train_texts + lib_texts, train_intents + lib_intents), dev_intents
            )

    progress("engine: rules alone, model alone, combined")
    figures = engine_figures(engine, dev)
    for name in ("rules alone", "model alone", "combined"):
        methods[f"engine: {name}"] = score_intents(figures[name]["intents"], dev_intents)

    escalation = {
        "keyword list": precision_recall(dev_escalate, [any(w in t for w in ESCALATION_WORDS) for t in dev_texts]),
        "engine: rules alone": precision_recall(dev_escalate, figures["rules alone"]["escalate"]),
        "engine: combined": precision_recall(dev_escalate, figures["combined"]["escalate"]),
    }
    combined = methods["engine: combined"]["_hits1"]
    paired = {
        other: discordant(combined, methods[other]["_hits1"])
        for other in ("engine: rules alone", "engine: model alone", "tfidf+lr", "tfidf+lr + library")
    }
    for v in methods.values():
        v.pop("_hits1")
    return {
        "train": str(TRAIN),
        "dev": str(DEV),
        "n_train": len(train),
        "n_dev": len(dev),
        "n_library_examples": len(lib_texts),
        "dev_escalate": sum(dev_escalate),
        "model": {
            "file": str(model_file),
            "data": meta.get("data"),
            "inputs_hash": meta.get("inputs_hash"),
            "n_library_trained": meta.get("n_library"),
            "cv_top1": meta.get("top1"),
            "cv_top3": meta.get("top3"),
            "settings": engine.model.settings.get("intents"),
        },
        "intents": methods,
        "escalation": escalation,
        "keyword_list": list(ESCALATION_WORDS),
        "combined_vs": paired,
        "seconds": round(time.perf_counter() - started, 1),
    }


def print_table(result: dict) -> None:
    print(
        f"fitted on {result['train']} ({result['n_train']}; '+ library' adds {result['n_library_examples']} library "
        f"examples), measured on {result['dev']} ({result['n_dev']}, {result['dev_escalate']} to escalate)"
    )
    m = result["model"]
    print(
        f"engine model: {m['file']} (data {m['data']}, {m['n_library_trained']} library examples, inputs "
        f"{str(m['inputs_hash'])[:12]}, weights {m['settings']}, cross-validated top1 {m['cv_top1']})"
    )
    if m["n_library_trained"] != result["n_library_examples"]:
        print(
            f"note: the model was trained with {m['n_library_trained']} library examples; the library now has "
            f"{result['n_library_examples']} (retrain with `assistant train --data {result['train']}`)"
        )
    print(f"\n{'intent method':<30}{'top1':>7}  {'95% interval':<14}{'top3':>7}  {'95% interval':<14}")
    for name, v in result["intents"].items():
        print(f"{name:<30}{v['top1']:>7.3f}  {str(v['top1_ci']):<14}{v['top3']:>7.3f}  {str(v['top3_ci']):<14}")
    print(f"\n{'escalation method':<30}{'precision':>10}{'recall':>8}{'F1':>7}{'flagged':>9}{'labelled':>10}")
    for name, v in result["escalation"].items():
        print(f"{name:<30}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}{v['flagged']:>9}{v['positive']:>10}")
    print("\ntop1, combined engine against (right only for the engine / right only for the other):")
    for name, d in result["combined_vs"].items():
        print(f"  {name:<28}{d['only_first']:>4} / {d['only_second']}")
    print(f"\n({result['seconds']} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument(
        "--model",
        type=Path,
        help="score the engine with this model file instead of replies/model.npz "
        "(it must have been trained on train.jsonl alone)",
    )
    args = parser.parse_args()
    for path in (TRAIN, DEV):
        if not path.exists():
            print(f"{path} not found; nothing to compare (it lives in ../shared/eval/ next to the project).")
            return
    result = run(args.model)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
