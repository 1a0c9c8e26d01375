"""The engine: one complaint in, intents, escalation and drafts out.

``Engine.from_settings`` builds the expensive parts once (the library, the jieba
segmenter, the keyword evidence index, the escalation rules, the trained model);
``Engine.suggest`` runs the stages in the order the data moves (normalise, match,
escalate, draft) and never touches a database: what it needs from history is
passed in by the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.config import Settings
from assistant.engine.draft import Draft, draft_replies, fill_template
from assistant.engine.escalate import Escalation, Rule, check_escalation, load_rules, rule_hits
from assistant.engine.evidence import Evidence, EvidenceIndex
from assistant.engine.fields import extract_fields, placeholder_values
from assistant.engine.library import Library, Template
from assistant.engine.load import POLICY_FILE, RULES_FILE, load_library
from assistant.engine.match import IntentMatch, recognise
from assistant.engine.model import TrainedModel
from assistant.engine.normalize import FOREIGN, HONG_KONG, SIMPLIFIED, TAIWAN, Normalized, Segmenter, normalize
from assistant.engine.sincerity import Sincerity, check_sincerity
from assistant.errors import InvalidInput, LibraryError, NotFound
from assistant.taxonomy import COMPLAINT, SAFETY

MODEL_FILE = "model.npz"  # the trained model, kept in the library folder it was trained with
SCRIPT_NOTES = {
    TAIWAN: "顾客用的是繁体字，草稿已转成繁体（台湾用字）。",
    HONG_KONG: "顾客用的是繁体字，草稿已转成繁体（香港用字）。",
    FOREIGN: "这段文字不是中文。回复库只有中文模板，助手看不懂具体问题，不给针对性的草稿：请人工阅读后，用顾客的语言回复。",
}


@dataclass(frozen=True)
class History:
    """What the outcome log knows about this customer or order; found by the caller, never by the engine."""

    earlier: tuple[str, ...] = ()  # dates of earlier unresolved replies to this customer or order
    recent: tuple[str, ...] = ()  # reply texts that must not be sent again (same customer or order, same platform today)
    conversion: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # (converted, known) per template id


@dataclass(frozen=True)
class Suggestion:
    """Everything the assistant has to say about one complaint."""

    normalized: Normalized
    intents: tuple[IntentMatch, ...]
    escalation: Escalation
    drafts: tuple[Draft, ...]
    kind: str = COMPLAINT  # or "praise", "question": not a complaint, answered without an apology
    note: str | None = None  # for the agent: the drafts' script, or why there are none

    def to_dict(self) -> dict:
        """The JSON contract of ``assistant suggest --json`` and ``POST /api/v1/suggest``."""
        out = {
            "kind": self.kind,
            "intents": [m.to_dict() for m in self.intents],
            "escalation": self.escalation.to_dict(),
            "drafts": [d.to_dict() for d in self.drafts],
        }
        if self.normalized.script != SIMPLIFIED:  # Traditional (drafts converted) or not Chinese (no drafts)
            out["script"] = self.normalized.script
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Decision:
    """What the assistant decides about one text before drafting: what it is, its intents and the escalation."""

    kind: str  # COMPLAINT, or "praise", "question": not a complaint
    intents: tuple[IntentMatch, ...]  # best first
    escalation: Escalation


def decide(
    normalized: Normalized,
    index: EvidenceIndex,
    rules: dict[str, Rule],
    model: TrainedModel | None,
    *,
    earlier: Sequence[str] = (),
    evidence: Evidence | None = None,
) -> Decision:
    """Recognise a text's intents and kind and decide on escalation, with every run-time guard.

    The one path from a normalised text to intents and escalation: ``Engine.suggest`` calls it, and so does
    ``assistant train``'s cross-validation (``crossval.py``) with each fold's model, so the figures it prints are
    those of the service, guards included (a text that only says "我要投诉你们" names no cause; praise is not
    escalated by the model alone; a text to take offline is a complaint whatever else it asks or praises).

    :param earlier: dates of earlier unresolved replies to this customer or order (``check_escalation``)
    :param evidence: the text's keyword evidence when the caller has it already (``recognise``)
    """
    hits = rule_hits(normalized, rules)
    intents, weighed = model.weigh(normalized) if model is not None else (None, None)  # both models' features at once
    recognition = recognise(normalized, index, model, evidence=evidence, hazard=SAFETY in hits, weighed=intents)
    escalation = check_escalation(normalized, rules, model, earlier=earlier, kind=recognition.kind, hits=hits, weighed=weighed)
    # Whatever else it asks or praises, a text to take offline (a threat, an injury) is a complaint.
    kind = COMPLAINT if escalation.escalate else recognition.kind
    return Decision(kind, recognition.intents, escalation)


class Engine:
    """The reply assistant's pure core; build once, call ``suggest`` many times."""

    def __init__(
        self,
        library: Library,
        segmenter: Segmenter,
        index: EvidenceIndex,
        rules: dict[str, Rule],
        settings: Settings,
        model: TrainedModel | None = None,
        library_digest: str | None = None,
    ):
        self.library = library
        self.segmenter = segmenter
        self.index = index
        self.rules = rules
        self.settings = settings
        self.model = model
        self.library_digest = library_digest  # library_hash of the files loaded, taken once when they were read

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Engine:
        """Load the library, rules and model; initialise jieba with the library's words; build the evidence index.

        The model is ``model.npz`` in the library folder; without one the rules work alone.

        :raises LibraryError: when a library file or the model file is missing, unreadable or malformed (names the
            file; a file that vanishes while it is read, as an editor saving by renaming can make it, is named too)
        """
        settings = settings or Settings()
        try:
            library = load_library(settings.replies_dir)
            rules = load_rules(settings.replies_dir / RULES_FILE)
            digest = library_hash(settings.replies_dir)
        except (OSError, UnicodeError) as e:  # the readers name what they know; this is the rest
            raise LibraryError("cannot read the file", str(getattr(e, "filename", None) or settings.replies_dir)) from None
        segmenter = Segmenter(library.dictionary_words(), cache_dir=settings.cache_dir)
        model_path = settings.replies_dir / MODEL_FILE
        model = TrainedModel.load(model_path, f"{settings.replies_dir.name}/{MODEL_FILE}") if model_path.exists() else None
        index = EvidenceIndex.build(library, segmenter)
        return cls(library, segmenter, index, rules, settings, model, digest)

    def model_summary(self) -> dict | None:
        """What the loaded model was trained on and its cross-validated figures; None without a model.

        ``top1``, ``top3`` and the escalation ``precision`` and ``recall`` are the whole path's (``cross_validation``
        "whole_path"): each labelled complaint decided through ``decide`` as the service decides it, run-time guards
        included, by a model fitted without it. A model file trained before ``assistant train`` recorded those gives the
        model-level figures instead (``cross_validation`` "model_level"), which leave the guards out.
        ``library_changed`` is true when the library's files differ from those it was trained on:
        retrain (``assistant train``) so new templates and examples count.
        """
        if self.model is None:
            return None
        meta = self.model.meta
        whole_path = meta.get("whole_path")
        figures = whole_path if isinstance(whole_path, dict) else meta
        return {
            "data": meta.get("data", []),
            "cross_validation": "whole_path" if figures is whole_path else "model_level",
            **{k: figures.get(k) for k in ("top1", "top3", "precision", "recall")},
            **{k: meta.get(k) for k in ("n_labelled", "n_corrections")},
            "library_changed": meta.get("library_hash") not in (None, self.library_digest),
        }

    def suggest(
        self,
        text: str,
        *,
        customer: str | None = None,
        product: str | None = None,
        order_id: str | None = None,
        agent: str | None = None,
        history: History = History(),
        now: datetime | None = None,
    ) -> Suggestion:
        """Recognise a complaint, decide on escalation and draft replies.

        :param text: the complaint as pasted (Simplified or Traditional, any width)
        :param customer, product, order_id, agent: known fields; they win over what the text names
        :param history: what the outcome log knows (repeat contacts, texts already sent, measured conversion)
        :param now: the current time (for deadlines); defaults to now in the configured time zone
        :raises InvalidInput: for empty or over-long text
        """
        check_text(text, self.settings.max_chars)
        normalized = normalize(text, self.segmenter)
        decision = decide(normalized, self.index, self.rules, self.model, earlier=history.earlier)
        matches, escalation, kind = list(decision.intents), decision.escalation, decision.kind
        now = now or datetime.now(ZoneInfo(self.settings.week_timezone))
        given = {"customer": customer, "product": product, "order_id": order_id, "agent": agent}
        values = placeholder_values(extract_fields(normalized, matches, self.library), given, now)
        drafts = draft_replies(
            matches,
            escalation,
            self.library,
            values,
            normalized=normalized,
            recent=history.recent,
            conversion=history.conversion,
            kind=kind,
        )
        note = SCRIPT_NOTES.get(normalized.script)
        if normalized.script == FOREIGN:
            drafts = []  # the library is Chinese: no draft pretending to answer what it cannot read
        elif normalized.script != SIMPLIFIED:
            drafts = [self._in_script(d, normalized.script) for d in drafts]
        return Suggestion(normalized, tuple(matches), escalation, tuple(drafts), kind, note)

    def _in_script(self, draft: Draft, script: str) -> Draft:
        """A draft written in the complaint's Traditional script; its sincerity was checked in Simplified."""
        convert = partial(self.segmenter.to_script, script=script)
        ticks = tuple(replace(t, promise=convert(t.promise), done=convert(t.done)) for t in draft.ticks)
        private = convert(draft.private) if draft.private else None
        return replace(draft, text=convert(draft.text), private=private, ticks=ticks)

    def fill(
        self,
        template_id: str,
        text: str = "",
        *,
        customer: str | None = None,
        product: str | None = None,
        order_id: str | None = None,
        agent: str | None = None,
        now: datetime | None = None,
    ) -> str:
        """One template's body filled from a complaint as drafting fills it (salutation, product, the quoted grievance).

        A quick phrase the agent picked by hand; with no complaint text the fallback wording fills the placeholders.

        :raises NotFound: for a template id the library does not have
        :raises InvalidInput: for a complaint over the length limit
        """
        template = self.templates_by_id.get(template_id)
        if template is None:
            raise NotFound(f"template {template_id!r} not found")
        now = now or datetime.now(ZoneInfo(self.settings.week_timezone))
        given = {"customer": customer, "product": product, "order_id": order_id, "agent": agent}
        if not text.strip():
            return self.library.render(template, placeholder_values({}, given, now))
        check_text(text, self.settings.max_chars)
        normalized = normalize(text, self.segmenter)
        matches = list(decide(normalized, self.index, self.rules, self.model).intents)
        values = placeholder_values(extract_fields(normalized, matches, self.library), given, now)
        filled = fill_template(self.library, template, values, normalized=normalized, matches=matches)
        if normalized.script in (SIMPLIFIED, FOREIGN):
            return filled
        # In the complaint's Traditional script, as its drafts are; the quote is the customer's own words again.
        return self.segmenter.to_script(filled, script=normalized.script)

    @cached_property
    def templates_by_id(self) -> dict[str, Template]:
        return {t.id: t for t in self.library.templates}

    @cached_property
    def previews(self) -> dict[str, tuple[str, Sincerity]]:
        """Each template drafted for its own first example phrasing (a sample complaint), and that draft's sincerity.

        What the library page shows, so a preview reads like a real draft; worked out once per engine (about 0.1 s).
        """
        now = datetime(2026, 1, 5, 10, 0)  # a fixed morning, so the preview's deadline reads the same every day
        out = {}
        for t in self.library.templates:
            sample = t.examples[0] if t.examples else ""
            text = self.fill(t.id, sample, now=now)
            out[t.id] = (text, check_sincerity(text, sample or None, template_id=t.id))
        return out


def library_hash(directory: Path) -> str:
    """SHA-256 over a reply library's text files (templates, rules, words): what a model was trained with. Not the
    shop's policy: what it offers and sells changes the drafts, not what the model learns, so a lead who sets
    ``shop_kind`` is not told to retrain."""
    h = hashlib.sha256()
    files = (p for p in Path(directory).rglob("*") if p.is_file() and p.suffix in (".yaml", ".txt"))
    for path in sorted(p for p in files if p != Path(directory) / POLICY_FILE):
        h.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def check_text(text: str, max_chars: int) -> None:
    """Refuse what cannot be a complaint: empty, whitespace only, or longer than ``max_chars``.

    :raises InvalidInput: with a one-line reason
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("complaint text is empty")
    if len(text) > max_chars:
        raise InvalidInput(f"complaint text is {len(text)} characters; the limit is {max_chars}")
