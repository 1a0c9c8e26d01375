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
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from assistant.engine.core import library_hash
from assistant.engine.escalate import Rule, rule_hits, text_signals
from assistant.engine.evaluate import read_labelled
from assistant.engine.evidence import EvidenceIndex, keyword_evidence
from assistant.engine.library import Library
from assistant.engine.model import ESCALATE, LinearModel, TrainedModel, escalation_features, intent_features
from assistant.engine.normalize import Normalized, Segmenter, normalize
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
NB_ALPHA = 0.3  # complement naive Bayes smoothing
CALIBRATION_SCALES = tuple(k / 20 for k in range(4, 41))  # 0.2 .. 2.0
BAYES_WEIGHTS = (0.0, 0.1, 0.2, 0.4)  # naive Bayes added to the SVM (cross-validated: +0.005 top1, +0.008 top3)
ESCALATION_C = 0.5
# Prior correction (logit adjustment): tau * ln(share of the labelled complaints) is taken from each intent's logit, so
# the small intents are chosen more often. The largest tau whose out-of-fold top1 stays within TOP1_GIVE of tau = 0 is
# kept. Cross-validated on train.jsonl (fold seeds 0-2, bench/model_cv.py --only no-prior shipped): one point of top1
# buys +0.006 mean per-intent recall and lifts the weakest intents (not_as_described, damaged_delivery), whose recall
# decides issue 11's per-intent floor: the share of 600-complaint samples meeting every intent line ("intent odds")
# goes from 0.51 to 0.57.
PRIOR_TAUS = tuple(k / 20 for k in range(0, 9))  # 0 .. 0.4
TOP1_GIVE = 0.01
MODEL_WEIGHTS = (1.0, 2.0, 4.0, 6.0, 8.0)
EVIDENCE_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
# Escalation: the threshold with the best recall at this precision or more. Issue 11 asks >= 0.70 on unseen complaints.
# The reported figures are nested (each fold judged by the threshold the other folds chose), but the rules were written
# reading train's errors, so the CV precision is still optimistic; 0.75 keeps a margin, and a lower target buys almost no
# recall (bench/model_cv.py, seeds 0-2: P/R 0.774/0.911 at 0.75, 0.749/0.914 at 0.72, 0.725/0.915 at 0.70).
TARGET_PRECISION = 0.75
DECISIVE_MIN, DECISIVE_PRECISION = 2, 0.75  # see _decisive
REASON_IN_STACK = True  # the escalation stack also weighs the highest per-reason value (see _stack_features)


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

    step = tick("交叉验证", FOLDS)
    decision = np.zeros((len(labelled), len(intents)))
    bayes = np.zeros((len(labelled), len(intents)))
    escalation = np.zeros((len(labelled), 1 + len(REASONS)))
    for fit, held in folds:
        svc, nb = _fit_intents([labelled[i] for i in fit] + examples)
        decision[held] = np.array([svc.decision(intent_features(labelled[i].normalized)) for i in held])
        bayes[held] = np.array([nb.decision(intent_features(labelled[i].normalized)) for i in held])
        esc = _fit_escalation([labelled[i] for i in fit] + offline)
        escalation[held] = np.array([esc.decision(_esc_features(labelled[i])) for i in held])
        step(1)

    evidence = np.array([e.evidence for e in labelled])
    log_prior = np.log((np.bincount(y, minlength=len(intents)) + 1) / (len(y) + len(intents)))
    chosen, tau, top1, top3 = _choose_weights(decision, bayes, evidence, y, log_prior)
    predicted = np.argmax(combined_logits(decision, bayes, evidence, chosen, tau, log_prior), axis=1)
    recall_per_intent = {
        intent: round(float((predicted[y == k] == k).mean()), 3) for k, intent in enumerate(intents) if (y == k).any()
    }
    truth = np.array([bool(e.escalate) for e in labelled])
    rules_precision, rules_recall = _precision_recall(np.array([bool(e.hits) for e in labelled]), truth)
    if min(truth.sum(), (~truth).sum()) >= FOLDS:
        escalation_settings, precision, recall = _choose_escalation(escalation, labelled, truth, folds)
    else:  # too few escalated (or calm) complaints to learn from: the rules decide alone
        escalation_settings, precision, recall = {"rules_only": True}, rules_precision, rules_recall

    step = tick("训练", 2)
    # The prior correction lives in the intercepts: match.py needs nothing more
    final_intents = _merge(*_fit_intents(labelled + examples), chosen[2], -tau * log_prior / chosen[0])
    step(1)
    final_escalation = _fit_escalation(labelled + offline)
    step(1)
    settings = {
        "intents": {"model_weight": chosen[0], "evidence_weight": chosen[1], "bayes_weight": chosen[2], "prior_tau": tau},
        "escalation": escalation_settings,
    }
    figures = {
        "n_labelled": len(labelled),
        "n_library": len(examples),
        "n_offline": len(offline),
        **{
            name: round(float(value), 3)
            for name, value in (
                ("top1", top1),
                ("top3", top3),
                ("macro_recall", np.mean(list(recall_per_intent.values()))),
                ("model_top1", _topk(decision + chosen[2] * bayes, y, 1)),
                ("evidence_top1", _topk(evidence, y, 1)),
                ("precision", precision),
                ("recall", recall),
                ("rules_precision", rules_precision),
                ("rules_recall", rules_recall),
            )
        },
        "recall_per_intent": recall_per_intent,
    }
    return TrainedModel(final_intents, final_escalation, settings), figures


