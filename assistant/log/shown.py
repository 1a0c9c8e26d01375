"""What the assistant showed for one complaint, as the draft page carries it, and the agent's verdict on it.

A reply is logged as the assistant *showed* it (``Shown``, carried by the draft page as a signed token), with the
agent's own verdict beside it (``Verdict``: the intent and escalation they confirmed or corrected). No SQL here:
``sent.log_shown`` writes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from assistant.engine.core import Suggestion
from assistant.errors import InvalidInput
from assistant.taxonomy import INTENTS, OTHER, REASONS

TOKEN_SALT = "assistant.shown-suggestion"
TOKEN_MAX_AGE = 12 * 3600  # seconds a shown suggestion may be marked as sent (a working day and then some)


class SuggestionTokenInvalid(InvalidInput):
    """A suggestion token that was not signed by this app, was changed, or belongs to someone else."""


class SuggestionTokenExpired(SuggestionTokenInvalid):
    """A suggestion token older than ``TOKEN_MAX_AGE``."""


def complaint_digest(text: str) -> str:
    """A short digest of a complaint that survives the round trip through an HTML form.

    The HTML parser turns CR LF and lone CR into LF and NUL into U+FFFD in attribute values,
    so those are canonicalised first.
    """
    canonical = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Shown:
    """What the assistant showed for one complaint: the part of a suggestion the log keeps.

    It travels with the draft page as a signed token (``seal``/``unseal``), so marking a
    draft as sent logs exactly what the agent saw, without asking the engine again.
    """

    intents: tuple[tuple[str, float], ...]  # (intent id, score), best first
    escalate: bool
    reasons: tuple[str, ...]  # escalation reason ids, as shown (most severe first)
    drafts: tuple[tuple[str, str], ...]  # (template id, text) of each draft, in order
    complaint: str = ""  # ``complaint_digest`` of the complaint the suggestion was for
    key: str = ""  # idempotency key: one suggestion is marked as sent once
    agent: str | None = None  # who it was shown to

    @classmethod
    def from_suggestion(cls, s: Suggestion, *, complaint: str | None = None, agent: str | None = None, key: str = "") -> Shown:
        return cls(
            intents=tuple((m.id, round(float(m.score), 3)) for m in s.intents),
            escalate=bool(s.escalation.escalate),
            reasons=tuple(r.id for r in s.escalation.reasons),
            drafts=tuple((d.template_id, d.text) for d in s.drafts),
            complaint=complaint_digest(s.normalized.original if complaint is None else complaint),
            key=key,
            agent=agent,
        )

    @property
    def intent(self) -> str:
        """The assistant's primary intent ("other" when it named none)."""
        return self.intents[0][0] if self.intents else OTHER

    def drafted(self, template_id: str | None) -> str | None:
        return next((text for tid, text in self.drafts if tid == template_id), None)

    def seal(self, secret: bytes) -> str:
        """A signed, timestamped, URL-safe token of this suggestion (not encrypted: it holds nothing the agent did not see)."""
        payload = {
            "i": [list(pair) for pair in self.intents],
            "e": self.escalate,
            "r": list(self.reasons),
            "d": [list(pair) for pair in self.drafts],
            "c": self.complaint,
            "k": self.key,
            "a": self.agent,
        }
        return URLSafeTimedSerializer(secret, salt=TOKEN_SALT).dumps(payload)

    @classmethod
    def unseal(cls, token: str, secret: bytes, *, max_age: int = TOKEN_MAX_AGE) -> Shown:
        """Read a token made by ``seal``.

        :raises SuggestionTokenExpired: when it is older than ``max_age`` seconds
        :raises SuggestionTokenInvalid: when it was changed or not made with ``secret``
        """
        p = _loads(token, secret, TOKEN_SALT, max_age, "the suggestion token", "ask for a new suggestion")
        try:
            return cls(
                intents=tuple((str(i), float(score)) for i, score in p["i"]),
                escalate=bool(p["e"]),
                reasons=tuple(str(r) for r in p["r"]),
                drafts=tuple((str(t), str(x)) for t, x in p["d"]),
                complaint=str(p["c"]),
                key=str(p["k"]),
                agent=p["a"],
            )
        except (KeyError, TypeError, ValueError):
            raise SuggestionTokenInvalid("the suggestion token is invalid (unknown layout)") from None

    def check(self, *, complaint: str, agent: str, template_id: str | None) -> None:
        """Refuse a token used for another complaint, by another agent, or with a template it did not show.

        :raises SuggestionTokenInvalid: naming which
        """
        if self.agent != agent:
            raise SuggestionTokenInvalid("the suggestion token was issued to another user")
        if complaint_digest(complaint) != self.complaint:
            raise SuggestionTokenInvalid("the complaint differs from the one the suggestion was made for")
        if template_id is not None and self.drafted(template_id) is None:
            raise SuggestionTokenInvalid(f"template {template_id!r} was not among the drafts of this suggestion")


