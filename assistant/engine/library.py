"""Load and validate the reply library (``replies/``).

The library is data written by team leads: one YAML file per intent
(``<intent>.yaml``), offline-invitation templates per escalation reason
(``offline/<reason>.yaml``), escalation rules (``escalation.yaml``, read by
``escalate.load_rules``) and extra jieba words (``words.txt``). Every error names
the file and line. Template bodies are compiled in Jinja2's sandbox with strict
undefined variables, and may use only the placeholders in ``PLACEHOLDERS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jinja2
import yaml
from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from assistant.engine.sincerity import MAX_CHARS, MIN_CHARS, Sincerity, check_sincerity
from assistant.errors import LibraryError
from assistant.taxonomy import INTENT, INTENTS, OFFLINE, REASONS

# Placeholder -> what it renders as when the complaint and the form do not name it.
PLACEHOLDERS = {
    "customer": "",
    "product": "这件商品",
    "issue": "这个问题",
    "order_id": "您的订单",
    "agent": "负责售后的客服",
    "deadline": "今天18:00前",
}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's composer is ~10x faster where installed
_FUNCTION_CHARS = re.compile(r"[我你他她了的没不还就给被太很都也才又把让在是吗呢啊有]")
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_TEMPLATE_KEYS = {"id", "situation", "examples", "keywords", "body", "private"}


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

    @cached_property
    def samples(self) -> dict[str, tuple[str, Sincerity]]:
        """Each template rendered with the sample values, and that text's sincerity: worked out once per library."""
        out = {}
        for t in self.templates:
            text = self.render(t, PLACEHOLDERS)
            out[t.id] = (text, check_sincerity(text, t.examples[0] if t.examples else None))
        return out

    def dictionary_words(self) -> list[str]:
        """Words for the jieba user dictionary: words.txt plus the keywords that are words, not phrases.

        A phrase such as "给我发" or "还没到" would glue words together ("给我发|错了") and
        hide the keyword "发错"; keywords with function characters are left to jieba.
        """
        words = {k.word for ks in self.keywords.values() for k in ks}
        words.update(w for t in self.templates for w in t.keywords)
        words = {w for w in words if 2 <= len(w) <= 5 and not _FUNCTION_CHARS.search(w)}
        return sorted(words | set(self.words))


def make_environment() -> ImmutableSandboxedEnvironment:
    """The sandbox every template renders in: no attribute access to Python objects, no undefined names."""
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def load_library(directory: Path | str) -> Library:
    """Load, validate and compile every file of a reply library.

    :param directory: the ``replies/`` folder
    :raises LibraryError: on the first problem, naming file and line
    """
    library, problems = read_library(directory)
    if problems or library is None:
        first = problems[0]
        raise LibraryError(first.message, first.file, first.line)
    return library


@dataclass(frozen=True)
class Problem:
    """One lint finding: file, line and message."""

    file: str
    line: int
    message: str