def with_meta(model: TrainedModel, figures: dict) -> TrainedModel:
    """The model with its figures and provenance recorded in the file."""
    return TrainedModel(model.intents, model.escalation, model.settings, {**model.meta, **figures})


def _example(record: dict, segmenter: Segmenter, index: EvidenceIndex, rules, step) -> Example:
    """A labelled complaint, with what cross-validation scores it by: its rule hits and keyword evidence."""
    normalized = normalize(record["text"], segmenter)
    hits = rule_hits(normalized, rules)
    step(1)
    return Example(
        normalized,
        record["intent"],
        bool(record["escalate"]) if "escalate" in record else None,
        tuple(record.get("reasons") or ()),
        tuple(hits),
        tuple(w for found in hits.values() for w in found),
        keyword_evidence(normalized, index).scores,
    )


def _esc_features(e: Example) -> list[str]:
    return escalation_features(e.normalized)


def _choose_escalation(decision: np.ndarray, labelled: list[Example], truth: np.ndarray, folds) -> tuple[dict, float, float]:
    """The escalation stack, its threshold and its decisive phrases, with out-of-fold precision and recall.

    :param decision: the escalation model's out-of-fold values, "escalate" first, then one per reason
    :returns: the settings fitted on every complaint, and the precision and recall of settings chosen without the
        complaints they score: each fold is judged by the stack, the decisive phrases and the threshold that the
        other folds chose
    """
    stacked = _stack_features(*text_signals(decision), labelled)
    held_out = np.zeros(len(labelled))
    decided = np.zeros(len(labelled), dtype=bool)  # escalated by a decisive phrase, whatever the stack says
    for fit, held in folds:
        held_out[held] = _fit_stack(stacked[fit], truth[fit]).predict_proba(stacked[held])[:, 1]
        decisive = _decisive([labelled[i] for i in fit])
        decided[held] = [bool(decisive & set(labelled[i].words)) for i in held]
    predicted = np.zeros(len(labelled), dtype=bool)
    for fit, held in folds:
        fold_threshold = _choose_threshold(held_out[fit], truth[fit], decided[fit])[0]
        predicted[held] = (held_out[held] >= fold_threshold) | decided[held]
    precision, recall = _precision_recall(predicted, truth)
    threshold = _choose_threshold(held_out, truth, decided)[0]
    stack = _fit_stack(stacked, truth)
    settings = {
        "threshold": threshold,
        "decisive": sorted(_decisive(labelled)),
        "stack": {
            "bias": float(stack.intercept_[0]),
            "text": float(stack.coef_[0][0]),
            "reason": float(stack.coef_[0][1]),
            "rules": {r: float(w) for r, w in zip(REASONS, stack.coef_[0][2:])},
        },
    }
    return settings, precision, recall


def _decisive(examples: Sequence[Example]) -> set[str]:
    """Phrases matched by the escalation rules that were right often enough to escalate on their own.

    A phrase ("记者", "12315", "起火") is decisive when it was matched in at least
    ``DECISIVE_MIN`` labelled complaints and at least ``DECISIVE_PRECISION`` of them were escalated;
    a weaker phrase ("转发", "催了好几次") is left for the stack to weigh against the rest of the text.
    """
    seen: dict[str, list[bool]] = {}
    for e in examples:
        for word in set(e.words):
            seen.setdefault(word, []).append(bool(e.escalate))
    return {w for w, labels in seen.items() if len(labels) >= DECISIVE_MIN and sum(labels) / len(labels) >= DECISIVE_PRECISION}


def _stack_features(decision: np.ndarray, reason_decision: np.ndarray, examples: Sequence[Example]) -> np.ndarray:
    """The escalation stack's inputs: the text model's "escalate" value, the highest of its per-reason values, then
    one 0/1 column per reason whose rules fired.

    The per-reason maximum says how much a text reads like one particular reason; cross-validated on train.jsonl
    (``python bench/model_cv.py --only shipped no-reason-stack``) it adds precision at the same recall.
    """
    hits = np.array([[r in e.hits for r in REASONS] for e in examples], dtype=np.float64)
    return np.column_stack([decision, reason_decision * REASON_IN_STACK, hits])


