"""Recognise what a complaint is about: the keyword evidence and the learned model, combined.

Per intent, a logit ``model_weight * model decision + evidence_weight * keyword score``
(the weights chosen by cross-validation on the labelled complaints when the model
was trained, see ``train.py``); a softmax turns the logits into scores in [0, 1]
that sum to one over the intents. Without a model file the keyword evidence
alone ranks the intents.

A complaint that is not one (praise, a plain question) is recognised from the
library's own words (``replies/not_complaint.yaml``): its scores are scaled down
so that no intent claims it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.evidence import Evidence, EvidenceIndex, keyword_evidence
from assistant.model import TrainedModel, intent_features
from assistant.normalize import Normalized

MIN_SCORE = 0.02  # intents after the first below this are not reported
MODEL_WORDS = 3  # n-grams shown for the model's top intent


@dataclass(frozen=True)
class IntentMatch:
    """One recognised intent: its id, a confidence in [0, 1], and the words that matched."""

    id: str
    score: float
    matched: tuple[str, ...]
    templates: tuple[str, ...] = ()  # this intent's template ids whose keywords or examples matched, best first
    closest: str | None = None  # the library example phrasing closest to the complaint (``--explain``)

    def to_dict(self) -> dict:
        return {"id": self.id, "score": round(self.score, 3), "matched": list(self.matched)}


def match_intents(
    normalized: Normalized, index: EvidenceIndex, model: TrainedModel | None = None, *, limit: int = 3
) -> list[IntentMatch]:
    """Rank the intents of one complaint.

    :param normalized: the complaint after ``normalize``
    :param index: the keyword evidence index, built once by ``EvidenceIndex.build``
    :param model: the trained model, or None for the keyword evidence alone
    :param limit: how many intents to return at most (the best is always returned)
    :returns: intents best first, scores in [0, 1]
    """
    evidence = keyword_evidence(normalized, index)
    scores, model_words = combine(normalized, evidence, index, model)
    order = np.argsort(-scores, kind="stable")
    results = []
    for rank, i in enumerate(order[:limit]):
        if results and scores[i] < MIN_SCORE:
            break
        intent = index.intent_ids[i]
        words = evidence.words[i]
        if rank == 0:
            words += tuple(w for w in model_words if not any(w in v or v in w for v in words))
        results.append(IntentMatch(intent, float(scores[i]), words, evidence.templates_for(intent), evidence.closest[i]))
    return results


def combine(
    normalized: Normalized, evidence: Evidence, index: EvidenceIndex, model: TrainedModel | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Scores per intent (in ``index.intent_ids`` order) and the n-grams that weighed most for the model's top intent."""
    if model is None:
        return evidence.scores, ()
    features = intent_features(normalized)
    decision = model.intents.decision(features)
    position = [model.intents.labels.index(intent) for intent in index.intent_ids]
    settings = model.settings["intents"]
    logits = settings["model_weight"] * decision[position] + settings["evidence_weight"] * evidence.scores
    scores = softmax(logits)
    top = position[int(np.argmax(scores))]
    return scores, tuple(model.intents.strongest(features, top, MODEL_WORDS))


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()
