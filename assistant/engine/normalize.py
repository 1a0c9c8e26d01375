"""Normalise a complaint and segment it with jieba.

Steps, in order: HTML entities unescaped, Unicode NFKC (full-width to half-width),
Traditional to Simplified (OpenCC ``t2s``), Latin lower-cased, @handles, URLs and
emoji removed, runs of punctuation folded to one mark. The segmenter is our own
``jieba.Tokenizer`` (never the global ``jieba.dt``), initialised once with the
library's words.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import logging
import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jieba
import opencc

from assistant.config import default_cache_dir

_MENTION = re.compile(r"@[^\s@,，:：;；!！?？。、()（）]{1,30}")
_URL = re.compile(r"https?://\S+|www\.\S+")
_PUNCT_RUN = re.compile(r"([^\w\s])\1+")
_SPACE_RUN = re.compile(r"\s+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_EMOJI_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn"}
DICT_MIN_FREQ = 10
# The script a complaint is written in; drafts answer in the same one (OpenCC), and a text that is not Chinese
# gets no drafts at all (the library is Chinese). Hong Kong by its own characters and Cantonese words, else Taiwan.
SIMPLIFIED, TAIWAN, HONG_KONG, FOREIGN = "zh-Hans", "zh-TW", "zh-HK", "other"
_OUTPUT_CONFIG = {TAIWAN: "s2tw", HONG_KONG: "s2hk"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_HONG_KONG = re.compile(r"[嘅咗唔冇佢喺啲嘢睇俾冚攞揾搵裏綫衞啱]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[a-zA-Z]")
_JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}
# Characters of none of those categories and no joiner (tests/test_normalize.py checks it): printable ASCII but ^ and `
# (Sk), CJK punctuation but its symbols (〄〒〓〠〶〷〾〿, So), and the CJK unified ideographs.
_PLAIN = re.compile(r"[ -\]_a-~\u3000-\u3003\u3005-\u3011\u3014-\u301f\u3021-\u3035\u3038-\u303d\u4e00-\u9fff]*")


@dataclass(frozen=True)
class Normalized:
    """A complaint after normalisation.

    ``full`` keeps @mentions (escalation reads them: "@CCTV315"); ``text`` drops them
    (matching must not count "@品牌客服" as a complaint about support).
    """

    original: str
    full: str
    text: str
    tokens: tuple[str, ...]  # content tokens of ``text`` (its first ``SEGMENT_CHARS`` characters), no punctuation
    mentions: tuple[str, ...]
    boundaries: frozenset[int] = frozenset()  # offsets in ``text`` where a jieba token starts or ends (as far as tokens go)
    script: str = SIMPLIFIED  # the script the customer wrote in: SIMPLIFIED, TAIWAN, HONG_KONG or FOREIGN

    def reads_as_words(self, phrase: str) -> bool:
        """Whether ``phrase`` occurs in ``text`` as whole words or inside one word: "图片" or "和图片", not "片差",
        and, when it is several words, does not start with a particle that belongs to the word before ("了这个").
        Latin letters and digits read as a word only whole: "sim", not the "im" of "sim卡" or the "ad" of "ipad".
        Nor does a phrase of pronouns and particles alone ("我的", "把我") or one ending on a preposition ("客服把").

        A phrase the text does not hold (one in an @mention) or beyond the segmented part is not judged: True.
        """
        if function_only(phrase) or (phrase and phrase[-1] in _DANGLING):
            return False
        found = False
        for start in _occurrences(self.text, phrase):
            if start >= SEGMENT_CHARS:
                break
            found = True
            end = start + len(phrase)
            if _cut_latin(self.text, start, end, self.boundaries):
                continue
            inner = [b for b in range(start + 1, end) if b in self.boundaries]
            if not inner:
                return True
            if {start, end} <= self.boundaries and self.text[start : inner[0]] not in _LEADING_PARTICLES:
                return True
        return not found


class Segmenter:
    """Traditional-to-Simplified converter plus an own, initialised jieba tokenizer."""

    def __init__(self, words: list[str] | tuple[str, ...] = (), cache_dir: Path | None = None):
        """
        :param cache_dir: where the trimmed dictionary, jieba's own cache and the phrase cache are kept (default:
            ``config.default_cache_dir()``). A folder that cannot be used safely (``private_folder``) is passed over
            with a warning and everything is built in memory: a slower start, nothing else.
        """
        jieba.setLogLevel(logging.WARNING)  # jieba logs at DEBUG to stderr by default
        self.cache_dir = private_folder(Path(cache_dir) if cache_dir else default_cache_dir())
        self.converter = opencc.OpenCC("t2s")
        # Our own tokenizer (jieba.add_word would change the global one), on a trimmed dictionary.
        self.tokenizer = _tokenizer(self.cache_dir)
        self.words = tuple(dict.fromkeys(w.strip() for w in words if w.strip()))
        for word in self.words:
            self.tokenizer.add_word(word)

    def to_script(self, text: str, script: str) -> str:
        """Simplified text written in a complaint's script (Traditional for Taiwan or Hong Kong; otherwise unchanged)."""
        config = _OUTPUT_CONFIG.get(script)
        if config is None:
            return text
        return _converter(config).convert(strip_surrogates(text))

    def cut(self, text: str) -> tuple[list[str], frozenset[int]]:
        """Segment normalised text: content tokens (no spaces or punctuation) and token boundary offsets.

        The text is segmented in pieces of at most ``PIECE`` characters, broken after punctuation or a space
        where there is one: jieba's HMM (for runs of characters its dictionary does not know) copies its path
        at every character, quadratic in the run (5,000 characters without a known word took 0.25 s). Beyond
        ``HMM_LIMIT`` characters the HMM is off altogether (unknown words stay single characters): it was half
        the time of a 5,000-character suggestion, and a complaint that long is not made better by guessed words.
        Only the first ``SEGMENT_CHARS`` characters are segmented (see there).
        """
        tokens: list[str] = []
        boundaries: set[int] = set()
        hmm = len(text) <= HMM_LIMIT
        for offset, piece in _pieces(text[:SEGMENT_CHARS]):
            for word in self.tokenizer.cut(piece, HMM=hmm):  # the words tile the piece, so offsets add up
                boundaries.add(offset)
                offset += len(word)
                boundaries.add(offset)
                if word.isalnum() or (word.strip() and not _is_punct(word)):
                    tokens.append(word)
        return tokens, frozenset(boundaries)