def _fit_stack(X: np.ndarray, y: np.ndarray):

    return LogisticRegression(C=1.0, class_weight="balanced").fit(X, y)


def _vectorize(docs: list[list[str]]):

    vectorizer = TfidfVectorizer(analyzer=lambda features: features, sublinear_tf=True, dtype=np.float64)
    return vectorizer, vectorizer.fit_transform(docs)


def _linear(vectorizer, coef: np.ndarray, intercept: np.ndarray, labels: Sequence[str]) -> LinearModel:
    vocabulary = {word: int(i) for word, i in vectorizer.vocabulary_.items()}
    return LinearModel(tuple(labels), vocabulary, vectorizer.idf_.astype(np.float64), coef.T.astype(np.float32), intercept)


def _fit_intents(examples: Sequence[Example]) -> tuple[LinearModel, LinearModel]:
    """A linear SVM and a complement naive Bayes on the same features (``_merge`` adds them up).

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


def _merge(svc: LinearModel, nb: LinearModel, weight: float, shift: np.ndarray) -> LinearModel:
    """One linear model: the SVM's coefficients plus ``weight`` times naive Bayes', its intercepts moved by ``shift``."""
    coef = (svc.coef + weight * nb.coef).astype(np.float32)
    return LinearModel(svc.labels, svc.vocabulary, svc.idf, coef, svc.intercept + shift)


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


def _choose_weights(
    decision: np.ndarray, bayes: np.ndarray, evidence: np.ndarray, y: np.ndarray, log_prior: np.ndarray
) -> tuple[tuple[float, float, float], float, float, float]:
    """The (model, evidence, naive Bayes) weights and the prior correction, with their out-of-fold top1 and top3.

    The weights are those with the best top1 (then top3, then log-likelihood); the prior correction is the
    largest in ``PRIOR_TAUS`` that costs at most ``TOP1_GIVE`` of that top1.
    """
    best = None
    for c in BAYES_WEIGHTS:
        for a in MODEL_WEIGHTS:
            for b in EVIDENCE_WEIGHTS:
                logits = combined_logits(decision, bayes, evidence, (a, b, c))
                key = (_topk(logits, y, 1), _topk(logits, y, 3), _log_likelihood(logits, y))
                if best is None or key > best[0]:
                    best = (key, (a, b, c))
    assert best is not None
    (a, b, c), top1 = best[1], best[0][0]
    logits = combined_logits(decision, bayes, evidence, (a, b, c))
    tau = max(t for t in PRIOR_TAUS if _topk(logits - t * log_prior, y, 1) >= top1 - TOP1_GIVE)
    logits = logits - tau * log_prior
    # The ranking is fixed; one common scale of the weights (a temperature) makes the scores honest
    # probabilities: the one with the best out-of-fold log-likelihood.
    scale = max(CALIBRATION_SCALES, key=lambda k: _log_likelihood(k * logits, y))
    return (round(a * scale, 4), round(b * scale, 4), c), round(tau * scale, 4), _topk(logits, y, 1), _topk(logits, y, 3)


def combined_logits(
    decision: np.ndarray,
    bayes: np.ndarray,
    evidence: np.ndarray,
    weights: tuple[float, float, float],
    tau: float = 0.0,
    log_prior: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Per complaint and intent, the logit ``match.combine`` computes: the (model, evidence, naive Bayes) weights
    applied to the SVM's and naive Bayes' decision values and the keyword evidence, less the prior correction."""
    a, b, c = weights
    return a * (decision + c * bayes) + b * evidence - tau * log_prior


def _log_likelihood(logits: np.ndarray, y: np.ndarray) -> float:
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(logp[np.arange(len(y)), y].mean())


def _choose_threshold(scores: np.ndarray, truth: np.ndarray, decided: np.ndarray) -> tuple[float, float, float]:
    """The stack's threshold with the best recall at ``TARGET_PRECISION`` or more (else the best F1).

    :param decided: complaints escalated by a decisive phrase whatever the threshold
    """
    best = None
    for t in np.unique(np.round(scores, 3)):
        p, r = _precision_recall((scores >= t) | decided, truth)
        key = (p >= TARGET_PRECISION, r if p >= TARGET_PRECISION else _f1(p, r), p)
        if best is None or key > best[0]:
            best = (key, float(t), p, r)
    assert best is not None
    return best[1], best[2], best[3]


def _precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = float((predicted & truth).sum())
    return (tp / predicted.sum() if predicted.sum() else 0.0), (tp / truth.sum() if truth.sum() else 0.0)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _topk(scores: np.ndarray, y: np.ndarray, k: int) -> float:
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float((top == y[:, None]).any(axis=1).mean())