def read_library(directory: Path | str) -> tuple[Library | None, list[Problem]]:
    """Read a reply library and collect every problem; the library is None when there are any."""
    directory = Path(directory)
    if not directory.is_dir():
        return None, [Problem(str(directory), 0, "reply library folder not found")]
    env = make_environment()
    problems: list[Problem] = []
    templates: list[Template] = []
    keywords: dict[str, tuple[Keyword, ...]] = {}
    patterns: dict[str, tuple[tuple[re.Pattern, float], ...]] = {}
    compiled: dict[str, jinja2.Template] = {}
    seen: dict[str, str] = {}

    files = sorted(directory.glob("*.yaml")) + sorted((directory / "offline").glob("*.yaml"))
    for path in files:
        if path.name == "escalation.yaml":
            continue
        rel = _rel(path, directory)
        try:
            doc = load_yaml(path)
        except LibraryError as e:
            problems.append(Problem(rel, e.line, e.message))
            continue
        offline = path.parent.name == "offline"
        head = "reason" if offline else "intent"
        known = REASONS if offline else INTENTS
        if not isinstance(doc, LineDict):
            problems.append(Problem(rel, 1, f"expected a mapping with '{head}' and 'templates'"))
            continue
        group = doc.get(head)
        if group not in known:
            problems.append(Problem(rel, doc.line_of(head), f"'{head}' must be one of: {', '.join(known)}"))
            continue
        allowed = {head, "templates", "label"} | (set() if offline else {"keywords", "patterns"})
        for key in doc:
            if key not in allowed:
                problems.append(Problem(rel, doc.line_of(key), f"unknown key '{key}'"))
        if not offline:
            kws, kw_problems = _parse_keywords(doc.get("keywords", []), rel, doc.line_of("keywords"))
            problems += kw_problems
            keywords[group] = keywords.get(group, ()) + kws
            pats, pat_problems = _parse_patterns(doc.get("patterns", []), rel, doc.line_of("patterns"))
            problems += pat_problems
            patterns[group] = patterns.get(group, ()) + pats
        items = doc.get("templates", [])
        if not isinstance(items, list):
            problems.append(Problem(rel, doc.line_of("templates"), "'templates' must be a list"))
            continue
        for item in items:
            template, found = _parse_template(item, OFFLINE if offline else INTENT, group, rel)
            problems += found
            if template is None:
                continue
            if template.id in seen:
                problems.append(
                    Problem(rel, template.line, f"duplicate template id '{template.id}' (first in {seen[template.id]})")
                )
                continue
            seen[template.id] = rel
            ok = True
            for key, source in ((template.id, template.body), (f"{template.id}#private", template.private)):
                if source is None:
                    continue
                try:
                    ast = env.parse(source)
                except TemplateSyntaxError as e:
                    problems.append(Problem(rel, item.line_of("body") + (e.lineno or 1), f"template syntax: {e.message}"))
                    ok = False
                    continue
                unknown = meta.find_undeclared_variables(ast) - PLACEHOLDERS.keys()
                if unknown:
                    names = ", ".join(sorted(unknown))
                    problems.append(
                        Problem(rel, item.line_of("body"), f"unknown placeholder(s): {names}; allowed: {', '.join(PLACEHOLDERS)}")
                    )
                    ok = False
                    continue
                compiled[key] = env.from_string(ast)
            if ok:
                templates.append(template)

    words, products = _read_words(directory / "words.txt")
    if problems:
        return None, problems
    return Library(tuple(templates), keywords, patterns, words, products, compiled), []