# Particles that close the word before them: a phrase of several words that starts with one reads as a fragment.
_LEADING_PARTICLES = frozenset("了的着地得吗呢吧啊呀")
_FUNCTION_ONLY = frozenset("我你他她它们了的着地得吗呢吧啊呀把被给让对向跟和与在是就都也还又很太这那个要想")  # and modal verbs
_DANGLING = frozenset("把被给让对向跟和与")  # a preposition that needs what follows it ("客服把")


def function_only(phrase: str) -> bool:
    """Whether a phrase is pronouns, particles and modal verbs alone ("我的", "把我", "我要"): no evidence to show."""
    return bool(phrase) and set(phrase) <= _FUNCTION_ONLY


def _cut_latin(text: str, start: int, end: int, boundaries: frozenset[int]) -> bool:
    """Whether ``text[start:end]`` begins or ends with a Latin letter or digit in the middle of a word."""
    return (_latin(text[start]) and start not in boundaries) or (_latin(text[end - 1]) and end not in boundaries)


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _occurrences(text: str, phrase: str):
    start = text.find(phrase)
    while start >= 0 and phrase:
        yield start
        start = text.find(phrase, start + 1)


PIECE = 200
HMM_LIMIT = 1000
# Words (tokens and their boundaries) are found in the first this many characters only, so the keyword evidence, the
# model's word features and the quotes read those; the character n-grams and the escalation rules read the whole text.
# The longest of the 1,800 labelled complaints has 299 characters; jieba was 40% of a 5,000-character suggestion.
SEGMENT_CHARS = 1500
_BREAK = re.compile(r"[\s，。！？；：、,.!?;:]")


