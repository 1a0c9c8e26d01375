"""Keyword evidence for each intent: the library's words, patterns and example phrasings.

The hand-written half of recognition (``model.py`` is the learned half; ``match.py``
combines them). Two signals per intent, added up and squashed into [0, 1]:

- keywords (intent-level, weighted, and each template's own) found in the
  normalised text, skipping negated mentions ("没有破损") and praised ones
  ("物流很快"); earlier mentions weigh a little more, since the customer's first
  grievance is usually the one to answer first (TAXONOMY: "else the one mentioned first");
- the best fuzzy score of the complaint against the intent's example phrasings:
  one ``rapidfuzz.process.cdist`` call over the candidates that share a
  character bigram with the complaint (a bigram inverted index keeps this fast
  with thousands of templates), reduced to a maximum per intent with NumPy.

``other`` carries a small prior so that a complaint with no identifiable cause
lands there.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import islice

import numpy as np
from rapidfuzz import fuzz, process

from assistant.engine.library import Library
from assistant.engine.normalize import SEGMENT_CHARS, Normalized, Segmenter, normalize_many
from assistant.engine.pii import shown_as_evidence
from assistant.engine.sincerity import MONEY_NOT_ARRIVED
from assistant.taxonomy import INTENTS, OTHER

SCORER = fuzz.token_set_ratio
FUZZY_CUTOFF = 55  # rapidfuzz scores below this carry no evidence
FUZZY_WEIGHT = 1.0  # a perfect example match is worth this many keyword weights
TEMPLATE_KEYWORD_WEIGHT = 0.5
OTHER_PRIOR = 0.55
OTHER_FACTOR = 0.35
EXAMPLE_WORD_WEIGHT = 0.3
EXAMPLE_WORD_MIN = 2
EXAMPLE_WORD_SHARE = 0.7
TEMPLATE_FIT = 0.75  # a template is offered if its evidence is at least this share of the best one's
# ... and at least this much: one of its own keywords (1 each), or an example about as close as "用一次就坏" is to
# "修好没几天又坏了" (0.56, a different situation) and then some. Below it the intent's general template answers.
TEMPLATE_MIN_FIT = 0.6
# A complaint about support usually rides on a cause ("漏发了配件，客服还不理人"), and the cause is
# answered first (TAXONOMY), so support evidence counts less beside a clear cause. Measured on
# train.jsonl with the rules alone: top1 0.567 without it, 0.572 with it.
CAUSE_PRESENT = 1.5  # evidence at which another intent counts as a stated cause
SERVICE_BESIDE_CAUSE = 0.85  # multiplier of support evidence beside a stated cause
EARLY_BONUS = 0.8  # the first grievance mentioned weighs up to this much more
SCALE = 1.6  # score = 1 - exp(-evidence / SCALE)
# The fuzzy comparison scores at most this many library examples, those sharing the most bigrams with the complaint.
# 200 rather than 400 halved the scorer's time (about 0.3 ms of a 3 ms suggest) with the same cross-validated figures
# on train.jsonl (session 15); 150 rather than 200 takes another quarter off it, and every figure of
# ``bench/model_cv.py`` at fold seeds 0-2 is unchanged. 100 starts to cost the small intents (docs/benchmarks.md,
# "Session 25").
MAX_CANDIDATES = 150
# The fuzzy comparison reads at most this many content words of a complaint: the longest of the 1,500 labelled ones
# has 118, and beyond that a token scorer's cost grows with the text while its score says ever less (every short
# example is "contained" in a long enough text).
FUZZY_TOKENS = 300

_NEGATORS = ("没有", "没", "无", "不", "未", "非", "别", "不是", "并非", "完好")
# Negation cancels a word only if it names a problem ("没有破损"); for an attribute it is the complaint ("没有发票").
PROBLEM_WORDS = re.compile(
    r"坏|破|损|碎|漏|假|冒|仿|翻新|二手|过期|变质|霉|烂|臭|馊|慢|迟|晚|延|丢|错|少|缺|差|贵|降|涨|扣|脏|划|裂|凹|瘪|"
    r"痒|疼|痛|敏|吐|泻|伤|烫|火|烟|炸|骚扰|泄|盗|卡|死机|黑屏|花屏|蓝屏|异|杂音|噪|掉|褪|脱|起球|开线|开胶|变形|断|问题|故障|"
    r"胀袋|胀包|鼓包|发酸|酸味|变味|曝光"
)
_PRAISE = re.compile(
    r"不错|很好|挺好|给力|满意|没的说|没得说|还行|还可以|很快|挺快|蛮快|超快|也快|真快|好快|飞快|神速|及时|专业|到位|热情|耐心|周到|完好|甚佳|好评"
)
_CLAUSE_END = re.compile(r"[,.!?;~，。！？；]")
_CJK_OR_WORD = re.compile(r"[\w\u4e00-\u9fff]")
# Function words carry no intent; left in, one shared "已经" would make two phrasings look alike.
STOPWORDS = frozenset(
    "的 了 是 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这样 那样 一个 也 都 就 还 又 很 太 和 与 及 或 但 但是 而 而且 "
    "着 过 吗 呢 吧 啊 呀 哦 么 嘛 啦 什么 怎么 为什么 已经 一下 到底 真的 真是 就是 还是 可是 然后 结果 因为 所以 如果 "
    "自己 没有 不 没 有 在 给 把 被 让 对 说 要 会 能 可以 去 来 上 下 里 个 次 些 点 一 两 几 才 再 更 最 非常 特别 "
    "一直 居然 竟然 简直 感觉 觉得 现在 今天 昨天 时候 东西 一点 一些 大家 人 买 用 收到 到 得 地 之 其 等 后 前 "
    "不会 不想 不要 可能 应该 知道 不知道 一样 比较 还有 以后 下次 以前 之前 其实 当然 反正 怎么办 为啥 咋".split()
)


class EvidenceIndex:
    """Everything the matcher needs, built once from the library."""

    def __init__(self, intent_ids, phrases, phrase_intent, phrase_template, raw_phrases, keywords, postings, example_words):
        self.intent_ids: list[str] = intent_ids
        self.phrases: list[str] = phrases  # normalised, segmented, space-joined content tokens of each example
        self.phrase_words: list[frozenset[str]] = [frozenset(p.split()) for p in phrases]  # each one's tokens
        self.phrase_intent: np.ndarray = phrase_intent  # parallel array of intent indices
        self.phrase_template: list[str] = phrase_template  # parallel list of template ids
        self.raw_phrases: list[str] = raw_phrases  # the examples as written, for explanations
        # first two characters -> (word, intent index, weight, template id or None for intent-level words)
        self.keywords: dict[str, list[tuple[str, int, float, str | None]]] = keywords
        self.postings: dict[str, np.ndarray] = postings  # character bigram -> phrase indices
        self.example_words: dict[str, tuple[int, float]] = example_words  # token -> (intent index, weight)
        self.patterns: list[tuple[re.Pattern, int, float]] = []  # intent-level regular expressions
        self.shapes = PhraseShapes(self.phrase_words)

    @classmethod
    def build(cls, library: Library, segmenter: Segmenter) -> EvidenceIndex:
        """Normalise and segment every example, and index keywords and bigrams."""
        intent_ids = list(INTENTS)
        position = {intent: i for i, intent in enumerate(intent_ids)}
        phrases, phrase_intent, phrase_template, raw = [], [], [], []
        best: dict[tuple[str, int, str | None], float] = {}
        for intent, words in library.keywords.items():
            for kw in words:
                key = (kw.word, position[intent], None)
                best[key] = max(best.get(key, 0.0), kw.weight)
        templates = [t for t in library.templates if t.kind == "intent"]
        forms = iter(normalize_many([s for t in templates for s in (*t.keywords, *t.examples)], segmenter))
        for template in templates:
            i = position[template.group]
            for _word in template.keywords:
                best[(next(forms)[0], i, template.id)] = TEMPLATE_KEYWORD_WEIGHT
            for example in template.examples:
                content = _content(next(forms)[1])
                if " " in content:  # one content word ("客服呢？人呢" -> "客服") would match like a bare keyword
                    phrases.append(content)
                    phrase_intent.append(i)
                    phrase_template.append(template.id)
                    raw.append(example)
        example_words = _example_words(phrases, phrase_intent, {w for (w, _, _) in best})
        keywords: dict[str, list] = defaultdict(list)
        for (word, i, template_id), weight in best.items():
            if len(word) >= 2:
                keywords[word[:2]].append((word, i, weight, template_id))
        grams: dict[str, list[int]] = defaultdict(list)
        for p, phrase in enumerate(phrases):
            for gram in _bigrams(phrase):
                grams[gram].append(p)
        postings = {g: np.asarray(ps, dtype=np.int32) for g, ps in grams.items()}
        index = cls(
            intent_ids,
            phrases,
            np.asarray(phrase_intent, dtype=np.int16),
            phrase_template,
            raw,
            dict(keywords),
            postings,
            example_words,
        )
        index.patterns = [(p, position[intent], w) for intent, ps in library.patterns.items() for p, w in ps]
        return index


@dataclass(frozen=True)
class Evidence:
    """What the library's words say about one complaint, for every intent (in ``EvidenceIndex.intent_ids`` order)."""

    scores: np.ndarray  # in [0, 1]
    words: tuple[tuple[str, ...], ...]  # the words that matched, per intent
    template_scores: dict[str, float]  # template id -> how well its own keywords and examples fit
    closest: tuple[str | None, ...]  # the best example phrasing per intent (for --explain)

    def templates_for(self, intent: str) -> tuple[str, ...]:
        """The intent's templates that fit nearly as well as its best one, best first; a weak fit is not offered."""
        mine = sorted((t for t in self.template_scores if t.startswith(intent + ".")), key=lambda t: -self.template_scores[t])
        floor = max(TEMPLATE_MIN_FIT, TEMPLATE_FIT * self.template_scores[mine[0]]) if mine else 0.0
        return tuple(t for t in mine if self.template_scores[t] >= floor)


