"""Cross-validation of the whole run-time path: each fold's complete model, scored through ``core.decide``.

``assistant train`` fits an intent and an escalation model per fold of a stratified 5-fold split of the labelled
complaints, on the other folds (plus the library's examples), and chooses the weights and thresholds on their
out-of-fold values (``choose``). The figures of that choice are the model-level ones: they score the combination
``selection.py`` optimises, not what the service does with it at run time ("我要投诉你们" names no cause, praise is
not escalated by the model alone, a model escalation needs a phrase to show...), so a run-time rule could not be
measured by them.

This module scores the whole path. Each fold gets a complete model, as ``assistant train`` would write it, that
never saw the fold's complaints: its coefficients are fitted on the other folds, and its weights, prior correction,
escalation stack, decisive phrases and threshold are chosen on the other folds' out-of-fold values only (the
remaining four folds serve as the inner split). Every complaint of the fold then goes through ``core.decide``, the
function ``Engine.suggest`` calls, with that model read as the service reads a saved one. The figures are those of
``assistant eval`` (``evaluate.summarize``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.engine.core import decide
from assistant.engine.escalate import Rule
from assistant.engine.evaluate import Prediction, summarize
from assistant.engine.evidence import EvidenceIndex
from assistant.engine.model import LinearModel, TrainedModel
from assistant.engine.selection import choose_escalation, choose_weights, precision_recall
from assistant.taxonomy import INTENTS

if TYPE_CHECKING:
    from assistant.engine.train import Example

Folds = Sequence[tuple[np.ndarray, np.ndarray]]  # (fit, held) indices


@dataclass(frozen=True)
class Chosen:
    """The weights and thresholds chosen on out-of-fold values, and the out-of-fold figures they reach."""

    weights: tuple[float, float, float]  # model, keyword evidence, naive Bayes (the first two scaled by the temperature)
    tau: float  # prior correction, scaled like the weights
    log_prior: np.ndarray  # log share of each intent among the complaints chosen on
    escalation: dict  # the escalation settings (``selection.choose_escalation``), or {"rules_only": True}
    top1: float
    top3: float
    precision: float
    recall: float


def choose(
    decision: np.ndarray,
    bayes: np.ndarray,
    evidence: np.ndarray,
    escalation: np.ndarray,
    labelled: Sequence[Example],
    folds: Folds,
) -> Chosen:
    """Choose the intent weights and the escalation settings on out-of-fold values of ``labelled``.

    :param decision, bayes, evidence, escalation: per complaint of ``labelled``, the out-of-fold SVM, naive Bayes and
        escalation model values and the keyword evidence
    :param folds: the split those values came from, as indices into ``labelled``
    """
    intents = list(INTENTS)
    y = np.array([intents.index(e.intent) for e in labelled])
    log_prior = np.log((np.bincount(y, minlength=len(intents)) + 1) / (len(y) + len(intents)))
    weights, tau, top1, top3 = choose_weights(decision, bayes, evidence, y, log_prior)
    truth = np.array([bool(e.escalate) for e in labelled])
    if min(truth.sum(), (~truth).sum()) >= len(folds):
        settings, precision, recall = choose_escalation(escalation, list(labelled), truth, folds)
    else:  # too few escalated (or calm) complaints to learn from: the rules decide alone
        settings = {"rules_only": True}
        precision, recall = precision_recall(np.array([bool(e.hits) for e in labelled]), truth)
    return Chosen(weights, tau, log_prior, settings, top1, top3, precision, recall)


def assemble(svc: LinearModel, nb: LinearModel, escalation: LinearModel, chosen: Chosen) -> TrainedModel:
    """One model file's content: the SVM plus naive Bayes in one linear model, the prior correction in its intercepts
    (``match.py`` needs nothing more), the escalation model and the chosen settings."""
    a, b, c = chosen.weights
    coef = (svc.coef + c * nb.coef).astype(np.float32)
    intents = LinearModel(svc.labels, svc.vocabulary, svc.idf, coef, svc.intercept - chosen.tau * chosen.log_prior / a)
    settings = {
        "intents": {"model_weight": a, "evidence_weight": b, "bayes_weight": c, "prior_tau": chosen.tau},
        "escalation": chosen.escalation,
    }
    return TrainedModel(intents, escalation, settings)


def fold_models(
    fitted: Sequence[tuple[LinearModel, LinearModel, LinearModel]],
    decision: np.ndarray,
    bayes: np.ndarray,
    evidence: np.ndarray,
    escalation: np.ndarray,
    labelled: Sequence[Example],
    folds: Folds,
) -> list[TrainedModel]:
    """Each fold's complete model: its fitted models, with settings chosen on the other folds' out-of-fold values.

    :param fitted: per fold, the (SVM, naive Bayes, escalation) models fitted without its complaints
    """
    models = []
    for k, (fit, _) in enumerate(folds):
        inner = _inner_folds(fit, [f for j, f in enumerate(folds) if j != k])
        chosen = choose(decision[fit], bayes[fit], evidence[fit], escalation[fit], [labelled[i] for i in fit], inner)
        models.append(assemble(*fitted[k], chosen).as_saved())
    return models


def _inner_folds(fit: np.ndarray, others: Folds) -> list[tuple[np.ndarray, np.ndarray]]:
    """The other folds as a split of ``fit``, in positions within ``fit``."""
    position = {int(g): p for p, g in enumerate(fit)}
    out = []
    for _, held in others:
        inner_held = np.array(sorted(position[int(g)] for g in held))
        out.append((np.setdiff1d(np.arange(len(fit)), inner_held), inner_held))
    return out


def whole_path(
    labelled: Sequence[Example], folds: Folds, models: Sequence[TrainedModel], index: EvidenceIndex, rules: dict[str, Rule]
) -> list[Prediction]:
    """Every labelled complaint decided by ``core.decide`` with the model of its fold, in the order of ``labelled``."""
    out: list[Prediction | None] = [None] * len(labelled)
    for (_, held), model in zip(folds, models, strict=True):
        for i in held:
            e = labelled[i]
            d = decide(e.normalized, index, rules, model, evidence=e.found)
            out[i] = Prediction(
                id=str(i + 1),
                intent=e.intent,
                predicted=tuple(m.id for m in d.intents),
                escalate=bool(e.escalate),
                predicted_escalate=d.escalation.escalate,
                reasons=e.reasons,
                predicted_reasons=tuple(r.id for r in d.escalation.reasons),
                ms=0.0,
            )
    assert all(p is not None for p in out), "the folds cover every labelled complaint"
    return [p for p in out if p is not None]


def path_figures(predictions: Sequence[Prediction]) -> dict:
    """The whole-path figures ``assistant train`` prints: top1, top3, escalation precision and recall, recall per
    intent (of the intents with labelled complaints) and its mean."""
    summary = summarize(list(predictions))
    recall = {i: v["recall"] for i, v in summary["per_intent"].items() if v["n"]}
    return {
        "top1": summary["top1"],
        "top3": summary["top3"],
        "precision": summary["escalation"]["precision"],
        "recall": summary["escalation"]["recall"],
        "macro_recall": round(float(np.mean(list(recall.values()))), 3),
        "recall_per_intent": {i: recall[i] for i in INTENTS if i in recall},
    }