def _pieces(text: str):
    """(offset, piece) of ``text`` in pieces of at most ``PIECE`` characters, each ending at a break when one is near."""
    start = 0
    while len(text) - start > PIECE:
        end = start + PIECE
        breaks = [m.end() for m in _BREAK.finditer(text, start + PIECE // 2, end)]
        end = breaks[-1] if breaks else end
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def private_folder(path: Path) -> Path | None:
    """``path`` when it is a folder only this user can write to, created 0700 if missing; else None, with a warning.

    Everything the engine keeps there (the trimmed dictionary, jieba's marshal cache, the phrase cache) is read back
    without checks, so a folder another local account owns or may write to (the old default, a fixed name in the
    shared temp folder, was one) is not used, and neither is a file or anything else that cannot be a folder.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # exist_ok: a file there still raises FileExistsError
        info = path.stat()
    except OSError as e:
        why = f"cannot make it a folder ({e.strerror or type(e).__name__})"
    else:
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            why = "it belongs to another user"
        elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            why = "others may write to it"
        else:
            return path
    logging.getLogger(__name__).warning(
        "not using the cache folder %s: %s; building in memory instead (a slower start). "
        "Set ASSISTANT_CACHE_DIR to a folder of your own (mode 0700).",
        path,
        why,
    )
    return None


def _tokenizer(cache_dir: Path | None) -> jieba.Tokenizer:
    """A jieba tokenizer on the trimmed dictionary: from the cache folder, else built in memory (no file is written)."""
    if cache_dir is not None:
        try:
            tokenizer = jieba.Tokenizer(str(trimmed_dictionary(cache_dir)))
            tokenizer.tmp_dir = str(cache_dir)
            tokenizer.initialize()
            return tokenizer
        except OSError as e:  # a full disk, a folder made read-only since: a slower start, nothing else
            logging.getLogger(__name__).warning("cannot use the cache folder %s (%s); building in memory", cache_dir, e)
    tokenizer = jieba.Tokenizer()
    with tokenizer.lock:  # what initialize() does, from memory: jieba then neither reads nor writes a cache file
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(_trimmed_text().encode("utf-8")))
        tokenizer.initialized = True
    return tokenizer


def trimmed_dictionary(cache_dir: Path, min_freq: int = DICT_MIN_FREQ) -> Path:
    """jieba's bundled dictionary without its rarest long words, written once into ``cache_dir``.

    Loading the full 349k-word dictionary costs about 1 s at every start; keeping
    words seen at least ``min_freq`` times (and every word of one or two
    characters) leaves 167k words, loads in about 0.3 s and segments complaints
    the same way in our tests. Derived from the installed jieba, never downloaded.
    """
    target = cache_dir / f"jieba-{jieba.__version__}-min{min_freq}.txt"
    if not target.exists():
        _write_atomically(target, _trimmed_text(min_freq))
    return target


def _trimmed_text(min_freq: int = DICT_MIN_FREQ) -> str:
    source = Path(jieba.__file__).with_name("dict.txt")
    with open(source, encoding="utf-8") as fp:
        return "".join(line for line in fp if _keep(line, min_freq))


def _write_atomically(target: Path, text: str) -> None:
    """Write a cache file so that a concurrent start never reads half of it."""
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)


def _keep(line: str, min_freq: int) -> bool:
    parts = line.split()
    return len(parts) >= 2 and (len(parts[0]) <= 2 or int(parts[1]) >= min_freq)


def strip_surrogates(text: str) -> str:
    """Drop lone UTF-16 surrogates (JSON's "\\ud800" decodes to one): they cannot be encoded or stored."""
    return _SURROGATES.sub("", text)


def script_of(text: str, simplified: str) -> str:
    """SIMPLIFIED, TAIWAN, HONG_KONG, or FOREIGN for a text with (almost) no Chinese but letters of another script.

    :param text: the text, NFKC-normalised
    :param simplified: the same text converted to Simplified (OpenCC t2s)
    """
    han = _CJK.findall(text)
    letters = len(_LETTER.findall(text)) - len(han)
    other = letters - len(_LATIN.findall(text))  # kana, hangul, cyrillic…: "iphone充电器坏了" stays Chinese
    if len(han) < 2 or other > len(han):
        return FOREIGN if letters >= 3 else SIMPLIFIED
    traditional = _changed(text, simplified)
    if not traditional:
        return SIMPLIFIED
    # Both scripts share most characters, and t2s changes a few a Simplified text may hold too (「墙」): the text is
    # Traditional when it has more characters only Traditional writes than characters only Simplified writes (those
    # converting it to Traditional changes), so 「衣服品質很差，洗一次就起毛球了」 (one of each kind: 質, none) is
    # Traditional at any length, and 「你们师傅把我家墙打坏了」 (墙; 们, 师, 坏) stays Simplified.
    simplified_only = min(_changed(text, _converter(config).convert(text)) for config in _OUTPUT_CONFIG.values())
    if traditional > simplified_only:
        return HONG_KONG if _HONG_KONG.search(text) else TAIWAN
    return SIMPLIFIED


def _characters_only(text: str, converted: str, converter) -> str:
    """A Simplified text's conversion with the phrase table's changes undone: only stray Traditional characters
    (「沒」) are converted. OpenCC's phrases read some Simplified words as Traditional ones: 「打坏」 became 「打坯」 (to
    make adobe), so 「师傅把墙打坏了」 lost its 坏 to the matcher. A character that t2s leaves alone on its own, but
    changed here, was changed by a phrase."""
    if len(converted) != len(text):
        return converted
    return "".join(new if new == old or converter.convert(old) != old else old for old, new in zip(text, converted))


def _changed(text: str, converted: str) -> int:
    """How many of a text's characters a conversion replaced."""
    if text == converted:  # most complaints: nothing to count
        return 0
    return sum((Counter(text) - Counter(converted)).values())


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter, built on first use: most complaints are Simplified and never need one."""
    return opencc.OpenCC(config)


def clean(text: str, converter) -> tuple[str, tuple[str, ...], str]:
    """Return (normalised text with @mentions, the mentions, the script the text was written in)."""
    text = strip_surrogates(html.unescape(text))
    text = unicodedata.normalize("NFKC", text)
    simplified = converter.convert(text)
    script = script_of(text, simplified)
    if script == SIMPLIFIED and simplified != text:
        simplified = _characters_only(text, simplified, converter)
    text = simplified.lower()
    text = _URL.sub(" ", text)
    if not _PLAIN.fullmatch(text):  # most complaints are Chinese, ASCII and CJK punctuation only: nothing to drop
        text = "".join(ch for ch in text if ch not in _JOINERS and unicodedata.category(ch) not in _EMOJI_CATEGORIES)
    text = _PUNCT_RUN.sub(r"\1", text)
    text = _SPACE_RUN.sub(" ", text).strip()
    mentions = tuple(m.group(0)[1:] for m in _MENTION.finditer(text))
    return text, mentions, script


def normalize(text: str, segmenter: Segmenter) -> Normalized:
    """Normalise and segment one complaint.

    :param text: the complaint as pasted
    :param segmenter: built once by the engine
    """
    full, mentions, script = clean(text, segmenter.converter)
    stripped = _SPACE_RUN.sub(" ", _MENTION.sub(" ", full)).strip()
    tokens, boundaries = segmenter.cut(stripped)
    return Normalized(
        original=text,
        full=full,
        text=stripped,
        tokens=tuple(tokens),
        mentions=mentions,
        boundaries=boundaries,
        script=script,
    )


def normalize_many(texts: list[str], segmenter: Segmenter) -> list[tuple[str, tuple[str, ...]]]:
    """``(text, tokens)`` of ``normalize`` for each of the library's phrases, from a cache file when one matches.

    Segmenting the library's 4,000 example phrasings and keywords was a third of a cold start. The cache
    file in ``segmenter.cache_dir`` is named by a hash of everything the answer depends on (the phrases, the
    segmenter's own words, this module's source, the jieba and OpenCC versions), so a stale one is never read;
    an unreadable one is rebuilt. It holds only strings (JSON), never code.
    """
    if segmenter.cache_dir is None:  # no folder fit to keep it in (see private_folder)
        return [(n.text, n.tokens) for n in (normalize(text, segmenter) for text in texts)]
    key = hashlib.sha256()
    for part in (Path(__file__).read_bytes(), jieba.__version__.encode(), opencc.__version__.encode()):
        key.update(part)
    key.update(json.dumps([segmenter.words, texts], ensure_ascii=False).encode())
    path = segmenter.cache_dir / f"phrases-{key.hexdigest()[:32]}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if len(cached) == len(texts):
            return [(text, tuple(tokens)) for text, tokens in cached]
    except (OSError, ValueError, TypeError):
        pass  # no cache yet, or a broken one: rebuild it below
    result = [(n.text, n.tokens) for n in (normalize(text, segmenter) for text in texts)]
    try:
        _write_atomically(path, json.dumps(result, ensure_ascii=False))
        for old in sorted(segmenter.cache_dir.glob("phrases-*.json"), key=_mtime)[:-PHRASE_CACHES]:
            old.unlink(missing_ok=True)
    except OSError as e:  # a read-only cache folder costs start-up time, nothing else
        logging.getLogger(__name__).warning("cannot cache the library's segmentation in %s: %s", segmenter.cache_dir, e)
    return result


PHRASE_CACHES = 4  # cache files kept (one per library version; tests and a second library keep their own)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _is_punct(token: str) -> bool:
    return all(not ch.isalnum() for ch in token)