def keyword_evidence(normalized: Normalized, index: EvidenceIndex) -> Evidence:
    """Score every intent by the library's keywords, patterns and example phrasings.

    :param normalized: the complaint after ``normalize``
    :param index: built once by ``EvidenceIndex.build``
    """
    n_intents = len(index.intent_ids)
    evidence = np.zeros(n_intents)
    words: list[list[str]] = [[] for _ in range(n_intents)]

    text = normalized.text
    shown = shown_as_evidence(text)  # for the words found by likeness alone, not the library's keywords
    template_scores: dict[str, float] = defaultdict(float)
    for word, i, weight, template_id, pos in _keyword_hits(normalized, index):
        if template_id:
            template_scores[template_id] += 1.0
        if word in words[i]:
            continue
        evidence[i] += weight * (1.0 + EARLY_BONUS * (1.0 - pos / max(len(text), 1)))
        words[i].append(word)

    for pattern, i, weight in index.patterns:
        m = pattern.search(text)
        if m and m.group(0) not in words[i]:
            evidence[i] += weight * (1.0 + EARLY_BONUS * (1.0 - m.start() / max(len(text), 1)))
            words[i].append(m.group(0))

    for token in dict.fromkeys(normalized.tokens):
        found = index.example_words.get(token)
        if found and token not in words[found[0]]:
            evidence[found[0]] += found[1]
            if shown(token):  # counted, not shown when it names the customer's data: 「编号」 is no sign of a counterfeit
                words[found[0]].append(token)

    query = _content(normalized.tokens, FUZZY_TOKENS)  # the form the fuzzy scorer compares
    fuzzy, best_phrase, phrase_scores = _fuzzy_scores(query, index)
    evidence += FUZZY_WEIGHT * fuzzy
    # A template's fit: its keywords found, plus how close its closest example is. The scorer gives full marks to a
    # complaint whose words are all in an example ("快递没到" is "快递" to it, and "快递" is in "快递丢了"): such a
    # complaint states only part of that example's situation, so the fit is the share of the example it states.
    said = frozenset(query.split())
    closeness: dict[str, float] = {}
    for p, value in phrase_scores:
        example = index.phrase_words[p]
        if said < example:
            value *= len(said) / len(example)
        template_id = index.phrase_template[p]
        closeness[template_id] = max(closeness.get(template_id, 0.0), value)
    for template_id, value in closeness.items():
        template_scores[template_id] += value
    closest: list[str | None] = [None] * n_intents
    for i in np.nonzero(fuzzy)[0]:
        # the complaint's words in its closest example, except its data and their names (「订单号」 of 「客服还在问我订单号」)
        shared = [t for t in index.phrases[best_phrase[i]].split() if t in normalized.tokens and len(t) > 1 and shown(t)]
        for token in shared:
            if token not in words[i] and not any(token in w for w in words[i]):
                words[i].append(token)
        closest[i] = index.raw_phrases[best_phrase[i]]

    other = index.intent_ids.index(OTHER)
    # "other" is the fallback: its own words ("垃圾", "太差了") are weak evidence next to any specific cause.
    evidence[other] = OTHER_PRIOR + OTHER_FACTOR * evidence[other]
    service = index.intent_ids.index("service_attitude")
    causes = np.delete(evidence, [service, other])
    if causes.max(initial=0.0) >= CAUSE_PRESENT:
        evidence[service] *= SERVICE_BESIDE_CAUSE
    scores = 1.0 - np.exp(-evidence / SCALE)
    return Evidence(scores, tuple(tuple(w) for w in words), dict(template_scores), tuple(closest))


