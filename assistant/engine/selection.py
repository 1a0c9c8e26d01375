"""What ``assistant train`` chooses rather than fits, each on out-of-fold predictions.

For intents: the weights of the SVM, naive Bayes and the keyword evidence, the prior correction and a
temperature (``choose_weights``). For escalation: the stack over the text model and the rules, the phrases
decisive on their own, and the threshold (``choose_escalation``). And the figures both are judged by
(``topk``, ``precision_recall``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.engine.escalate import text_signals
from assistant.taxonomy import REASONS

if TYPE_CHECKING:
    from assistant.engine.train import Example

CALIBRATION_SCALES = tuple(k / 20 for k in range(4, 41))  # 0.2 .. 2.0
# Naive Bayes added to the SVM (cross-validated: +0.005 top1, +0.008 top3). 0.4 is chosen, the grid's top; a grid up to
# 0.8 or 1.6 gives intent odds 0.652 or 0.630 against 0.678 (session 16, bench/model_cv.py, fold seeds 0-2).
BAYES_WEIGHTS = (0.0, 0.1, 0.2, 0.4)
# Prior correction (logit adjustment): tau * ln(share of the labelled complaints) is taken from each intent's logit, so
# the small intents are chosen more often. It trades top1 for the small intents' recall, whose floor is the issue 11 line
# most likely to fail on an unseen set. Whole-path CV on train.jsonl, fold seeds 0-4 (bench/model_cv.py --only no-prior
# shipped prior-0.15 prior-0.2 --seeds 0 1 2 3 4; docs/benchmarks.md, session 19): tau 0 / 0.1 / 0.15 / 0.2 give top1
# 0.729 / 0.724 / 0.720 / 0.719, top3 0.931 / 0.927 / 0.923 / 0.920 and intent odds (the share of 600-complaint samples
# meeting every intent line) 0.58 / 0.63 / 0.67 / 0.68 (the shipped library before session 19's phrasings). Above 0.1
# the small intents take complaints the product should keep: 「刚到的地毯一股霉味」 got an expired-food draft and
# 「晾衣架的夹子一夹就断」 was read as damage in transit. A constant: when tau was chosen per training (the largest of a
# grid within one point of top1 of tau 0), the choice jumped between 0.1 and 0.2 with the fold seed, and two models of
# the same library disagreed on the first intent of 3% of dev.jsonl.
PRIOR_TAU = 0.1
MODEL_WEIGHTS = (1.0, 2.0, 4.0, 6.0, 8.0)
EVIDENCE_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
# Escalation: the threshold with the best recall at this precision or more. Issue 11 asks >= 0.70 on unseen complaints.
# The reported figures are nested (each fold judged by the threshold the other folds chose), but the rules were written
# reading train's errors, so the CV precision is still optimistic; 0.75 keeps a margin, and a lower target buys almost no
# recall (bench/model_cv.py, seeds 0-2: P/R 0.774/0.911 at 0.75, 0.749/0.914 at 0.72, 0.725/0.915 at 0.70). Judged by
# the share of 600-complaint bootstrap samples meeting recall >= 0.88 at precision >= 0.70 (the line), 0.75 is
# also on the plateau: 0.84, against 0.83 at 0.78, 0.78 at 0.72 and 0.61 at 0.70 (docs/benchmarks.md, session 10).
TARGET_PRECISION = 0.75
DECISIVE_MIN, DECISIVE_PRECISION = 2, 0.75  # see decisive_phrases
REASON_IN_STACK = True  # the escalation stack also weighs the highest per-reason value (see stack_features)


def choose_escalation(decision: np.ndarray, labelled: list[Example], truth: np.ndarray, folds) -> tuple[dict, float, float]:
    """The escalation stack, its threshold and its decisive phrases, with out-of-fold precision and recall.

    :param decision: the escalation model's out-of-fold values, "escalate" first, then one per reason
    :returns: the settings fitted on every complaint, and the precision and recall of settings chosen without the
        complaints they score: each fold is judged by the stack, the decisive phrases and the threshold that the
        other folds chose
    """
    stacked = stack_features(*text_signals(decision), labelled)
    held_out = np.zeros(len(labelled))
    decided = np.zeros(len(labelled), dtype=bool)  # escalated by a decisive phrase, whatever the stack says
    for fit, held in folds:
        held_out[held] = fit_stack(stacked[fit], truth[fit]).predict_proba(stacked[held])[:, 1]
        decisive = decisive_phrases([labelled[i] for i in fit])
        decided[held] = [bool(decisive & set(labelled[i].words)) for i in held]
    predicted = np.zeros(len(labelled), dtype=bool)
    for fit, held in folds:
        fold_threshold = choose_threshold(held_out[fit], truth[fit], decided[fit])[0]
        predicted[held] = (held_out[held] >= fold_threshold) | decided[held]
    precision, recall = precision_recall(predicted, truth)
    threshold = choose_threshold(held_out, truth, decided)[0]
    stack = fit_stack(stacked, truth)
    settings = {
        "threshold": threshold,
        "decisive": sorted(decisive_phrases(labelled)),
        "stack": {
            "bias": float(stack.intercept_[0]),
            "text": float(stack.coef_[0][0]),
            "reason": float(stack.coef_[0][1]),
            "rules": {r: float(w) for r, w in zip(REASONS, stack.coef_[0][2:])},
        },
    }
    return settings, precision, recall


def decisive_phrases(examples: Sequence[Example]) -> set[str]:
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


def stack_features(decision: np.ndarray, reason_decision: np.ndarray, examples: Sequence[Example]) -> np.ndarray:
    """The escalation stack's inputs: the text model's "escalate" value, the highest of its per-reason values, then
    one 0/1 column per reason whose rules fired.

    The per-reason maximum says how much a text reads like one particular reason; cross-validated on train.jsonl
    (``python bench/model_cv.py --only shipped no-reason-stack``) it adds precision at the same recall.
    """
    hits = np.array([[r in e.hits for r in REASONS] for e in examples], dtype=np.float64)
    return np.column_stack([decision, reason_decision * REASON_IN_STACK, hits])


def fit_stack(X: np.ndarray, y: np.ndarray):

    return LogisticRegression(C=1.0, class_weight="balanced").fit(X, y)


def choose_weights(
    decision: np.ndarray, bayes: np.ndarray, evidence: np.ndarray, y: np.ndarray, log_prior: np.ndarray
) -> tuple[tuple[float, float, float], float, float, float]:
    """The (model, evidence, naive Bayes) weights and the prior correction, with their out-of-fold top1 and top3.

    The weights are those with the best top1 (then top3, then log-likelihood); the prior correction is ``PRIOR_TAU``
    (in the scale of those weights), and the figures returned are with it.
    """
    best = None
    for c in BAYES_WEIGHTS:
        for a in MODEL_WEIGHTS:
            for b in EVIDENCE_WEIGHTS:
                logits = combined_logits(decision, bayes, evidence, (a, b, c))
                key = (topk(logits, y, 1), topk(logits, y, 3), log_likelihood(logits, y))
                if best is None or key > best[0]:
                    best = (key, (a, b, c))
    assert best is not None
    a, b, c = best[1]
    tau = PRIOR_TAU
    logits = combined_logits(decision, bayes, evidence, (a, b, c), tau, log_prior)
    # The ranking is fixed; one common scale of the weights (a temperature) makes the scores honest
    # probabilities: the one with the best out-of-fold log-likelihood.
    scale = max(CALIBRATION_SCALES, key=lambda k: log_likelihood(k * logits, y))
    return (round(a * scale, 4), round(b * scale, 4), c), round(tau * scale, 4), topk(logits, y, 1), topk(logits, y, 3)


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


def log_likelihood(logits: np.ndarray, y: np.ndarray) -> float:
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(logp[np.arange(len(y)), y].mean())


def choose_threshold(scores: np.ndarray, truth: np.ndarray, decided: np.ndarray) -> tuple[float, float, float]:
    """The stack's threshold with the best recall at ``TARGET_PRECISION`` or more (else the best F1).

    :param decided: complaints escalated by a decisive phrase whatever the threshold
    """
    best = None
    for t in np.unique(np.round(scores, 3)):
        p, r = precision_recall((scores >= t) | decided, truth)
        key = (p >= TARGET_PRECISION, r if p >= TARGET_PRECISION else f1(p, r), p)
        if best is None or key > best[0]:
            best = (key, float(t), p, r)
    assert best is not None
    return best[1], best[2], best[3]


def precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = float((predicted & truth).sum())
    return (tp / predicted.sum() if predicted.sum() else 0.0), (tp / truth.sum() if truth.sum() else 0.0)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def topk(scores: np.ndarray, y: np.ndarray, k: int) -> float:
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float((top == y[:, None]).any(axis=1).mean())
