"""Replying to a complaint, the way every shell does it: suggest for an agent, log what they sent, record the outcome.

The JSON API, the pages and the CLI call these functions; each one joins the engine and the
log (history in, the shown suggestion out), so no shell repeats the sequence. They take what
the shell already holds (engine, database, keys, time zone) and return engine or log values.
"""

from __future__ import annotations

import re
import secrets
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from assistant.engine.core import Engine, History, Suggestion
from assistant.engine.fields import order_number
from assistant.engine.library import PLACEHOLDERS, search_words
from assistant.engine.sincerity import check_sincerity
from assistant.errors import InvalidInput, NotFound, UnconfirmedReply
from assistant.log import outcomes, sent
from assistant.log.history import history_for
from assistant.log.history import reply as logged_reply
from assistant.log.outcomes import NOTE_CHARS
from assistant.log.sent import Logged
from assistant.log.shown import Picked, Shown, agent_verdict, complaint_digest
from assistant.taxonomy import PLATFORM_NAMES, PLATFORMS

# Suggestions are pure CPU under the GIL: more of them at once gain nothing, and every extra thread competing for
# the GIL delays the event loop (GET /healthz, the next request's parsing). Two at a time, one per core, is as fast in
# throughput and keeps the loop answering; the rest wait here without holding the GIL.
ENGINE_SLOTS = threading.BoundedSemaphore(2)


def platform_id(value: str | None) -> str | None:
    """A known platform's id from its id or one of its names; anything else as given, trimmed (None stays None)."""
    if value is None:
        return None
    folded = unicodedata.normalize("NFKC", value).replace(" ", "").lower()
    if folded in PLATFORMS:
        return folded
    return PLATFORM_NAMES.get(folded, value.strip())


def prefilled_rating(value: str | None) -> str:
    """The rating a draft page is filled in with ("1"-"5", by ``outcomes.parse_rating``'s rule), "" for none: a link's or
    a backlog row's rating it cannot read is left out, not refused (it is not what the agent typed)."""
    try:
        stars = outcomes.parse_rating(value)
    except InvalidInput:
        return ""
    return str(stars) if stars else ""


@dataclass(frozen=True)
class Fields:
    """What the agent knows about the complaint beside its text: they fill the drafts and find the history.

    ``customer`` is only the salutation the drafts use ("王女士"): many buyers share one, so it never
    identifies anyone. A returning customer is recognised by ``buyer_id`` (the platform's buyer nickname
    or ID) or ``order_id``, both kept in the log only as keyed hashes.
    """

    platform: str | None = None
    customer: str | None = None
    product: str | None = None
    order_id: str | None = None
    buyer_id: str | None = None

    def __post_init__(self):  # 「京东」 and "JD" are the platform "jd", as the draft page's choice is
        object.__setattr__(self, "platform", platform_id(self.platform))


@dataclass(frozen=True)
class Suggested:
    """A suggestion for an agent and its signed token (``Shown.seal``), which marking a draft as sent hands back."""

    suggestion: Suggestion
    shown: Shown
    token: str


def history(
    db: sqlite_utils.Database | None, fields: Fields, *, key: bytes, tz: ZoneInfo | None, conversion: dict | None = None
) -> History:
    """What the log knows about this buyer, order and platform (nothing without a log); the salutation plays no part."""
    if db is None or tz is None:
        return History()
    return history_for(
        db,
        key=key,
        tz=tz,
        customer=fields.buyer_id,
        order_id=fields.order_id,
        platform=fields.platform,
        conversion=conversion,
    )


def with_order_from(fields: Fields, complaint: str) -> Fields:
    """The fields, with the order number the complaint names when the agent gave none: a customer who types their
    order number in each complaint is recognised as returning by it, as by the 订单号 field."""
    if fields.order_id:
        return fields
    found = order_number(unicodedata.normalize("NFKC", complaint).lower())
    return replace(fields, order_id=found) if found else fields


# The longest value (characters) of each field of a reply marked as sent (the complaint's is Settings.max_chars) and of
# an outcome's note: the API's models and the pages' forms take them from here.
FIELD_CHARS = {
    "sent_text": 5000,
    "platform": 40,
    "customer": 100,
    "product": 100,
    "order_id": 64,
    "buyer_id": 100,
    "template_id": 120,
    "note": NOTE_CHARS,
}


def suggest(
    engine: Engine,
    text: str,
    fields: Fields,
    *,
    agent: str | None,
    db: sqlite_utils.Database | None = None,
    key: bytes = b"",
    tz: ZoneInfo | None = None,
    conversion: dict | None = None,
) -> Suggestion:
    """The engine's suggestion for a complaint, with the log's history when there is a log (``db`` and ``tz``).

    :raises InvalidInput: for an empty or too long complaint
    """
    fields = with_order_from(fields, text)
    past = history(db, fields, key=key, tz=tz, conversion=conversion)
    with ENGINE_SLOTS:
        return engine.suggest(
            text,
            customer=fields.customer,
            product=fields.product,
            order_id=fields.order_id,
            agent=agent,
            history=past,
        )