def _keyword_hits(normalized: Normalized, index: EvidenceIndex):
    """Yield (word, intent, weight, template id, position) for every keyword found.

    A hit must start on a jieba token boundary ("少发" is not in "很少发生", "降了" is
    not in "下降了"; "冒牌" is in "冒牌货"), or, for words of three or more characters,
    end on one. Negated, praised and figurative mentions are skipped, and so is money that has not
    arrived ("还没到" in "退款还没到", "还没到账": a refund's, not a parcel's; ``MONEY_NOT_ARRIVED``).
    """
    text, bounds = normalized.text, normalized.boundaries
    money = {i for m in MONEY_NOT_ARRIVED.finditer(text) for i in range(m.start(), m.end())}
    for pos in range(min(len(text) - 1, SEGMENT_CHARS + 1)):  # a hit needs a word boundary: there are none further
        bucket = index.keywords.get(text[pos : pos + 2])
        if not bucket:
            continue
        aligned = pos in bounds
        for word, i, weight, template_id in bucket:
            end = pos + len(word)
            if (
                text.startswith(word, pos)
                and (aligned or (len(word) >= 3 and end in bounds))
                and not _negated(text, pos, word)
                and not _praised(text, end)
                and pos not in money
            ):
                yield word, i, weight, template_id, pos


