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
    text = " ".join(text.split())
    return tuple(text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1) if not text[i : i + n].isspace())


Weighed = tuple[np.ndarray, np.ndarray]  # a text's known features' indices and their weights (``LinearModel.weigh``)


@dataclass(frozen=True)
class LinearModel:
    """A TF-IDF weighted linear model: one decision value per label."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (n_features,)
    coef: np.ndarray  # (n_features, n_labels)
    intercept: np.ndarray  # (n_labels,)

    @cached_property
    def words(self) -> list[str]:
        """Feature names by index."""
        names = [""] * len(self.vocabulary)
        for name, i in self.vocabulary.items():
            names[i] = name
        return names

    def weigh(self, features: Sequence[str]) -> Weighed:
        """Known features' indices and their L2-normalised TF-IDF weights."""
        counts = Counter(map(self.vocabulary.get, features))  # counted in C; unknown features count under None
        counts.pop(None, None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        weights = tf * self.idf[index]
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

    def save(self, path: Path | str) -> None:
        arrays: dict[str, np.ndarray] = {}
        for name, m in (("intents", self.intents), ("escalation", self.escalation)):
            words = sorted(m.vocabulary, key=m.vocabulary.__getitem__)
            arrays[f"{name}_vocabulary"] = np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
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

        def saved(m: LinearModel) -> LinearModel:
            coef, scale = _quantize(m.coef)
            idf = m.idf.astype(np.float32).astype(np.float64)
            return LinearModel(m.labels, m.vocabulary, idf, coef.astype(np.float32) * scale, m.intercept.astype(np.float64))

        return TrainedModel(saved(self.intents), saved(self.escalation), self.settings, self.meta)

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
                models = {}
                for part in ("intents", "escalation"):
                    words = bytes(f[f"{part}_vocabulary"]).decode("utf-8").split("\n")
                    models[part] = LinearModel(
                        labels=tuple(header["labels"][part]),
                        vocabulary={w: i for i, w in enumerate(words)},
                        idf=f[f"{part}_idf"].astype(np.float64),
                        coef=f[f"{part}_coef"].astype(np.float32) * f[f"{part}_scale"],
                        intercept=f[f"{part}_intercept"],
                    )
        except LibraryError:
            raise
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as e:
            raise LibraryError(f"cannot read the model ({type(e).__name__}); retrain with `assistant train`", name) from None
        return cls(models["intents"], models["escalation"], header.get("settings", {}), header.get("meta", {}))


def _quantize(coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 coefficients with one float32 scale per label: a quarter of float32, and no change to any ranking we
    measured."""
    scale = np.maximum(np.abs(coef).max(axis=0), 1e-12) / 127.0
    return np.round(coef / scale).astype(np.int8), scale.astype(np.float32)