def suggest_for_agent(
    engine: Engine,
    db: sqlite_utils.Database,
    text: str,
    fields: Fields,
    *,
    agent: str,
    key: bytes,
    tz: ZoneInfo,
    secret: bytes,
    conversion: dict | None = None,
    signature: str | None = None,
) -> Suggested:
    """A suggestion for a signed-in agent with the log's history, and the token that logs it as shown, once.

    ``agent`` is the login name the log records; ``signature`` the name the drafts sign with (``User.signature``;
    None: the library's generic 「负责售后的客服」).
    """
    s = suggest(engine, text, fields, agent=signature, db=db, key=key, tz=tz, conversion=conversion)
    shown = Shown.from_suggestion(s, complaint=text, agent=agent, key=secrets.token_urlsafe(16))
    return Suggested(s, shown, shown.seal(secret))


@dataclass(frozen=True)
class Phrase:
    """A quick phrase: a template found by words, with its title and its preview's first sentence."""

    id: str
    title: str
    first_line: str
    group: str


def find_phrases(engine: Engine, query: str, *, limit: int = 8) -> list[Phrase]:
    """Templates whose id, title, examples, keywords or text hold every word of ``query``; title and id hits first."""
    words = search_words(query)
    found = []
    for n, t in enumerate(engine.library.templates):
        text = engine.previews[t.id][0]
        in_head = t.found_by(words, text)
        if in_head is not None:
            found.append((-in_head, n, t, text))
    found.sort(key=lambda f: f[:2])
    return [Phrase(t.id, t.situation, first_sentence(text), t.group) for _, _, t, text in found[:limit]]


def first_sentence(text: str, most: int = 60) -> str:
    """A preview line: the text's first sentence past the greeting (「您好，我是…。」), at most ``most`` characters."""
    sentences = [s for s in re.findall(r"[^。！？!?]+[。！？!?]?", text) if s.strip()]
    while len(sentences) > 1 and len(sentences[0]) <= 16 and "您好" in sentences[0]:
        sentences.pop(0)
    line = re.sub(r"^[^，。]{0,8}您好[，,]\s*", "", sentences[0].strip()) if sentences else text
    return line if len(line) <= most else line[:most] + "…"


def fill_phrase(
    engine: Engine, template_id: str, text: str, fields: Fields, *, signature: str | None, within: bool = False
) -> str:
    """A template's body filled from the complaint on the page, as drafting fills it (no history, nothing logged).

    ``within``: the phrase goes into a draft that has text already, which has greeted the customer and said who writes:
    only the phrase's own sentences, without its greeting (「王女士您好，」) and the agent's 「我是小林。」.

    :raises NotFound: for an unknown template id
    :raises InvalidInput: for a complaint over the length limit
    """
    filled = engine.fill(
        template_id, text, customer=fields.customer, product=fields.product, order_id=fields.order_id, agent=signature
    )
    return phrase_only(filled, signature or PLACEHOLDERS["agent"]) if within else filled


def pick_phrase(filled: str, template_id: str, complaint: str, *, agent: str, secret: bytes) -> str:
    """The signed token (``Picked``) of a template filled in place of a draft (替换草稿), which ``log_sent`` takes as
    ``picked``: the reply is logged under that template, which the suggestion's own token did not show."""
    return Picked(template_id, filled, complaint_digest(complaint), agent).seal(secret)


# A body's opening greeting: the salutation the complaint or the form gave (「王女士」, or none) and 您好.
_GREETING = re.compile(r"^\s*[^，。！？,.!?\s]{0,12}?[您你]好[，,！!。]\s*")


def phrase_only(filled: str, agent: str) -> str:
    """A filled template without its greeting and without 「我是<agent>」 (as a sentence 「我是小林。」 or a clause
    「…，我是小林，现在就…」): what a phrase adds to a draft that already greets and signs."""
    phrase = _GREETING.sub("", filled, count=1)
    phrase = re.sub(rf"我是{re.escape(agent)}[。，,]\s*", "", phrase)
    return phrase.strip() or filled.strip()


