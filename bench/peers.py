"""How does the assistant compare with simple peer methods on ``../shared/eval/dev.jsonl``?

Intent recognition, by stratified 5-fold cross-validation (seed 0), for four peers
trained on the other folds:

- majority: always the most frequent training intent (top3: the three most frequent);
- tfidf+lr: TF-IDF over character 1-3-grams and a logistic regression with balanced
  class weights (unweighted, it predicts the majority intent for every record);
- bm25: BM25Okapi over jieba-segmented training complaints; the intent of the best
  scoring complaint (top3: the distinct intents of the best complaints, in order);
- fuzzy-nn: the nearest training complaint by ``rapidfuzz.fuzz.ratio`` on raw text.

Escalation: a fixed keyword list (escalate when any word occurs) against the labels.

The assistant itself is rule and library based and never trained on dev.jsonl, so
it runs once over all 300 records (no folds), with the same top1/top3 and
escalation precision/recall as ``assistant eval``.

Run from the repository root (``pip install -e '.[bench]'`` installs scikit-learn
and rank-bm25):

    python bench/peers.py          # a readable table
    python bench/peers.py --json   # one JSON object
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
from collections import Counter
from pathlib import Path

import jieba
import numpy as np
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FOLDS, SEED = 5, 0
ESCALATION_WORDS = (
    "12315", "消协", "工商", "律师", "起诉", "法院", "报警", "曝光", "媒体", "记者", "微博", "抖音", "过敏",
    "受伤", "住院", "拉肚子", "起火", "爆炸", "漏电", "赔偿", "泄露", "隐私", "投诉", "多次", "假一赔三",
)


def fold_indices(intents: list[str]) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """Train/test indices of 5 folds, and how they were made.

    Stratified by intent; intents with fewer than 5 records share one "rare" stratum,
    which joins the largest intent's stratum when it is itself too small. KFold
    with shuffling is the fallback if stratification still fails.
    """
    counts = Counter(intents)
    strata = [i if counts[i] >= FOLDS else "_rare" for i in intents]
    merged = sorted(i for i in counts if counts[i] < FOLDS)
    into = "one stratum"
    if 0 < strata.count("_rare") < FOLDS:
        into = counts.most_common(1)[0][0]
        strata = [into if s == "_rare" else s for s in strata]
    x = np.zeros(len(intents))
    try:
        folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, strata))
        how = "StratifiedKFold, seed 0" + (f" ({', '.join(merged)}: < {FOLDS} records, stratified with {into})" if merged else "")
    except ValueError as e:
        folds = list(KFold(FOLDS, shuffle=True, random_state=SEED).split(x))
        how = f"KFold with shuffling, seed 0 (stratification failed: {e})"
    return folds, how


def ranked_distinct(labels, limit: int = 3) -> list[str]:
    """The first ``limit`` distinct labels, in order."""
    return list(dict.fromkeys(labels))[:limit]


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


def cross_validate(records: list[dict]) -> tuple[dict, str]:
    """top1/top3 of every peer: mean over folds and pooled over all records."""
    texts = [r["text"] for r in records]
    intents = [r["intent"] for r in records]
    segment = make_segmenter()
    methods = {
        "majority": majority,
        "tfidf+lr": tfidf_lr,
        "bm25": lambda a, b, c: bm25(a, b, c, segment),
        "fuzzy-nn": fuzzy_nn,
    }
    folds, how = fold_indices(intents)
    results = {}
    for name, method in methods.items():
        per_fold, hits1, hits3 = [], 0, 0
        for train, test in folds:
            predicted = method([texts[i] for i in train], [intents[i] for i in train], [texts[i] for i in test])
            top1 = sum(p[:1] == [intents[i]] for p, i in zip(predicted, test))
            top3 = sum(intents[i] in p[:3] for p, i in zip(predicted, test))
            per_fold.append((top1 / len(test), top3 / len(test)))
            hits1, hits3 = hits1 + top1, hits3 + top3
        results[name] = {
            "top1": round(statistics.fmean(f[0] for f in per_fold), 4),
            "top3": round(statistics.fmean(f[1] for f in per_fold), 4),
            "top1_pooled": round(hits1 / len(records), 4),
            "top3_pooled": round(hits3 / len(records), 4),
        }
    return results, how


def precision_recall(truth: list[bool], predicted: list[bool]) -> dict:
    tp = sum(t and p for t, p in zip(truth, predicted))
    flagged, positive = sum(predicted), sum(truth)
    return {"precision": round(tp / flagged, 4) if flagged else 0.0, "recall": round(tp / positive, 4) if positive else 0.0,
            "flagged": flagged, "positive": positive}


def keyword_escalation(records: list[dict]) -> dict:
    flagged = [any(w in r["text"] for w in ESCALATION_WORDS) for r in records]
    return precision_recall([bool(r["escalate"]) for r in records], flagged)


def assistant_figures(records: list[dict]) -> dict:
    """The engine on every record, scored like ``assistant eval``."""
    from assistant.config import Settings
    from assistant.engine import Engine
    from assistant.evaluate import predict

    predictions = predict(Engine.from_settings(Settings()), records)
    n = len(predictions)
    escalation = precision_recall([p.escalate for p in predictions], [p.predicted_escalate for p in predictions])
    return {
        "top1": round(sum(p.predicted[:1] == (p.intent,) for p in predictions) / n, 4),
        "top3": round(sum(p.intent in p.predicted[:3] for p in predictions) / n, 4),
        "escalation": escalation,
    }


def print_table(result: dict) -> None:
    print(f"{result['n']} records of {result['source']}; folds: {result['folds']}")
    print(f"\n{'intent method':<34}{'top1':>7}{'top3':>7}{'top1 pooled':>13}{'top3 pooled':>13}")
    for name, v in result["peers"].items():
        print(f"{name + ' (5-fold CV)':<34}{v['top1']:>7.3f}{v['top3']:>7.3f}{v['top1_pooled']:>13.3f}{v['top3_pooled']:>13.3f}")
    a = result["assistant"]
    print(f"{'assistant (no training, all 300)':<34}{a['top1']:>7.3f}{a['top3']:>7.3f}{a['top1']:>13.3f}{a['top3']:>13.3f}")
    print(f"\n{'escalation method':<34}{'precision':>10}{'recall':>8}{'flagged':>9}{'labelled':>10}")
    for name, v in (("keyword list", result["keyword_escalation"]), ("assistant", a["escalation"])):
        print(f"{name:<34}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['flagged']:>9}{v['positive']:>10}")
    print("\nThe assistant is rule/library based and not trained on dev.jsonl, so it needs no cross-validation:"
          "\nits figures are over all records, the peers' over held-out folds (mean of folds, and pooled).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    if not DEV.exists():
        print(f"{DEV} not found; nothing to compare (it lives in ../shared/eval/ next to the project).")
        return
    with DEV.open(encoding="utf-8") as fp:
        records = [json.loads(line) for line in fp if line.strip()]
    peers, how = cross_validate(records)
    result = {
        "source": str(DEV), "n": len(records), "folds": how, "seed": SEED, "peers": peers,
        "keyword_escalation": keyword_escalation(records), "keyword_list": list(ESCALATION_WORDS),
        "assistant": assistant_figures(records),
        "note": "the assistant is rule/library based and not trained on dev.jsonl: evaluated once on all records, no CV",
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