def _negated(text: str, pos: int, word: str) -> bool:
    """True when a negator stands right before a problem word ("没有破损", "不是假货")."""
    if word.startswith(("没", "不", "无", "未", "非")) or not PROBLEM_WORDS.search(word):
        return False
    before = text[max(0, pos - 3) : pos]
    return (
        any(before.endswith(neg) for neg in _NEGATORS)
        or before[-2:-1] in ("没", "不", "无")
        and before[-1:] in ("有", "太", "怎", "算", "见", "出", "被")
    )


def _praised(text: str, end: int) -> bool:
    """True when the rest of the word's clause praises it ("物流很快", "包装也很好")."""
    after = text[end : end + 10]
    cut = _CLAUSE_END.search(after)
    return bool(_PRAISE.search(after[: cut.start()] if cut else after))


def _fuzzy_scores(query: str, index: EvidenceIndex):
    """Best example score per intent in [0, 1] above the cutoff, the index of that example, and every (example, score).

    :param query: the complaint's content tokens joined by spaces (``_content``)
    """
    n_intents = len(index.intent_ids)
    fuzzy = np.zeros(n_intents)
    best = np.zeros(n_intents, dtype=np.int64)
    hits = [index.postings[g] for g in _bigrams(query) if g in index.postings] if query else []
    if not hits:
        return fuzzy, best, []
    counts = np.bincount(np.concatenate(hits), minlength=len(index.phrases))
    candidates = np.nonzero(counts)[0]
    if len(candidates) > MAX_CANDIDATES:
        candidates = candidates[np.argsort(-counts[candidates], kind="stable")[:MAX_CANDIDATES]]
    candidates = candidates[index.shapes.could_reach(query, candidates, FUZZY_CUTOFF)]
    choices = [index.phrases[c] for c in candidates.tolist()]  # Python ints: indexing by NumPy ones is slow
    raw = process.cdist([query], choices, scorer=SCORER, dtype=np.uint8, score_cutoff=FUZZY_CUTOFF)[0]
    keep = np.nonzero(raw)[0]
    values = (raw[keep].astype(np.float64) - FUZZY_CUTOFF) / (100 - FUZZY_CUTOFF)
    phrases = candidates[keep]
    intents = index.phrase_intent[phrases]
    for value, intent, p in zip(values, intents, phrases):
        if value > fuzzy[intent]:
            fuzzy[intent] = value
            best[intent] = p
    return fuzzy, best, list(zip(phrases.tolist(), values.tolist()))