def _read_words(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Read ``words.txt`` ("word [freq] [tag]" lines): all words, and those tagged ``product``."""
    if not path.exists():
        return (), ()
    words, products = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        words.append(parts[0].lower())
        if parts[-1] == "product":
            products.append(parts[0].lower())
    return tuple(words), tuple(products)


def _parse_keywords(raw, rel: str, line: int) -> tuple[tuple[Keyword, ...], list[Problem]]:
    if not isinstance(raw, list):
        return (), [Problem(rel, line, "'keywords' must be a list")]
    out, problems = [], []
    for item in raw:
        if isinstance(item, str) and item.strip():
            out.append(Keyword(item.strip().lower(), 1.0))
        elif isinstance(item, LineDict) and len(item) == 1:
            ((word, weight),) = item.items()
            if not isinstance(weight, (int, float)) or not 0 < weight <= 5:
                problems.append(Problem(rel, item.line, f"keyword '{word}': weight must be a number in (0, 5]"))
                continue
            out.append(Keyword(str(word).strip().lower(), float(weight)))
        else:
            problems.append(Problem(rel, getattr(item, "line", line), "a keyword is a word or 'word: weight'"))
    return tuple(out), problems


def _parse_patterns(raw, rel: str, line: int) -> tuple[tuple[tuple[re.Pattern, float], ...], list[Problem]]:
    keywords, problems = _parse_keywords(raw, rel, line)
    out = []
    for kw in keywords:
        try:
            out.append((re.compile(kw.word), kw.weight))
        except re.error as e:
            problems.append(Problem(rel, line, f"pattern '{kw.word}': bad regular expression: {e}"))
    return tuple(out), problems


def _parse_template(item, kind: str, group: str, rel: str) -> tuple[Template | None, list[Problem]]:
    if not isinstance(item, LineDict):
        return None, [Problem(rel, getattr(item, "line", 0), "a template must be a mapping")]
    problems = [Problem(rel, item.line_of(k), f"unknown key '{k}'") for k in item if k not in _TEMPLATE_KEYS]
    tid = item.get("id")
    if not isinstance(tid, str) or not _ID.match(tid):
        problems.append(
            Problem(rel, item.line_of("id"), "template 'id' must look like 'intent.situation' (lower case, dots, underscores)")
        )
        return None, problems
    prefix = f"offline.{group}." if kind == OFFLINE else f"{group}."
    if not tid.startswith(prefix):
        problems.append(Problem(rel, item.line_of("id"), f"template id '{tid}' must start with '{prefix}'"))
    for key in ("situation", "body"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(rel, item.line_of(key), f"template '{tid}': '{key}' is required text"))
    private = item.get("private")
    if private is not None and not isinstance(private, str):
        problems.append(Problem(rel, item.line_of("private"), f"template '{tid}': 'private' must be text"))
    if kind == OFFLINE and not private:
        problems.append(Problem(rel, item.line, f"template '{tid}': offline templates need a 'private' follow-up script"))
    lists = {}
    for key in ("examples", "keywords"):
        value = item.get(key, [])
        if isinstance(value, list):  # YAML reads 12315 as a number; it is a word here
            value = [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(Problem(rel, item.line_of(key), f"template '{tid}': '{key}' must be a list of text"))
            value = []
        lists[key] = tuple(v.strip() for v in value)
    if kind == INTENT and not lists["examples"]:
        problems.append(Problem(rel, item.line_of("examples"), f"template '{tid}': needs at least one example complaint"))
    if problems:
        return None, problems
    return (
        Template(
            id=tid,
            kind=kind,
            group=group,
            situation=item["situation"].strip(),
            examples=lists["examples"],
            keywords=tuple(k.lower() for k in lists["keywords"]),
            body=item["body"].strip(),
            private=private.strip() if private else None,
            file=rel,
            line=item.line,
        ),
        [],
    )


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers its line."""

    line: int = 0


def load_yaml(path: Path):
    """Parse a YAML file into LineDict/LineList values; errors name the file and line."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise LibraryError(f"YAML: {e.problem}", str(path), (mark.line + 1) if mark else 0) from None
    except UnicodeDecodeError:
        raise LibraryError("file is not UTF-8", str(path), 0) from None
    return _convert(node) if node is not None else None


def _convert(node):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node)
            out[key] = _convert(value_node)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LineList(_convert(n) for n in node.value)
        items.line = line
        return items
    return node.value if node.tag == "tag:yaml.org,2002:str" else yaml.SafeLoader("").construct_object(node)


def _rel(path: Path, directory: Path) -> str:
    try:
        return str(path.relative_to(directory.parent))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class LintReport:
    """What ``assistant lint`` reports: template counts and every problem."""

    templates: int
    by_intent: dict[str, int]
    by_reason: dict[str, int]
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict:
        return {
            "templates": self.templates,
            "by_intent": self.by_intent,
            "by_reason": self.by_reason,
            "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in self.problems],
        }


LINT_MIN_SCORE = 80
_SAMPLE = {"customer": "王女士", "product": "电热水壶", "order_id": "订单2024112301", "agent": "小林", "deadline": "今天18:00前"}


def lint_library(directory: Path | str) -> LintReport:
    """Load a library and check every template's rendered text for sincerity and length.

    Each body is rendered twice, with sample values and with every fallback; both
    must score at least ``LINT_MIN_SCORE`` and be 60-300 characters, and neither
    body nor private script may contain review inducement.
    """
    library, problems = read_library(directory)
    if library is None:
        return LintReport(0, {}, {}, tuple(problems))
    for t in library.templates:
        complaint = t.examples[0] if t.examples else t.situation
        filled = {**_SAMPLE, "issue": f"“{complaint[:14]}”这个问题"}
        for values, against in ((filled, complaint), (PLACEHOLDERS, None)):
            text = library.render(t, values)
            result = check_sincerity(text, against)
            length = len(re.sub(r"\s", "", text))
            if not MIN_CHARS <= length <= MAX_CHARS:
                problems.append(
                    Problem(t.file, t.line, f"{t.id}: rendered body is {length} characters; keep it {MIN_CHARS}-{MAX_CHARS}")
                )
            if result.score < LINT_MIN_SCORE:
                problems.append(
                    Problem(t.file, t.line, f"{t.id}: sincerity {result.score} < {LINT_MIN_SCORE}: {'；'.join(result.findings)}")
                )
        if t.private:
            result = check_sincerity(library.render(t, filled, private=True), None, public=False)
            if result.score < LINT_MIN_SCORE:
                problems.append(
                    Problem(
                        t.file,
                        t.line,
                        f"{t.id} (private): sincerity {result.score} < {LINT_MIN_SCORE}: {'；'.join(result.findings)}",
                    )
                )
    problems = list(dict.fromkeys(problems))  # the two renderings often report the same thing
    by_intent = {i: len(library.for_intent(i)) for i in INTENTS}
    by_reason = {r: len(library.for_reason(r)) for r in REASONS}
    return LintReport(len(library.templates), by_intent, by_reason, tuple(problems))