PICKED_SALT = "assistant.picked-template"


@dataclass(frozen=True)
class Picked:
    """A template the agent put in place of a draft (the verdict panel's 替换草稿 after correcting the intent), filled
    from the complaint by ``POST /compose/phrase``, which hands it out as a signed token (``seal``).

    Marking that draft as sent hands the token back beside the suggestion's: the reply is logged under the template it
    came from, its edits measured against the filled text. A template id the client sends alone is never trusted.
    """

    template_id: str
    text: str  # the template filled as the page got it
    complaint: str  # ``complaint_digest`` of the complaint it was filled for
    agent: str | None

    def seal(self, secret: bytes) -> str:
        payload = {"t": self.template_id, "x": self.text, "c": self.complaint, "a": self.agent}
        return URLSafeTimedSerializer(secret, salt=PICKED_SALT).dumps(payload)

    @classmethod
    def unseal(cls, token: str, secret: bytes, *, max_age: int = TOKEN_MAX_AGE) -> Picked:
        """Read a token made by ``seal``.

        :raises SuggestionTokenExpired: when it is older than ``max_age`` seconds
        :raises SuggestionTokenInvalid: when it was changed or not made with ``secret``
        """
        p = _loads(token, secret, PICKED_SALT, max_age, "the picked template's token", "pick it again")
        try:
            return cls(template_id=str(p["t"]), text=str(p["x"]), complaint=str(p["c"]), agent=p["a"])
        except (KeyError, TypeError):
            raise SuggestionTokenInvalid("the picked template's token is invalid (unknown layout)") from None

    def check(self, *, complaint: str, agent: str, template_id: str | None) -> None:
        """Refuse a token for another complaint or agent, or sent with another template than the one it filled.

        :raises SuggestionTokenInvalid: naming which
        """
        if self.agent != agent:
            raise SuggestionTokenInvalid("the picked template's token was issued to another user")
        if complaint_digest(complaint) != self.complaint:
            raise SuggestionTokenInvalid("the complaint differs from the one the picked template was filled for")
        if template_id != self.template_id:
            raise SuggestionTokenInvalid(f"template {template_id!r} is not the one picked ({self.template_id!r})")

    def into(self, shown: Shown) -> Shown:
        """``shown`` with this template among its drafts (first, so its filled text is what the reply is measured against)."""
        return replace(shown, drafts=((self.template_id, self.text), *shown.drafts))


def _loads(token: str, secret: bytes, salt: str, max_age: int, what: str, again: str):
    """The payload of a token signed with ``salt``, or the token error naming ``what`` (and, when expired, ``again``)."""
    try:
        return URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise SuggestionTokenExpired(f"{what} is older than {max_age // 3600} hours; {again}") from None
    except BadData:
        raise SuggestionTokenInvalid(f"{what} is invalid (changed, or not issued by this server)") from None


@dataclass(frozen=True)
class Verdict:
    """The agent's own reading of a complaint: the intent and the escalation verdict they confirmed or corrected."""

    intent: str
    escalate: bool
    reasons: tuple[str, ...]


def agent_verdict(
    shown: Shown, *, intent: str | None = None, escalate: bool | None = None, reasons: list[str] | tuple[str, ...] | None = None
) -> Verdict | None:
    """The agent's verdict from what they changed; what they left out is kept as the assistant showed it.

    None when they said nothing at all (an API caller that does not review), so it is not counted as kept.
    ``escalate`` left out follows ``reasons`` when those are given; an escalation needs at least one reason.

    :raises InvalidInput: for an intent or reason outside the taxonomy, reasons without escalation, or an
        escalation without a reason
    """
    if intent is None and escalate is None and reasons is None:
        return None
    if intent is not None and intent not in INTENTS:
        raise InvalidInput(f"agent_intent {str(intent)[:40]!r} is not one of: {', '.join(INTENTS)}")
    if reasons is not None:
        unknown = [r for r in reasons if r not in REASONS]
        if unknown:
            raise InvalidInput(f"agent_reasons: {str(unknown[0])[:40]!r} is not one of: {', '.join(REASONS)}")
        reasons = tuple(dict.fromkeys(reasons))
    if escalate is None:
        escalate = bool(reasons) if reasons is not None else shown.escalate
    if not escalate:
        if reasons:
            raise InvalidInput("agent_reasons must be empty when agent_escalate is false")
        reasons = ()
    else:
        reasons = shown.reasons if reasons is None else reasons
        if not reasons:
            raise InvalidInput(f"agent_escalate is true: name at least one reason in agent_reasons ({', '.join(REASONS)})")
    return Verdict(intent or shown.intent, bool(escalate), tuple(reasons))