class PhraseShapes:
    """What ``fuzz.token_set_ratio`` can at most give each example, from counts alone, to skip the hopeless ones.

    About 98% of the candidates that share a bigram with a complaint score below the cutoff, and the scorer spends
    most of its time splitting, sorting and joining their words. Its score is the best of three ratios over the two
    texts' shared words (S) and the words only one of them has (A, B), each word list joined by spaces:
    ``ratio(S, S+A)`` and ``ratio(S, S+B)`` follow from the lengths alone, and ``ratio(S+A, S+B)`` is at most what
    the lengths allow when A and B have in common only the characters the two texts share outside S (and their
    spaces). A candidate below that bound cannot reach the cutoff; the others are scored as before.
    """

    def __init__(self, phrase_words: list[frozenset[str]]):
        self.token_ids: dict[str, int] = {}
        self.char_ids: dict[str, int] = {}
        words = [[self.token_ids.setdefault(t, len(self.token_ids)) for t in ws] for ws in phrase_words]
        chars = [Counter("".join(ws)) for ws in phrase_words]
        for counted in chars:
            for ch in counted:
                self.char_ids.setdefault(ch, len(self.char_ids))
        # Each example's row: its word ids, then its distinct characters' ids after the words' (``could_reach`` looks
        # both up in one table), padded with the table's last entry, which is always 0.
        first = len(self.token_ids)
        pad = first + len(self.char_ids)
        self.width = max(map(len, words), default=0)
        char_width = max(map(len, chars), default=0)
        rows = [
            w + [pad] * (self.width - len(w)) + [first + self.char_ids[ch] for ch in c] + [pad] * (char_width - len(c))
            for w, c in zip(words, chars)
        ]
        counts = [list(c.values()) + [0] * (char_width - len(c)) for c in chars]
        small = np.min_scalar_type(pad)  # the smallest arrays read fastest: two bytes for the shipped library
        self.rows = np.array(rows, dtype=small).reshape(len(rows), self.width + char_width)
        self.char_counts = np.array(counts, dtype=np.int16).reshape(len(rows), char_width)
        self.sizes = np.array([(len(w), sum(map(len, w))) for w in phrase_words], dtype=np.int64).reshape(-1, 2)

    def could_reach(self, query: str, candidates: np.ndarray, cutoff: float) -> np.ndarray:
        """A mask of the candidates whose ``token_set_ratio`` with ``query`` may be ``cutoff`` or more (with a point of
        slack)."""
        words = set(query.split())
        n_tokens = len(self.token_ids)
        table = np.zeros(n_tokens + len(self.char_ids) + 1, dtype=np.int16)  # a query word's length; a character's count
        unknown = len(self.char_ids)
        table[n_tokens:] = np.bincount([self.char_ids.get(ch, unknown) for ch in "".join(words)], minlength=unknown + 1)
        table[-1] = 0  # the padding, and the characters no example has
        for w in words:
            if w in self.token_ids:
                table[self.token_ids[w]] = len(w)
        found = table[self.rows[candidates]]
        in_both = found[:, : self.width]
        n_s, chars_s = np.count_nonzero(in_both, axis=1), in_both.sum(axis=1)
        n_a, n_b = len(words) - n_s, self.sizes[candidates, 0] - n_s
        len_a = sum(map(len, words)) - chars_s + np.maximum(n_a - 1, 0)
        len_b = self.sizes[candidates, 1] - chars_s + np.maximum(n_b - 1, 0)
        common = np.minimum(found[:, self.width :], self.char_counts[candidates]).sum(axis=1) - chars_s
        shorter = np.minimum(len_a, len_b)
        lcs = np.minimum(shorter, common + np.maximum(np.minimum(n_a, n_b) - 1, 0))
        has = (n_s > 0).astype(np.int64)
        len_s = (chars_s + n_s - 1) * has
        # score = 100 - 100 * distance / lengths >= cutoff  <=>  k * lengths >= 100 * distance, in whole numbers
        k = 100 - (cutoff - 1)
        return (
            (k * (2 * (len_s + has) + len_a + len_b) >= 100 * (len_a + len_b - 2 * lcs))  # ratio(S+A, S+B)
            | (k * (2 * len_s + has) - 100 * has >= (100 - k) * shorter)  # the better of ratio(S, S+A), ratio(S, S+B)
            | ((has > 0) & (shorter == 0))  # one text's words are all in the other's: 100
        )


