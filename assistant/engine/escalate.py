"""Decide whether a complaint should be taken offline, and why.

Rules live in ``replies/escalation.yaml``: per reason of the taxonomy, regular
expressions that signal it, "unless" expressions that cancel a hit when they
appear right around it ("担心爆炸" is a worry, not an explosion), a severity and
the recommended action. Repeat contacts also come from history: the shell finds
the customer's earlier unresolved replies in the outcome log and passes their
dates in, so this module stays pure.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.engine.library import compile_pattern
from assistant.engine.match import COMPLAINING
from assistant.engine.model import TrainedModel, Weighed, escalation_features
from assistant.engine.normalize import Normalized
from assistant.engine.pii import shown_as_evidence
from assistant.engine.yamlfile import LineDict, load_yaml
from assistant.errors import LibraryError
from assistant.taxonomy import COMPLAINT, PRAISE, REASONS, REPEAT_UNRESOLVED

_BEFORE, _AFTER = 12, 6


@dataclass(frozen=True)
class Rule:
    """How one escalation reason is recognised and what to do about it."""

    reason: str
    severity: int
    action: str
    patterns: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]
    grounds: tuple[re.Pattern, ...] = ()  # what the reason is about; the model alone names it only if one is in the text
    model_alone: bool = True  # whether the model may name it where none of its patterns fired


@dataclass(frozen=True)
class Reason:
    """One reason to escalate and the complaint text that shows it."""

    id: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"id": self.id, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Escalation:
    """The escalation verdict: whether, why (most severe first) and the recommended action."""

    escalate: bool
    reasons: tuple[Reason, ...]
    action: str
    severity: int

    def to_dict(self) -> dict:
        return {"escalate": self.escalate, "reasons": [r.to_dict() for r in self.reasons], "action": self.action}


def load_rules(path: Path | str) -> dict[str, Rule]:
    """Read and compile ``escalation.yaml``.

    :raises LibraryError: naming the file and line of a missing field or a bad expression
    """
    path = Path(path)
    doc = load_yaml(path)
    if not isinstance(doc, LineDict):
        raise LibraryError("expected a mapping of escalation reasons", str(path), 1)
    rules = {}
    for reason, spec in doc.items():
        line = doc.line_of(reason)
        if reason not in REASONS:
            raise LibraryError(f"unknown escalation reason '{reason}'; allowed: {', '.join(REASONS)}", str(path), line)
        if not isinstance(spec, LineDict) or not isinstance(spec.get("action"), str) or not spec.get("patterns"):
            raise LibraryError(f"'{reason}' needs 'action' text and a list of 'patterns'", str(path), line)
        compiled = {}
        for key in ("patterns", "unless", "grounds"):
            items = spec.get(key) or []
            if not isinstance(items, list):
                raise LibraryError(f"'{reason}.{key}' must be a list", str(path), spec.line_of(key))
            try:
                compiled[key] = tuple(compile_pattern(str(p)) for p in items)
            except re.error as e:
                raise LibraryError(f"'{reason}.{key}': bad regular expression: {e}", str(path), spec.line_of(key)) from None
        severity = spec.get("severity", 1)
        if not isinstance(severity, int) or isinstance(severity, bool) or severity < 1:
            raise LibraryError(f"'{reason}.severity' must be a whole number from 1 up", str(path), spec.line_of("severity"))
        model_alone = spec.get("model_alone", True)
        if not isinstance(model_alone, bool):
            raise LibraryError(f"'{reason}.model_alone' must be true or false", str(path), spec.line_of("model_alone"))
        rules[reason] = Rule(
            reason,
            severity,
            spec["action"].strip(),
            compiled["patterns"],
            compiled["unless"],
            compiled["grounds"],
            model_alone,
        )
    missing = set(REASONS) - set(rules)
    if missing:
        raise LibraryError(f"no rules for: {', '.join(sorted(missing))}", str(path), 1)
    return rules


def rule_hits(normalized: Normalized, rules: dict[str, Rule]) -> dict[str, list[str]]:
    """The escalation reasons whose patterns fire on a complaint, each with up to five matched phrases."""
    text = normalized.full
    found: dict[str, list[str]] = {}
    for rule in rules.values():
        for pattern in rule.patterns:
            for m in pattern.finditer(text):
                window = text[max(0, m.start() - _BEFORE) : m.end() + _AFTER]
                if any(u.search(window) for u in rule.unless):
                    continue
                evidence = found.setdefault(rule.reason, [])
                if m.group(0) not in evidence and len(evidence) < 5:
                    evidence.append(m.group(0))
    return found


def check_escalation(
    normalized: Normalized,
    rules: dict[str, Rule],
    model: TrainedModel | None = None,
    *,
    earlier: Sequence[str] = (),
    kind: str = COMPLAINT,
    hits: dict[str, list[str]] | None = None,
    weighed: Weighed | None = None,
) -> Escalation:
    """Find every reason to take a complaint offline, with the words that show it.

    Without a model, any rule that fires escalates. With one, a phrase that was decisive in
    the labelled complaints ("12315", "记者") escalates on its own; otherwise the model weighs
    the rules that fired together with the complaint's words: it can overrule a weak rule
    hit ("催了好几次" with no anger) and escalate on its own when no rule fired, naming
    the reason its per-reason columns rank first and the phrases that drove it.

    :param normalized: the complaint after ``normalize`` (``full`` keeps @mentions such as "@CCTV315")
    :param rules: from ``load_rules``
    :param model: the trained model, or None for the rules alone
    :param earlier: dates (YYYY-MM-DD) of earlier replies to the same customer or order that are still
        unresolved, found in the outcome log by the caller; any makes ``repeat_unresolved`` a reason (not for praise)
    :param kind: what ``recognise_kind`` found the text to be. Praise has no grievance, so a count in it
        ("第二次回购") is no repeated contact in anger (TAXONOMY), and the model alone does not escalate it;
        a rule hit of another reason still counts.
    :param hits: ``rule_hits(normalized, rules)`` when the caller has them already
    :param weighed: the text's features as the escalation model weighs them, when the caller has them
        (``TrainedModel.weigh``)
    """
    found = {r: list(w) for r, w in hits.items()} if hits is not None else rule_hits(normalized, rules)
    if kind == PRAISE:
        found.pop(REPEAT_UNRESOLVED, None)
    if model is not None and (found or kind != PRAISE):
        found = _weigh(normalized, found, model, rules, weighed)
    for day in earlier if kind != PRAISE else ():  # praise after an earlier reply is no repeated failure
        found.setdefault(REPEAT_UNRESOLVED, []).append(f"{day} 已回复过，至今未解决")
    ordered = sorted(found, key=lambda r: -rules[r].severity)
    reasons = tuple(Reason(r, tuple(found[r])) for r in ordered)
    if not reasons:
        return Escalation(False, (), "在线回复即可：按草稿真诚回应，写明处理动作和时间。", 0)
    return Escalation(True, reasons, rules[ordered[0]].action, rules[ordered[0]].severity)


def text_signals(decision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the stack reads from the escalation model's values (last axis: ``ESCALATE``, then one per reason): the
    "escalate" value and the highest per-reason value. One row at run time, every complaint's row in training."""
    return decision[..., 0], decision[..., 1:].max(axis=-1)


