"""The learned half of recognition: linear models over character n-grams and jieba words.

``assistant train`` (``engine/train.py`` and ``engine/selection.py``, scikit-learn) fits them; this module
only loads and scores them, with NumPy, so the service needs nothing more at run
time. One ``.npz`` file holds two models and the settings chosen for them by
cross-validation:

- the intent model: one column per intent; its decision values are combined with
  the keyword evidence in ``match.py``;
- the escalation model: one column for "escalate at all" and one per reason; a
  logistic stack (in the settings) weighs its "escalate" value together with the
  escalation rules that fired, so it learns how far to trust each rule.

Features are computed by the same functions at training and at run time
(``intent_features``, ``escalation_features``); the weighting is scikit-learn's
``TfidfVectorizer(sublinear_tf=True)``: (1 + ln tf) x idf, then L2-normalised.
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from assistant.engine.normalize import Normalized
from assistant.errors import LibraryError

FORMAT = 1
NGRAMS = (1, 2, 3)  # character n-gram lengths
WORD = "w:"  # prefix of jieba-word features
ESCALATE = "escalate"  # the escalation model's first column: escalate at all; the others are reasons


def intent_features(normalized: Normalized) -> list[str]:
    """Character 1-3-grams of the text (without @mentions) and its jieba words."""
    return [*_char_ngrams(normalized.text), *(WORD + t for t in normalized.tokens)]


def escalation_features(normalized: Normalized) -> list[str]:
    """Character 1-3-grams of the text with @mentions (a tag of "@中国消费者报" is a signal) and its jieba words."""
    return [*_char_ngrams(normalized.full), *(WORD + t for t in normalized.tokens)]


@lru_cache(maxsize=4)  # both models ask for the same text (text and full differ only by @mentions)
def _char_ngrams(text: str) -> tuple[str, ...]:
    """Every n-gram of ``NGRAMS`` lengths but a lone space, shortest first, in text order."""
    text = " ".join(text.split())  # one space between words: an n-gram of two or more characters is never all space
    grams: list[str] = []
    for n in NGRAMS:
        grams += [c for c in text if c != " "] if n == 1 else [text[i : i + n] for i in range(len(text) - n + 1)]
    return tuple(grams)


Weighed = tuple[np.ndarray, np.ndarray]  # a text's known features' indices and their weights (``LinearModel.weigh``)
Counted = tuple[np.ndarray, np.ndarray]  # a text's known features' positions in a vocabulary and their counts (``count``)


def count(vocabulary: dict[str, int], features: Sequence[str]) -> Counted:
    """The positions in ``vocabulary`` of the features it knows, each once, and how often each occurs."""
    counts = Counter(map(vocabulary.get, features))  # counted in C; unknown features count under None
    counts.pop(None, None)
    positions = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    return positions, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))


@dataclass(frozen=True)
class LinearModel:
    """A TF-IDF weighted linear model: one decision value per label."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (n_features,)
    coef: np.ndarray  # (n_features, n_labels)
    intercept: np.ndarray  # (n_labels,)
    # A vocabulary shared with another model (``TrainedModel.load``): each position's row here, -1 for a feature this
    # model does not have. None when ``vocabulary`` gives the rows themselves.
    rows: np.ndarray | None = None

    @cached_property
    def words(self) -> list[str]:
        """Feature names by index."""
        names = [""] * len(self.idf)
        for name, i in self.vocabulary.items():
            row = i if self.rows is None else int(self.rows[i])
            if row >= 0:
                names[row] = name
        return names

    def weigh(self, features: Sequence[str]) -> Weighed:
        """Known features' indices and their L2-normalised TF-IDF weights."""
        return self.weigh_counted(count(self.vocabulary, features))

    def weigh_counted(self, counted: Counted) -> Weighed:
        """``weigh`` for features already counted in this model's vocabulary (``count``)."""
        index, n = counted
        if self.rows is not None:
            index = self.rows[index]
            known = index >= 0
            index, n = index[known], n[known]
        if not len(index):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        weights = (1.0 + np.log(n)) * self.idf[index]
        return index, weights / np.linalg.norm(weights)

    def decision(self, features: Sequence[str]) -> np.ndarray:
        """The decision value of every label."""
        return self.score(self.weigh(features))

    def score(self, weighed: Weighed) -> np.ndarray:
        """The decision value of every label, for features already weighed by ``weigh``."""
        index, weights = weighed
        return weights @ self.coef[index] + self.intercept

    def strongest(self, features: Sequence[str], label: int, k: int = 3) -> list[str]:
        """The features that pushed ``label`` up the most, readable ones only."""
        return self.strongest_of(self.weigh(features), label, k)

    def strongest_of(self, weighed: Weighed, label: int, k: int = 3, readable: Callable[[str], bool] = bool) -> list[str]:
        """``strongest`` for features already weighed by ``weigh``; ``readable`` may turn a phrase down."""
        index, weights = weighed
        if not len(index):
            return []
        push = weights * self.coef[index, label]
        out: list[str] = []
        for j in np.argsort(-push, kind="stable"):
            if push[j] <= 0 or len(out) >= k:
                break
            word = _readable(self.words[int(index[j])])
            if word and readable(word) and not any(word in w or w in word for w in out):
                out.append(word)
        return out


def _readable(feature: str) -> str:
    """The text of a feature as the agent would recognise it (no prefix, no lone characters)."""
    word = feature.removeprefix(WORD).strip()
    return word if len(word) >= 2 and not any(ch in " ,.!?;:，。！？；：" for ch in word) else ""


