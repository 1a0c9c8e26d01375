"""``assistant lint``: load the reply library and check every template's rendered text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.engine.escalate import load_rules
from assistant.engine.library import PLACEHOLDERS
from assistant.engine.load import RULES_FILE, Problem, read_library
from assistant.engine.sincerity import MAX_CHARS, MIN_CHARS, check_sincerity, done_claims
from assistant.errors import LibraryError
from assistant.taxonomy import INTENTS, REASONS


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
_SAMPLE = {
    "customer": "王女士",
    "product": "电热水壶",
    "order_id": "订单2024112301",
    "agent": "小林",
    "deadline": "今天18:00前",
    "regulator": "12315",
}


def lint_library(directory: Path | str) -> LintReport:
    """Load a library and check every template's rendered text for sincerity and length, beside what loading checks
    (``policy.policy_problems``: what the shop's policy does not offer).

    Each body is rendered twice, with sample values and with every fallback; both
    must score at least ``LINT_MIN_SCORE`` and be 60-300 characters, and neither
    body nor private script may contain review inducement or claim an action as
    already done (a draft is written before anything is done: it promises, with a time).
    """
    library, problems = read_library(directory, lenient=True)  # policy breaches reported beside the checks below
    if library is None:
        return LintReport(0, {}, {}, tuple(problems))
    for t in library.templates:
        complaint = t.examples[0] if t.examples else t.situation
        filled = {**_SAMPLE, "issue": f"“{complaint[:14]}”这个问题"}
        for values, against in ((filled, complaint), (PLACEHOLDERS, None)):
            text = library.render(t, values)
            result = check_sincerity(text, against, template_id=t.id)
            length = len(re.sub(r"\s", "", text))
            if not MIN_CHARS <= length <= MAX_CHARS:
                problems.append(
                    Problem(t.file, t.line, f"{t.id}: rendered body is {length} characters; keep it {MIN_CHARS}-{MAX_CHARS}")
                )
            if result.score < LINT_MIN_SCORE:
                problems.append(
                    Problem(t.file, t.line, f"{t.id}: sincerity {result.score} < {LINT_MIN_SCORE}: {'；'.join(result.findings)}")
                )
            claims = done_claims(text)
            if claims:
                problems.append(Problem(t.file, t.line, f"{t.id}: {_claimed(claims)}"))
            for label, promise, done in library.render_ticks(t, dict(values)):
                if promise not in text:
                    problems.append(Problem(t.file, t.line, f"{t.id}: tick {label}: its promise「{promise}」is not in the body"))
                if done == promise or not done_claims(done):
                    problems.append(Problem(t.file, t.line, f"{t.id}: tick {label}: done「{done}」must say it was done (已…)"))
        if t.private:
            script = library.render(t, filled, private=True)
            result = check_sincerity(script, None, public=False)
            claims = done_claims(script)
            if claims:
                problems.append(Problem(t.file, t.line, f"{t.id} (private): {_claimed(claims)}"))
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
    empty = [i for i, n in by_intent.items() if not n]
    problems += [Problem(".", 0, f"intent {i} has no templates: its complaints get no draft of their own") for i in empty]
    try:
        load_rules(Path(directory) / RULES_FILE)
    except LibraryError as e:
        problems.append(Problem(RULES_FILE, e.line, e.message))
    return LintReport(len(library.templates), by_intent, by_reason, tuple(problems))


def _claimed(claims: list[str]) -> str:
    phrases = "、".join("「" + c + "」" for c in claims)
    return f"未做的事不要写成已做：{phrases}; promise it with a time instead (今天18:00前为您…, {{{{ deadline }}}}…)"