def _example_words(phrases: list[str], phrase_intent: list[int], keywords: set[str]) -> dict[str, tuple[int, float]]:
    """Words the library's examples use mostly for one intent, with a weight for that intent.

    A token seen in at least ``EXAMPLE_WORD_MIN`` examples, at least ``EXAMPLE_WORD_SHARE``
    of them of one intent, is evidence for it; weighted by that share. Keywords are left
    to their own, explicit weights.
    """
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for phrase, i in zip(phrases, phrase_intent):
        for token in set(phrase.split()):
            if len(token) >= 2 and token not in keywords:
                counts[token][i] += 1
    out = {}
    for token, per_intent in counts.items():
        total = sum(per_intent.values())
        intent, n = max(per_intent.items(), key=lambda kv: kv[1])
        if total >= EXAMPLE_WORD_MIN and n / total >= EXAMPLE_WORD_SHARE:
            out[token] = (intent, EXAMPLE_WORD_WEIGHT * n / total)
    return out


def _content(tokens, limit: int | None = None) -> str:
    """Content tokens joined by spaces, the form the token scorers compare (the first ``limit`` of them)."""
    return " ".join(islice((t for t in tokens if t not in STOPWORDS), limit))


def _bigrams(text: str) -> set[str]:
    chars = _CJK_OR_WORD.findall(text)
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}
