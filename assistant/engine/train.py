"""``assistant train``: fit the intent and escalation models, choose how they combine with the rules.

Inputs: the library's example phrasings (each labelled with its template's intent; an
offline-invitation template's examples count as escalated for its reason),
labelled complaints in the TAXONOMY record format (``--data``), and the agents'
corrections from the outcome log (``--db``). Everything that is chosen rather than
fitted (the weights of model and keyword evidence, the escalation threshold, which
rules the model may not overrule) is chosen on out-of-fold predictions of a
stratified 5-fold cross-validation over the labelled complaints, so no figure
reported here comes from a complaint the model was fitted on. The library's
examples are always in the training folds, never scored.

Needs scikit-learn (``pip install -e '.[train]'``); the service only needs NumPy to
load the result (``model.py``). Deterministic: fixed folds and seeds, and the file
records a hash of its inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from assistant.engine.core import library_hash
from assistant.engine.crossval import assemble, choose, fold_models, path_figures, whole_path
from assistant.engine.escalate import Rule, rule_hits
from assistant.engine.evaluate import read_labelled
from assistant.engine.evidence import Evidence, EvidenceIndex, keyword_evidence
from assistant.engine.library import Library
from assistant.engine.model import ESCALATE, LinearModel, TrainedModel, escalation_features, intent_features
from assistant.engine.normalize import Normalized, Segmenter, normalize
from assistant.engine.selection import combined_logits, precision_recall, topk
from assistant.errors import InvalidInput
from assistant.taxonomy import INTENTS, REASONS

FOLDS = 5
SEED = 0
# LinearSVC regularisation (cross-validated on train.jsonl: C 0.25/0.5/1 give top1 0.681/0.691/0.692);
# balanced class weights lift the small intents' recall (top1 0.687 -> 0.691).
INTENT_C = 0.5
# Weight of the plain-hinge SVM added to the squared-hinge one (see _fit_intents). Cross-validated on train.jsonl
# (5 folds x 5 seeds, bench/model_cv.py): 0 gives top1 0.715, top3 0.925, mean per-intent recall 0.659;
# 0.5 gives 0.715, 0.925, 0.671; 1.0 gives 0.711, 0.919, 0.684.
HINGE_WEIGHT = 0.5
# Complement naive Bayes smoothing. Session 16 (whole-path CV on train.jsonl, fold seeds 0-2, bench/model_cv.py): 0.1 and
# 1.0 give intent odds 0.664 and 0.614 against 0.678 at 0.3.
NB_ALPHA = 0.3
ESCALATION_C = 0.5


@dataclass(frozen=True)
class Example:
    """One labelled text, normalised once."""

    normalized: Normalized
    intent: str  # "": no intent label (the offline-invitation templates' examples, fitted for escalation only)
    escalate: bool | None  # None: no escalation label (the intent templates' example phrasings)
    reasons: tuple[str, ...]
    hits: tuple[str, ...]  # escalation reasons whose rules fired
    words: tuple[str, ...]  # the phrases the escalation rules matched
    evidence: np.ndarray  # keyword evidence scores in INTENTS order
    found: Evidence | None = None  # the keyword evidence itself (cross-validation's ``core.decide`` reads it)


def read_records(path: Path | str) -> list[dict]:
    """Labelled complaints from a JSONL file (``text``, ``intent``, optional ``escalate`` and ``reasons``).

    :raises InvalidInput: naming the file and line of a bad record or an unknown intent or reason
    """

    records = read_labelled(path)
    for n, r in enumerate(records, start=1):
        if r["intent"] not in INTENTS or any(x not in REASONS for x in r.get("reasons") or ()):
            raise InvalidInput(f"{path}: record {n}: unknown intent or reason")
    return records


def inputs_hash(library_dir: Path, data: Sequence[Path], corrections: Sequence[dict]) -> str:
    """SHA-256 over the library's files, the data files and the corrections: the model's provenance."""
    h = hashlib.sha256(library_hash(library_dir).encode())
    for path in data:
        h.update(Path(path).read_bytes())
    h.update(json.dumps(list(corrections), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def train(
    library: Library,
    segmenter: Segmenter,
    rules: dict[str, Rule],
    records: Sequence[dict],
    *,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> tuple[TrainedModel, dict]:
    """Fit both models on the library's examples plus ``records`` and cross-validate the combination.

    :param records: labelled complaints (TAXONOMY format), the data files' and the corrections
    :param progress: ``progress(stage, total)`` returns a function to call with steps done
    :returns: the model and the cross-validated figures
    """

    if len(records) < FOLDS * 2:
        raise InvalidInput(f"need at least {FOLDS * 2} labelled complaints to cross-validate; got {len(records)}")
    tick = progress or (lambda stage, total: lambda n: None)
    index = EvidenceIndex.build(library, segmenter)
    step = tick("读取", len(records))
    labelled = [_example(r, segmenter, index, rules, step) for r in records]
    # The library's examples are only ever fitted on, never scored: no rule hits or evidence needed.
    examples = [
        Example(normalize(ex, segmenter), t.group, None, (), (), (), np.zeros(0))
        for t in library.templates
        if t.kind == "intent"
        for ex in t.examples
    ]
    # The offline-invitation templates' examples ("再不处理我就打12315") are escalated complaints of their reason:
    # the escalation model is fitted on them too (cross-validated on train.jsonl: recall 0.837 -> 0.856 at the
    # same precision, bench/model_cv.py).
    offline = [
        Example(normalize(ex, segmenter), "", True, (t.group,), (), (), np.zeros(0))
        for t in library.templates
        if t.kind == "offline"
        for ex in t.examples
    ]
    intents = list(INTENTS)
    y = np.array([intents.index(e.intent) for e in labelled])
    largest = int(np.bincount(y).max())
    if largest < FOLDS:  # stratified folds need one intent with a complaint in each fold
        raise InvalidInput(
            f"need at least {FOLDS} labelled complaints of one intent to cross-validate; the largest intent has {largest}"
        )
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y))

    step = tick("交叉验证", FOLDS + 1)
    fitted = []
    decision = np.zeros((len(labelled), len(intents)))
    bayes = np.zeros((len(labelled), len(intents)))
    escalation = np.zeros((len(labelled), 1 + len(REASONS)))
    for fit, held in folds:
        svc, nb = _fit_intents([labelled[i] for i in fit] + examples)
        decision[held] = np.array([svc.decision(intent_features(labelled[i].normalized)) for i in held])
        bayes[held] = np.array([nb.decision(intent_features(labelled[i].normalized)) for i in held])
        esc = _fit_escalation([labelled[i] for i in fit] + offline)
        escalation[held] = np.array([esc.decision(_esc_features(labelled[i])) for i in held])
        fitted.append((svc, nb, esc))
        step(1)

    evidence = np.array([e.evidence for e in labelled])
    chosen = choose(decision, bayes, evidence, escalation, labelled, folds)
    logits = combined_logits(decision, bayes, evidence, chosen.weights, chosen.tau, chosen.log_prior)
    predicted = np.argmax(logits, axis=1)
    recall_per_intent = {
        intent: round(float((predicted[y == k] == k).mean()), 3) for k, intent in enumerate(intents) if (y == k).any()
    }
    truth = np.array([bool(e.escalate) for e in labelled])
    rules_precision, rules_recall = precision_recall(np.array([bool(e.hits) for e in labelled]), truth)
    # The whole run-time path, guards included: each fold's complete model, through core.decide (crossval.py)
    models = fold_models(fitted, decision, bayes, evidence, escalation, labelled, folds)
    path = path_figures(whole_path(labelled, folds, models, index, rules))
    step(1)

    step = tick("训练", 2)
    final_intents = _fit_intents(labelled + examples)
    step(1)
    model = assemble(*final_intents, _fit_escalation(labelled + offline), chosen)
    step(1)
    figures = {
        "n_labelled": len(labelled),
        "n_library": len(examples),
        "n_offline": len(offline),
        **{
            name: round(float(value), 3)
            for name, value in (
                ("top1", chosen.top1),
                ("top3", chosen.top3),
                ("macro_recall", np.mean(list(recall_per_intent.values()))),
                ("model_top1", topk(decision + chosen.weights[2] * bayes, y, 1)),
                ("evidence_top1", topk(evidence, y, 1)),
                ("precision", chosen.precision),
                ("recall", chosen.recall),
                ("rules_precision", rules_precision),
                ("rules_recall", rules_recall),
            )
        },
        "recall_per_intent": recall_per_intent,
        "whole_path": path,
    }
    return model, figures


def with_meta(model: TrainedModel, figures: dict) -> TrainedModel:
    """The model with its figures and provenance recorded in the file."""
    return TrainedModel(model.intents, model.escalation, model.settings, {**model.meta, **figures})


def _example(record: dict, segmenter: Segmenter, index: EvidenceIndex, rules, step) -> Example:
    """A labelled complaint, with what cross-validation scores it by: its rule hits and keyword evidence."""
    normalized = normalize(record["text"], segmenter)
    hits = rule_hits(normalized, rules)
    step(1)
    found = keyword_evidence(normalized, index)
    return Example(
        normalized,
        record["intent"],
        bool(record["escalate"]) if "escalate" in record else None,
        tuple(record.get("reasons") or ()),
        tuple(hits),
        tuple(w for found in hits.values() for w in found),
        found.scores,
        found,
    )


def _esc_features(e: Example) -> list[str]:
    return escalation_features(e.normalized)


def _vectorize(docs: list[list[str]]):

    vectorizer = TfidfVectorizer(analyzer=lambda features: features, sublinear_tf=True, dtype=np.float64)
    return vectorizer, vectorizer.fit_transform(docs)


def _linear(vectorizer, coef: np.ndarray, intercept: np.ndarray, labels: Sequence[str]) -> LinearModel:
    vocabulary = {word: int(i) for word, i in vectorizer.vocabulary_.items()}
    return LinearModel(tuple(labels), vocabulary, vectorizer.idf_.astype(np.float64), coef.T.astype(np.float32), intercept)


def _fit_intents(examples: Sequence[Example]) -> tuple[LinearModel, LinearModel]:
    """A linear SVM and a complement naive Bayes on the same features (``crossval.assemble`` adds them up).

    The SVM is two on the same features, added up: the usual squared hinge loss, plus ``HINGE_WEIGHT`` times one
    with the plain hinge loss, whose decisions favour the small intents more.
    """

    vectorizer, X = _vectorize([intent_features(e.normalized) for e in examples])
    intents = list(INTENTS)
    y = np.array([intents.index(e.intent) for e in examples])
    coef = np.zeros((len(intents), X.shape[1]))
    intercept = np.full(len(intents), -10.0)  # an intent with no examples is never chosen
    squared, plain = (
        LinearSVC(C=INTENT_C, loss=loss, class_weight="balanced", random_state=SEED).fit(X, y)
        for loss in ("squared_hinge", "hinge")
    )
    coef[squared.classes_] = squared.coef_ + HINGE_WEIGHT * plain.coef_
    intercept[squared.classes_] = squared.intercept_ + HINGE_WEIGHT * plain.intercept_
    nb = ComplementNB(alpha=NB_ALPHA).fit(X, y)
    # Its joint log-likelihood, centred per feature: what is common to every intent cancels in the softmax,
    # and what is left is small enough to share the SVM's int8 scale.
    log_prob = np.zeros((len(intents), X.shape[1]))
    log_prob[nb.classes_] = nb.feature_log_prob_
    log_prob[nb.classes_] -= nb.feature_log_prob_.mean(axis=0)
    return _linear(vectorizer, coef, intercept, intents), _linear(vectorizer, log_prob, np.zeros(len(intents)), intents)


def _fit_escalation(examples: Sequence[Example]) -> LinearModel:
    """One binary column for "escalate at all", then one per reason (one-vs-rest)."""

    vectorizer, X = _vectorize([_esc_features(e) for e in examples])
    labels = [ESCALATE, *REASONS]
    coef, intercept = np.zeros((len(labels), X.shape[1])), np.full(len(labels), -10.0)
    for j, label in enumerate(labels):
        y = np.array([bool(e.escalate) if label == ESCALATE else label in e.reasons for e in examples])
        if y.any() and not y.all():
            svc = LinearSVC(C=ESCALATION_C, class_weight="balanced", random_state=SEED).fit(X, y)
            coef[j], intercept[j] = svc.coef_[0], svc.intercept_[0]
    return _linear(vectorizer, coef, intercept, labels)