@dataclass(frozen=True)
class TrainedModel:
    """Both models, the settings chosen by cross-validation, and where they came from."""

    intents: LinearModel
    escalation: LinearModel
    settings: dict = field(default_factory=dict)  # combination weights and thresholds (see selection.py)
    meta: dict = field(default_factory=dict)  # inputs' hash, data files, cross-validated figures

    def weigh(self, normalized: Normalized) -> tuple[Weighed, Weighed]:
        """The intent and the escalation model's weighed features of one text. When the two share a vocabulary (as
        ``load`` and ``as_saved`` make them), a text without @mentions, whose features are the same for both, is
        looked up in it once: the lookups in a vocabulary of 180,000 features were a tenth of a suggestion."""
        intents, escalation = self.intents, self.escalation
        if intents.vocabulary is not escalation.vocabulary:
            return intents.weigh(intent_features(normalized)), escalation.weigh(escalation_features(normalized))
        counted = count(intents.vocabulary, intent_features(normalized))
        if normalized.full != normalized.text:
            return intents.weigh_counted(counted), escalation.weigh(escalation_features(normalized))
        return intents.weigh_counted(counted), escalation.weigh_counted(counted)

    def save(self, path: Path | str) -> None:
        arrays: dict[str, np.ndarray] = {}
        for name, m in (("intents", self.intents), ("escalation", self.escalation)):
            arrays[f"{name}_vocabulary"] = np.frombuffer("\n".join(m.words).encode("utf-8"), dtype=np.uint8)
            arrays[f"{name}_idf"] = m.idf.astype(np.float32)
            arrays[f"{name}_coef"], arrays[f"{name}_scale"] = _quantize(m.coef)
            arrays[f"{name}_intercept"] = m.intercept.astype(np.float64)
        header = {
            "format": FORMAT,
            "labels": {"intents": list(self.intents.labels), "escalation": list(self.escalation.labels)},
            "settings": self.settings,
            "meta": self.meta,
        }
        arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        path = Path(path)
        partial = path.with_suffix(".partial.npz")
        np.savez_compressed(partial, **arrays)  # type: ignore[arg-type]  # numpy stubs take **kwds as allow_pickle
        partial.replace(path)  # a running service never reads half a file

    def as_saved(self) -> TrainedModel:
        """The model as ``load`` reads it back after ``save`` (int8 coefficients, float32 IDF), without a file:
        cross-validation scores each fold's model with the arithmetic the service uses."""

        def saved(m: LinearModel) -> dict:
            coef, scale = _quantize(m.coef)
            idf = m.idf.astype(np.float32).astype(np.float64)
            coef = coef.astype(np.float32) * scale
            return {"labels": m.labels, "idf": idf, "coef": coef, "intercept": m.intercept.astype(np.float64)}

        intents, escalation = _sharing(self.intents.words, self.escalation.words)
        return TrainedModel(
            LinearModel(vocabulary=intents[0], rows=intents[1], **saved(self.intents)),
            LinearModel(vocabulary=escalation[0], rows=escalation[1], **saved(self.escalation)),
            self.settings,
            self.meta,
        )

    @classmethod
    def load(cls, path: Path | str, name: str | None = None) -> TrainedModel:
        """Read a model file written by ``save``.

        :param name: how errors name the file (default: its path)
        :raises LibraryError: naming the file when it is missing, damaged or of another format
        """
        path = Path(path)
        name = name or str(path)
        try:
            with np.load(path, allow_pickle=False) as f:
                header = json.loads(bytes(f["header"]).decode("utf-8"))
                if header.get("format") != FORMAT:
                    raise LibraryError(
                        f"model format {header.get('format')} is not {FORMAT}; retrain with `assistant train`", name
                    )
                parts = ("intents", "escalation")
                words = [bytes(f[f"{part}_vocabulary"]).decode("utf-8").split("\n") for part in parts]
                models = {}
                for part, (vocabulary, rows) in zip(parts, _sharing(*words)):
                    models[part] = LinearModel(
                        labels=tuple(header["labels"][part]),
                        vocabulary=vocabulary,
                        idf=f[f"{part}_idf"].astype(np.float64),
                        coef=f[f"{part}_coef"].astype(np.float32) * f[f"{part}_scale"],
                        intercept=f[f"{part}_intercept"],
                        rows=rows,
                    )
        except LibraryError:
            raise
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as e:
            raise LibraryError(f"cannot read the model ({type(e).__name__}); retrain with `assistant train`", name) from None
        return cls(models["intents"], models["escalation"], header.get("settings", {}), header.get("meta", {}))


def _sharing(intents: list[str], escalation: list[str]) -> tuple[tuple[dict[str, int], np.ndarray], ...]:
    """One vocabulary for the features of both models (given by row), and each model's row of its entries (-1 where a
    model has no such feature): a feature both models read is looked up once (``TrainedModel.weigh``), and the table
    takes less memory than one per model."""
    vocabulary = {w: i for i, w in enumerate(intents)}
    for w in escalation:
        vocabulary.setdefault(w, len(vocabulary))
    intent_rows = np.full(len(vocabulary), -1, dtype=np.int64)
    intent_rows[: len(intents)] = np.arange(len(intents))
    escalation_rows = np.full(len(vocabulary), -1, dtype=np.int64)
    escalation_rows[[vocabulary[w] for w in escalation]] = np.arange(len(escalation))
    return (vocabulary, intent_rows), (vocabulary, escalation_rows)


def _quantize(coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 coefficients with one float32 scale per label: a quarter of float32, and no change to any ranking we
    measured."""
    scale = np.maximum(np.abs(coef).max(axis=0), 1e-12) / 127.0
    return np.round(coef / scale).astype(np.int8), scale.astype(np.float32)
