"""Read the reply library (``replies/``): validate every file and compile the template bodies.

Validation is hand-written so that every problem names the file and line. Template
bodies are compiled in Jinja2's sandbox with strict undefined variables, and may use
only the placeholders in ``library.PLACEHOLDERS`` and ``{{ policy.<field> }}``
(``library.POLICY_FIELDS``), read from ``policy.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from assistant.engine.library import (
    PLACEHOLDERS,
    POLICY_FIELDS,
    Keyword,
    Library,
    Problem,
    Template,
    Tick,
    compile_pattern,
)
from assistant.engine.policy import policy_problems, read_policy
from assistant.engine.yamlfile import LineDict, load_yaml, read_text
from assistant.errors import LibraryError
from assistant.taxonomy import INTENT, INTENTS, OFFLINE, REASONS

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
POLICY_FILE = "policy.yaml"
WORDS_FILE = "words.txt"
RULES_FILE = "escalation.yaml"  # the escalation rules (escalate.load_rules), beside the templates
_TEMPLATE_KEYS = {"id", "situation", "examples", "keywords", "body", "private", "ticks", "general"}


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


def read_library(directory: Path | str, *, lenient: bool = False) -> tuple[Library | None, list[Problem]]:
    """Read a reply library and collect every problem; the library is None when there are any.

    A template that promises what ``policy.yaml`` does not offer (``policy.policy_problems``) is a problem too; with
    ``lenient`` (lint, which reports them beside its own checks) the library is still returned when those are all.
    """
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
        if path.name in (RULES_FILE, POLICY_FILE):
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
            sources = [(template.id, template.body), (f"{template.id}#private", template.private)]
            for n, tick in enumerate(template.ticks):
                sources += [(f"{template.id}#tick{n}", tick.promise), (f"{template.id}#done{n}", tick.done)]
            for key, source in sources:
                if source is None:
                    continue
                try:
                    ast = env.parse(source)
                except TemplateSyntaxError as e:
                    problems.append(Problem(rel, item.line_of("body") + (e.lineno or 1), f"template syntax: {e.message}"))
                    ok = False
                    continue
                unknown = meta.find_undeclared_variables(ast) - PLACEHOLDERS.keys() - {"policy"}
                on_policy = [n for n in ast.find_all(nodes.Getattr) if isinstance(n.node, nodes.Name) and n.node.name == "policy"]
                unknown |= {f"policy.{n.attr}" for n in on_policy if n.attr not in POLICY_FIELDS}
                names_used = sum(n.name == "policy" for n in ast.find_all(nodes.Name))
                attrs_used = len(on_policy)
                if names_used > attrs_used:  # {{ policy }} alone, or policy["x"]
                    unknown.add("policy (write policy.<field>)")
                if unknown:
                    names = ", ".join(sorted(unknown))
                    problems.append(
                        Problem(
                            rel,
                            item.line_of("body"),
                            f"unknown placeholder(s): {names}; allowed: {', '.join(PLACEHOLDERS)}, "
                            + ", ".join(f"policy.{f}" for f in POLICY_FIELDS),
                        )
                    )
                    ok = False
                    continue
                compiled[key] = env.from_string(ast)
            if ok:
                templates.append(template)

    generals: dict[tuple[str, str], Template] = {}
    for t in templates:
        if t.general and (first := generals.setdefault((t.kind, t.group), t)) is not t:
            problems.append(Problem(t.file, t.line, f"'{t.group}' has two general templates: '{first.id}' and '{t.id}'"))
    try:
        words, products = _read_words(directory / WORDS_FILE, _rel(directory / WORDS_FILE, directory))
    except LibraryError as e:
        words, products = (), ()
        problems.append(Problem(e.file, e.line, e.message))
    policy, unreadable = read_policy(directory / POLICY_FILE, _rel(directory / POLICY_FILE, directory))
    problems += unreadable
    if problems:
        return None, problems
    library = Library(tuple(templates), keywords, patterns, words, products, compiled, policy)
    breaches = policy_problems(library)
    if breaches and not lenient:
        return None, breaches
    return library, breaches


def _read_words(path: Path, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Read ``words.txt`` ("word [freq] [tag]" lines): all words, and those tagged ``product``.

    :raises LibraryError: naming ``name`` when the file is there but cannot be read as UTF-8 text
    """
    if not path.exists():
        return (), ()
    words, products = [], []
    for line in read_text(path, name).splitlines():
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
            out.append((compile_pattern(kw.word), kw.weight))
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
    ticks, tick_problems = _parse_ticks(item.get("ticks", []), tid, rel, item.line_of("ticks"))
    problems += tick_problems
    general = item.get("general", False)
    if not isinstance(general, bool):
        problems.append(Problem(rel, item.line_of("general"), f"template '{tid}': 'general' must be true or false"))
    if kind == INTENT and not lists["examples"] and not general:  # a general template answers any complaint of its intent
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
            ticks=ticks,
            general=general is True,
        ),
        [],
    )


def _parse_ticks(raw, tid: str, rel: str, line: int) -> tuple[tuple[Tick, ...], list[Problem]]:
    """``ticks``: a list of {label, promise, done}; the promise must be a phrase of the body (lint checks it rendered)."""
    if not isinstance(raw, list):
        return (), [Problem(rel, line, f"template '{tid}': 'ticks' must be a list of {{label, promise, done}}")]
    ticks, problems = [], []
    for item in raw:
        if (
            not isinstance(item, LineDict)
            or set(item) != {"label", "promise", "done"}
            or not all(isinstance(v, str) and v.strip() for v in item.values())
        ):
            message = f"template '{tid}': a tick has label, promise and done (text)"
            problems.append(Problem(rel, getattr(item, "line", line), message))
            continue
        ticks.append(Tick(item["label"].strip(), item["promise"].strip(), item["done"].strip()))
    return tuple(ticks), problems


def _rel(path: Path, directory: Path) -> str:
    try:
        return str(path.relative_to(directory.parent))
    except ValueError:
        return str(path)
