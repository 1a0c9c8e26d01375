"""The reply library's data model: what ``replies/`` holds once it is loaded.

The library is data written by team leads: one YAML file per intent
(``<intent>.yaml``), offline-invitation templates per escalation reason
(``offline/<reason>.yaml``), escalation rules (``escalation.yaml``, read by
``escalate.load_rules``) and extra jieba words (``words.txt``). ``load.load_library``
reads and validates it into a ``Library``; template bodies may use only the
placeholders in ``PLACEHOLDERS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import jinja2

from assistant.taxonomy import INTENT, OFFLINE

# Placeholder -> what it renders as when the complaint and the form do not name it.
PLACEHOLDERS = {
    "customer": "",
    "product": "这件商品",
    "issue": "这个问题",
    "order_id": "您的订单",
    "agent": "负责售后的客服",
    "deadline": "今天18:00前",
}
# A library pattern's unbounded run of a character class (``[二三\d]+``, ``\d+``) before a literal scans to the end of
# the text from every start: 5,000 digits took 0.4 s a pattern. No count, date or amount a complaint names is longer than
# this, so such runs are bounded when the pattern is compiled; a longer run still matches on its last characters.
LONGEST_RUN = 12
_UNBOUNDED_RUN = re.compile(r"(?<!\\)(\]|\\d)([+*])")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a library pattern with its character-class runs bounded (``+`` and ``*`` after ``]`` or ``\\d``).

    :raises re.error: for a bad expression
    """
    bounded = _UNBOUNDED_RUN.sub(lambda m: m.group(1) + ("{1,%d}" if m.group(2) == "+" else "{0,%d}") % LONGEST_RUN, pattern)
    return re.compile(bounded)


_FUNCTION_CHARS = re.compile(r"[我你他她了的没不还就给被太很都也才又把让在是吗呢啊有]")


@dataclass(frozen=True)
class Keyword:
    """A word whose presence in a complaint is evidence for an intent."""

    word: str
    weight: float


@dataclass(frozen=True)
class Template:
    """One reply template: for an intent, or an offline invitation for an escalation reason."""

    id: str
    kind: str  # "intent" or "offline"
    group: str  # the intent id or the reason id
    situation: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    body: str
    private: str | None
    file: str
    line: int


@dataclass(frozen=True)
class Library:
    """The whole reply library, validated and compiled."""

    templates: tuple[Template, ...]
    keywords: dict[str, tuple[Keyword, ...]]  # intent id -> intent-level keywords
    patterns: dict[str, tuple[tuple[re.Pattern, float], ...]]  # intent id -> (regular expression, weight)
    words: tuple[str, ...]  # extra jieba words (words.txt)
    products: tuple[str, ...]  # words.txt entries tagged "product", used to fill {{ product }}
    compiled: dict[str, jinja2.Template] = field(repr=False, compare=False)  # "<id>" / "<id>#private"

    def for_intent(self, intent: str) -> list[Template]:
        """Intent templates of one intent, in file order."""
        return list(self._groups.get((INTENT, intent), ()))

    def for_reason(self, reason: str) -> list[Template]:
        """Offline-invitation templates of one escalation reason, in file order."""
        return list(self._groups.get((OFFLINE, reason), ()))

    @cached_property
    def _groups(self) -> dict[tuple[str, str], tuple[Template, ...]]:
        groups: dict[tuple[str, str], list[Template]] = {}
        for t in self.templates:
            groups.setdefault((t.kind, t.group), []).append(t)
        return {k: tuple(v) for k, v in groups.items()}

    def render(self, template: Template, values: dict[str, str], *, private: bool = False) -> str:
        """Render a template body (or its private script) with every placeholder given."""
        key = f"{template.id}#private" if private else template.id
        return self.compiled[key].render(**values).strip()

    def dictionary_words(self) -> list[str]:
        """Words for the jieba user dictionary: words.txt plus the keywords that are words, not phrases.

        A phrase such as "给我发" or "还没到" would glue words together ("给我发|错了") and
        hide the keyword "发错"; keywords with function characters are left to jieba.
        """
        words = {k.word for ks in self.keywords.values() for k in ks}
        words.update(w for t in self.templates for w in t.keywords)
        words = {w for w in words if 2 <= len(w) <= 5 and not _FUNCTION_CHARS.search(w)}
        return sorted(words | set(self.words))