def log_sent(
    engine: Engine,
    db: sqlite_utils.Database,
    complaint: str,
    sent_text: str,
    fields: Fields,
    *,
    agent: str,
    key: bytes,
    tz: ZoneInfo,
    secret: bytes,
    token: str | None = None,
    template_id: str | None = None,
    picked: str | None = None,
    rating: int | None = None,
    idempotency_key: str | None = None,
    agent_intent: str | None = None,
    agent_escalate: bool | None = None,
    agent_reasons: list[str] | tuple[str, ...] | None = None,
    done: list[str] | tuple[str, ...] = (),
    conversion: dict | None = None,
    now: datetime | None = None,
    signature: str | None = None,
    confirm_send: bool = False,
    already_sent: bool = False,
) -> Logged:
    """Log the reply an agent sent, as the suggestion they worked from showed it; say what was done (its id among it).

    ``picked`` (from ``pick_phrase``, the verdict panel's 替换草稿) names a template the agent put in place of the
    draft: the reply is logged under it (``template_id`` must be it), its edits measured against its filled text.
    With ``token`` (from ``suggest_for_agent``) the shown suggestion is logged and the token's key makes
    a repeat log nothing (the same text and verdict) or put its new text or verdict in the reply (a corrected reply, a
    corrected intent; see ``sent.log_shown``); without, the engine is asked again with the log's history. ``agent_*`` is the
    agent's verdict (what they leave out is kept as shown; all None: not reviewed). ``signature`` is the name
    drafts sign with when the engine is asked again (``User.signature``; None: the library's generic one).
    A reply that scores 0 for sincerity or has a severe finding (review inducement, ``severe_problems``) is logged
    before it is sent (the draft page) only with ``confirm_send`` (its 仍然发送); one ``already_sent`` (an API client
    logs what went out on the platform) is logged all the same, so the figures count it. Either way the log keeps the
    problems it was sent with (``sent_despite``) and the answer names them (``Logged.warnings``).

    :raises UnconfirmedReply: for a reply with ``severe_problems``, neither ``confirm_send`` nor ``already_sent``
    :raises SuggestionTokenExpired: for a token older than a working day
    :raises SuggestionTokenInvalid: for a token changed, not issued here, or for another complaint, agent or template
    :raises Conflict: for a key used by another agent or for another complaint, or a correction of a reply with an outcome
    :raises InvalidInput: for an empty reply, an unknown template or a verdict outside the taxonomy
    """
    # An empty reply is not scored: the log refuses it below.
    problems = severe_problems(sent_text, complaint, template_id=template_id, done=done) if sent_text.strip() else []
    if problems and not (confirm_send or already_sent):
        raise UnconfirmedReply(problems)
    fields = with_order_from(fields, complaint)  # kept (hashed) as the 订单号 field's would be: the next contact finds it
    choice = Picked.unseal(picked, secret) if picked else None
    if choice:  # 替换草稿: the template put in place of the draft, as /compose/phrase filled and signed it
        choice.check(complaint=complaint, agent=agent, template_id=template_id)
    if token:
        shown = Shown.unseal(token, secret)
        shown = choice.into(shown) if choice else shown
        shown.check(complaint=complaint, agent=agent, template_id=template_id)  # only a template the token showed
        idempotency_key = idempotency_key or shown.key
    else:
        if template_id is not None and all(t.id != template_id for t in engine.library.templates):
            raise InvalidInput(f"template_id {template_id[:120]!r} is not a template of the library")
        s = suggest(engine, complaint, fields, agent=signature, db=db, key=key, tz=tz, conversion=conversion)
        shown = Shown.from_suggestion(s, complaint=complaint, agent=agent)
        shown = choice.into(shown) if choice else shown
    verdict = agent_verdict(shown, intent=agent_intent, escalate=agent_escalate, reasons=agent_reasons)
    logged = sent.log_shown(
        db,
        shown,
        complaint,
        sent_text,
        agent=agent,
        platform=fields.platform or "",
        key=key,
        tz=tz,
        template_id=template_id,
        customer=fields.buyer_id,
        salutation=fields.customer,
        order_id=fields.order_id,
        rating=rating,
        verdict=verdict,
        idempotency_key=idempotency_key,
        done=done,
        now=now,
        sent_despite=problems,
    )
    return replace(logged, warnings=tuple(problems))


def severe_problems(sent_text: str, complaint: str, *, template_id: str | None, done: Iterable[str]) -> list[str]:
    """Why a reply must not go out unconfirmed: its severe sincerity findings, or a score of 0; empty when it may.

    Scored as the live badge beside the draft page's button scores it (the template, the actions ticked as done).
    """
    result = check_sincerity(sent_text, complaint or None, done=done, template_id=template_id)
    severe = [f.removeprefix("严重：") for f in result.findings if f.startswith("严重：")]
    if result.score == 0:
        severe.insert(0, "真诚度只有 0 分")
    return severe


def own_reply(db: sqlite_utils.Database, reply_id: int, *, user: str, is_lead: bool) -> dict:
    """A reply the user may see: their own, or any for a lead.

    :raises NotFound: when it does not exist or is another agent's (others are reported as absent)
    """
    record = logged_reply(db, reply_id, owner=None if is_lead else user)
    if record is None:
        raise NotFound(f"回复 {reply_id} 不存在。")
    return record


def record_outcome(
    db: sqlite_utils.Database,
    reply_id: int,
    result: str,
    *,
    user: str,
    is_lead: bool,
    rating_after: int | None = None,
    note: str | None = None,
) -> int:
    """Record what happened to a reply's review (an agent only for their own replies); return the outcome id.

    :raises InvalidInput: for an unknown result
    :raises NotFound: when the reply does not exist or is another agent's
    """
    return outcomes.record_outcome(
        db, reply_id, result, by=user, rating_after=rating_after, note=note, owner=None if is_lead else user
    )