def escalation_probability(decision: float, reason_decision: float, reasons, stack: dict) -> float:
    """The stacked probability that a complaint should be escalated.

    :param decision: the text model's "escalate" value
    :param reason_decision: the highest of its per-reason values (how much the text reads like one particular reason)
    :param reasons: the reasons whose rules fired
    """
    z = (
        stack["bias"]
        + stack["text"] * decision
        + stack.get("reason", 0.0) * reason_decision
        + sum(stack["rules"].get(r, 0.0) for r in reasons)
    )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _weigh(
    normalized: Normalized,
    hits: dict[str, list[str]],
    model: TrainedModel,
    rules: dict[str, Rule],
    weighed: Weighed | None = None,
) -> dict[str, list[str]]:
    """The reasons the model confirms: the rule hits when it says escalate, else its own best reason with the phrases
    that drove it, else none.

    The model alone names a reason only where the text speaks of what the reason is about (its rule's ``grounds``):
    no contact with the shop or wait, no repeated failure ("买的猫粮过期两个月了" is two months past a date, not two
    months of asking). A reason with ``model_alone`` false (legal, media, privacy: a named body, platform or leak)
    is never named without a pattern of its own.
    """
    settings = model.settings["escalation"]
    if settings.get("rules_only"):  # trained without enough escalated complaints to weigh the rules
        return hits
    if weighed is None:
        weighed = model.escalation.weigh(escalation_features(normalized))
    decision = model.escalation.score(weighed)
    labels = model.escalation.labels
    decisive = set(settings.get("decisive", ()))
    text, reason = text_signals(decision)
    if not any(w in decisive for found in hits.values() for w in found) and (
        escalation_probability(float(text), float(reason), hits, settings["stack"]) < settings["threshold"]
    ):
        return {}
    if hits:
        return hits
    written = normalized  # the evidence shown is judged on the complaint as written (its word boundaries)
    if COMPLAINING.search(normalized.full):
        # TAXONOMY: "投诉" alone ("我要投诉你们") is no reason to escalate. With no rule fired, the model escalates only
        # if the complaint would still be escalated with "我要投诉你们" left out, and names the phrases that drive it then.
        # The threshold is the trained one. Whole-path cross-validation (crossval.py, through core.decide) measures
        # this guard with the rest of the run-time path.
        normalized = _without(normalized, COMPLAINING)
        weighed = model.escalation.weigh(escalation_features(normalized))
        decision = model.escalation.score(weighed)
        text, reason = text_signals(decision)
        if escalation_probability(float(text), float(reason), hits, settings["stack"]) < settings["threshold"]:
            return {}
    column = max(range(1, len(labels)), key=lambda j: decision[j])
    rule = rules.get(labels[column])
    if rule is None or not rule.model_alone or (rule.grounds and not any(g.search(written.full) for g in rule.grounds)):
        return {}
    strongest = model.escalation.strongest_of
    shown = shown_as_evidence(written.text)

    def readable(phrase: str) -> bool:  # shown as the reason's evidence: a phrase of the complaint, never its data
        return written.reads_as_words(phrase) and shown(phrase)

    phrases = strongest(weighed, column, 3, readable) or strongest(weighed, 0, 3, readable)
    # An escalation the agent cannot see a reason for is not raised: with no phrase of the complaint to show ("你们",
    # "我要"), what drove the model was the shape of a very short text. No train.jsonl figure changes (CV, seeds 0-2).
    return {labels[column]: phrases} if phrases else {}


def _without(normalized: Normalized, words: re.Pattern) -> Normalized:
    """The complaint as the escalation model reads it with ``words`` left out (a space in their place). Its
    ``boundaries`` are those of the text as written: judge phrases on that one."""
    return dataclasses.replace(
        normalized,
        full=words.sub(" ", normalized.full),
        text=words.sub(" ", normalized.text),
        tokens=tuple(t for t in normalized.tokens if not words.search(t)),
    )
