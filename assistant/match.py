"""Fuzzy intent matching: keywords plus rapidfuzz over every example phrasing.

Two signals per intent, added up and squashed into [0, 1]:

- keywords (intent-level, weighted, and each template's own) found in the
  normalised text, skipping negated mentions ("没有破损") and praised ones
  ("物流很快"); earlier mentions weigh a little more, since the customer's first
  grievance is usually the one to answer first;
- the best fuzzy score of the complaint against the intent's example phrasings:
  one ``rapidfuzz.process.cdist`` call over the candidates that share a
  character bigram with the complaint (a bigram inverted index keeps this fast
  with thousands of templates), reduced to a maximum per intent with NumPy.

``other`` carries a small prior so that a complaint with no identifiable cause
lands there.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from assistant.library import INTENTS, Library
from assistant.normalize import Normalized, Segmenter, normalize

SCORER = fuzz.token_set_ratio
FUZZY_CUTOFF = 55  # rapidfuzz scores below this carry no evidence
FUZZY_WEIGHT = 1.6  # a perfect example match is worth this many keyword weights
TEMPLATE_KEYWORD_WEIGHT = 0.7
OTHER_PRIOR = 0.55
SCALE = 1.6  # score = 1 - exp(-evidence / SCALE)
MIN_SCORE = 0.25  # secondary intents below this are not reported
MAX_CANDIDATES = 400

_NEGATORS = ("没有", "没", "无", "不", "未", "非", "别", "不是", "并非", "完好")
_PRAISE = re.compile(r"^(还|也|都|倒是|确实|真的|非常|很|挺|超|特别|蛮|比较)?(不错|很好|好|快|给力|满意|没的说|没得说|可以|还行|挺好|棒|专业|到位|及时|热情|耐心|周到|完好|好评)")
_CJK_OR_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass(frozen=True)
class IntentMatch:
    """One recognised intent: its id, a confidence in [0, 1], and the words that matched."""

    id: str
    score: float
    matched: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "score": round(self.score, 3), "matched": list(self.matched)}


class MatchIndex:
    """Everything the matcher needs, built once from the library."""

    def __init__(self, intent_ids, phrases, phrase_intent, raw_phrases, keywords, postings):
        self.intent_ids: list[str] = intent_ids
        self.phrases: list[str] = phrases  # normalised, segmented, space-joined examples
        self.phrase_intent: np.ndarray = phrase_intent  # parallel array of intent indices
        self.raw_phrases: list[str] = raw_phrases  # the examples as written, for explanations
        self.keywords: dict[str, list[tuple[str, int, float]]] = keywords  # first two chars -> (word, intent, weight)
        self.postings: dict[str, np.ndarray] = postings  # character bigram -> phrase indices

    @classmethod
    def build(cls, library: Library, segmenter: Segmenter) -> "MatchIndex":
        """Normalise and segment every example, and index keywords and bigrams."""
        intent_ids = list(INTENTS)
        position = {intent: i for i, intent in enumerate(intent_ids)}
        phrases, phrase_intent, raw = [], [], []
        best: dict[tuple[str, int], float] = {}
        for intent, words in library.keywords.items():
            for kw in words:
                key = (kw.word, position[intent])
                best[key] = max(best.get(key, 0.0), kw.weight)
        for template in library.templates:
            if template.kind != "intent":
                continue
            i = position[template.group]
            for word in template.keywords:
                key = (normalize(word, segmenter).text, i)
                best[key] = max(best.get(key, 0.0), TEMPLATE_KEYWORD_WEIGHT)
            for example in template.examples:
                n = normalize(example, segmenter)
                if n.tokens:
                    phrases.append(n.joined)
                    phrase_intent.append(i)
                    raw.append(example)
        keywords: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
        for (word, i), weight in best.items():
            if len(word) >= 2:
                keywords[word[:2]].append((word, i, weight))
        grams: dict[str, list[int]] = defaultdict(list)
        for p, phrase in enumerate(phrases):
            for gram in _bigrams(phrase):
                grams[gram].append(p)
        postings = {g: np.asarray(ps, dtype=np.int32) for g, ps in grams.items()}
        return cls(intent_ids, phrases, np.asarray(phrase_intent, dtype=np.int16), raw, dict(keywords), postings)


def match_intents(normalized: Normalized, index: MatchIndex, *, limit: int = 3, explain: bool = False) -> list[IntentMatch]:
    """Recognise what a complaint is about.

    :param normalized: the complaint after ``normalize``
    :param index: built once by ``MatchIndex.build``
    :param limit: how many intents to return at most (the best is always returned)
    :param explain: add the best example phrasing of each intent to ``matched``
    :returns: intents best first, scores in [0, 1]
    """
    n_intents = len(index.intent_ids)
    evidence = np.zeros(n_intents)
    words: list[list[str]] = [[] for _ in range(n_intents)]

    text = normalized.text
    for word, i, weight, pos in _keyword_hits(text, index):
        if word in words[i]:
            continue
        early = 1.0 + 0.25 * (1.0 - pos / max(len(text), 1))
        evidence[i] += weight * early
        words[i].append(word)

    fuzzy, best_phrase = _fuzzy_scores(normalized, index)
    evidence += FUZZY_WEIGHT * fuzzy
    for i in np.nonzero(fuzzy)[0]:
        shared = [t for t in index.phrases[best_phrase[i]].split() if t in normalized.tokens and len(t) > 1]
        for token in shared:
            if token not in words[i] and not any(token in w for w in words[i]):
                words[i].append(token)
        if explain:
            words[i].append(f"≈{index.raw_phrases[best_phrase[i]]}")

    other = index.intent_ids.index("other")
    evidence[other] += OTHER_PRIOR
    scores = 1.0 - np.exp(-evidence / SCALE)
    order = np.argsort(-scores, kind="stable")
    results = []
    for i in order[:limit]:
        if results and scores[i] < MIN_SCORE:
            break
        results.append(IntentMatch(index.intent_ids[i], float(scores[i]), tuple(words[i])))
    return results


def _keyword_hits(text: str, index: MatchIndex):
    """Yield (word, intent, weight, position) for every keyword found, skipping negated or praised mentions."""
    for pos in range(len(text) - 1):
        bucket = index.keywords.get(text[pos : pos + 2])
        if not bucket:
            continue
        for word, i, weight in bucket:
            if text.startswith(word, pos) and not _negated(text, pos, word) and not _praised(text, pos + len(word)):
                yield word, i, weight, pos


def _negated(text: str, pos: int, word: str) -> bool:
    """True when a negator stands right before the word ("没有破损", "不是假货")."""
    if word.startswith(("没", "不", "无", "未", "非")):
        return False
    before = text[max(0, pos - 3) : pos]
    return any(before.endswith(neg) for neg in _NEGATORS) or before[-2:-1] in ("没", "不", "无") and before[-1:] in ("有", "太", "怎", "算", "见", "出", "被")


def _praised(text: str, end: int) -> bool:
    """True when praise follows the word ("物流很快", "客服态度很好")."""
    after = text[end : end + 6]
    if after.startswith(("态度", "服务", "速度", "小哥", "师傅")):
        after = after[2:]
    return bool(_PRAISE.match(after))


def _fuzzy_scores(normalized: Normalized, index: MatchIndex) -> tuple[np.ndarray, np.ndarray]:
    """Best example score per intent in [0, 1] above the cutoff, and the index of that example."""
    n_intents = len(index.intent_ids)
    fuzzy = np.zeros(n_intents)
    best = np.zeros(n_intents, dtype=np.int64)
    query = normalized.joined
    if not query or not index.phrases:
        return fuzzy, best
    hits = [index.postings[g] for g in _bigrams(query) if g in index.postings]
    if not hits:
        return fuzzy, best
    counts = np.bincount(np.concatenate(hits), minlength=len(index.phrases))
    candidates = np.nonzero(counts)[0]
    if len(candidates) > MAX_CANDIDATES:
        candidates = candidates[np.argsort(-counts[candidates], kind="stable")[:MAX_CANDIDATES]]
    choices = [index.phrases[c] for c in candidates]
    raw = process.cdist([query], choices, scorer=SCORER, dtype=np.uint8, score_cutoff=FUZZY_CUTOFF)[0]
    keep = np.nonzero(raw)[0]
    if not len(keep):
        return fuzzy, best
    values = (raw[keep].astype(np.float64) - FUZZY_CUTOFF) / (100 - FUZZY_CUTOFF)
    intents = index.phrase_intent[candidates[keep]]
    for value, intent, c in zip(values, intents, candidates[keep]):
        if value > fuzzy[intent]:
            fuzzy[intent] = value
            best[intent] = c
    return fuzzy, best


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if _CJK_OR_WORD.match(c)]
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}


def squash(evidence: float) -> float:
    """The score a given amount of evidence maps to (documentation helper)."""
    return 1.0 - math.exp(-evidence / SCALE)
