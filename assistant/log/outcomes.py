"""The outcome log: replies sent and what happened to the review afterwards.

A reply is stored with its complaint and texts redacted and its customer and
order references as keyed hashes. Outcomes are appended: a later outcome
supersedes the earlier one (kept, marked ``superseded``) and becomes the
reply's current outcome. The history the engine needs (earlier unresolved
replies, texts already sent) is read here and handed to ``Engine.suggest``.

A reply is logged as the assistant *showed* it (``Shown``, carried by the draft
page as a signed token), with the agent's own verdict beside it (``Verdict``:
the intent and escalation they confirmed or corrected). ``corrections`` turns
the corrected ones into training records; an idempotency key makes a second
"mark as sent" of the same suggestion log nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from rapidfuzz import fuzz

from assistant.engine.core import History, Suggestion
from assistant.engine.sincerity import check_sincerity
from assistant.errors import InvalidInput, NotFound
from assistant.log.db import all_or_nothing, insert, write_transaction
from assistant.log.redact import keyed_hash, redact
from assistant.log.stats import iso_week, template_conversion
from assistant.taxonomy import INTENTS, OTHER, REASONS, RESOLVED, RESULT_LABELS, RESULTS


def parse_rating(value: str | int | None) -> int | None:
    """A star rating 1-5 from a form or CSV cell ("" or None means unknown).

    :raises InvalidInput: for anything else ("²" and "10**20" included)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text not in ("1", "2", "3", "4", "5"):
        raise InvalidInput(f"rating {text[:20]!r} is not 1-5")
    return int(text)


REPEAT_WINDOW_DAYS = 30


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
        serializer = URLSafeTimedSerializer(secret, salt=TOKEN_SALT)
        try:
            p = serializer.loads(token, max_age=max_age)
        except SignatureExpired:
            raise SuggestionTokenExpired(
                f"the suggestion token is older than {max_age // 3600} hours; ask for a new suggestion"
            ) from None
        except BadData:
            raise SuggestionTokenInvalid("the suggestion token is invalid (changed, or not issued by this server)") from None
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


def log_reply(
    db: sqlite_utils.Database,
    suggestion: Suggestion,
    sent_text: str,
    *,
    agent: str,
    platform: str,
    key: bytes,
    tz: ZoneInfo,
    template_id: str | None = None,
    customer: str | None = None,
    order_id: str | None = None,
    rating: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a sent reply to a suggestion the engine just made and return its id (see ``log_shown``)."""
    reply_id, _ = log_shown(
        db,
        Shown.from_suggestion(suggestion),
        suggestion.normalized.original,
        sent_text,
        agent=agent,
        platform=platform,
        key=key,
        tz=tz,
        template_id=template_id,
        customer=customer,
        order_id=order_id,
        rating=rating,
        now=now,
    )
    return reply_id


def log_shown(
    db: sqlite_utils.Database,
    shown: Shown,
    complaint: str,
    sent_text: str,
    *,
    agent: str,
    platform: str,
    key: bytes,
    tz: ZoneInfo,
    template_id: str | None = None,
    customer: str | None = None,
    salutation: str | None = None,
    order_id: str | None = None,
    rating: int | None = None,
    verdict: Verdict | None = None,
    idempotency_key: str | None = None,
    done: Sequence[str] = (),
    now: datetime | None = None,
) -> tuple[int, bool]:
    """Record a sent reply as the assistant showed it, with the agent's verdict; return (id, created).

    :param shown: what the assistant showed (intents, escalation, drafts)
    :param complaint: the complaint as pasted (stored redacted)
    :param sent_text: the text the agent actually sent
    :param template_id: the draft the agent started from (default: the first draft)
    :param verdict: the agent's intent and escalation verdict (None: not reviewed)
    :param idempotency_key: when a reply with this key exists, its id is returned and nothing is written
    :param customer: who the customer is (the platform's buyer nickname or ID, never a salutation such as
        "王女士"), stored as ``customer_ref``, a keyed hash
    :param salutation: how the drafts addressed the customer ("王女士"): masked in every stored text
    :param key: the HMAC key for customer and order references
    :param done: the past-tense sentences of the actions the agent ticked as done: the stored sincerity score does
        not count them as claims of what nobody did
    :raises InvalidInput: for an empty reply, or a key already used by another agent
    """
    if not sent_text or not sent_text.strip():
        raise InvalidInput("sent_text is empty")
    now = now or datetime.now(UTC)
    if template_id is None and shown.drafts:
        template_id = shown.drafts[0][0]
    drafted = shown.drafted(template_id)
    sent = sent_text.strip()
    record = {
        "sent_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "week": iso_week(now, tz),
        "agent": agent,
        "platform": redact(platform),
        "intent": shown.intent,
        "intents": json.dumps([i for i, _ in shown.intents]),
        "intent_scores": json.dumps([score for _, score in shown.intents]),
        "escalate": int(shown.escalate),
        "reasons": json.dumps(list(shown.reasons)),
        "template_id": template_id,
        "complaint": redact(complaint, salutation=salutation),
        "drafted_text": redact(drafted, salutation=salutation) if drafted else None,
        "sent_text": redact(sent, salutation=salutation),
        "edit_ratio": round(1 - fuzz.ratio(drafted, sent) / 100, 3) if drafted else None,
        "sincerity": check_sincerity(sent_text, complaint, done=done, template_id=template_id).score,
        "customer_ref": keyed_hash(customer, key),
        "order_ref": keyed_hash(order_id, key),
        "rating": rating,
        "agent_intent": verdict.intent if verdict else None,
        "agent_escalate": int(verdict.escalate) if verdict else None,
        "agent_reasons": json.dumps(list(verdict.reasons)) if verdict else None,
        "idempotency_key": idempotency_key or None,
    }
    if not idempotency_key:
        return insert(db, "replies", record), True
    with all_or_nothing(db):
        row = db.execute("select id, agent from replies where idempotency_key = ?", [idempotency_key]).fetchone()
        if row:
            if row[1] != agent:
                raise InvalidInput("idempotency_key is already used by another agent's reply; use a new key")
            return row[0], False
        return insert(db, "replies", record), True


def corrections(db: sqlite_utils.Database) -> list[dict]:
    """Training records (TAXONOMY format) of every reply whose agent changed the intent or the escalation verdict.

    The text is the stored (redacted) complaint; intent, escalate and reasons are the agent's
    (what they left as shown is the assistant's, which they confirmed). Oldest first.
    """
    out = []
    rows = db.execute(
        "select id, complaint, intent, escalate, reasons, agent_intent, agent_escalate, agent_reasons from replies "
        "where agent_intent is not null and (agent_intent is not intent or agent_escalate is not escalate "
        "or agent_reasons is not reasons) order by id"
    )
    for reply_id, text, intent, escalate, reasons, agent_intent, agent_escalate, agent_reasons in rows:
        shown_reasons = json.loads(reasons or "[]")
        agent_escalate = bool(escalate) if agent_escalate is None else bool(agent_escalate)
        agent_reasons = shown_reasons if agent_reasons is None else json.loads(agent_reasons)
        if agent_intent == intent and agent_escalate == bool(escalate) and set(agent_reasons) == set(shown_reasons):
            continue  # the same reasons in another order
        out.append(
            {
                "id": f"reply-{reply_id}",
                "text": text,
                "intent": agent_intent,
                "secondary": [],
                "escalate": agent_escalate,
                "reasons": agent_reasons,
            }
        )
    return out


def record_outcome(
    db: sqlite_utils.Database,
    reply_id: int,
    result: str,
    *,
    by: str,
    rating_after: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    owner: str | None = None,
) -> int:
    """Record what happened to a reply's review; it supersedes any earlier outcome, which is kept.

    :param owner: when given, only a reply sent by this agent may be changed (others look absent)
    :raises InvalidInput: for an unknown result
    :raises NotFound: when the reply does not exist (or belongs to another agent)
    """
    if result not in RESULTS:
        raise InvalidInput(f"result must be one of: {', '.join(RESULTS)}")
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    with all_or_nothing(db):
        row = db.execute("select agent from replies where id = ?", [reply_id]).fetchone()
        if not row or (owner is not None and row[0] != owner):
            raise NotFound(f"reply {reply_id} not found")
        db.execute("update outcomes set superseded = 1 where reply_id = ? and superseded = 0", [reply_id])
        outcome = {
            "reply_id": reply_id,
            "result": result,
            "rating_after": rating_after,
            "note": redact(note) if note else note,  # a note may name a phone, an address, an ID number
            "recorded_by": by,
            "recorded_at": stamp,
            "superseded": 0,
        }
        outcome_id = insert(db, "outcomes", outcome)
        db.execute(
            "update replies set outcome = ?, outcome_at = ?, rating_after = ? where id = ?",
            [result, stamp, rating_after, reply_id],
        )
    return outcome_id


def outcome_history(db: sqlite_utils.Database, reply_id: int) -> list[dict]:
    """Every outcome recorded for a reply, oldest first."""
    return list(db.table("outcomes").rows_where("reply_id = ?", [reply_id], order_by="id"))


@dataclass(frozen=True)
class ReplyFilter:
    """What 我的回复 shows: whose replies, which status, platform, words and local dates (all optional).

    ``status`` is "pending" (no outcome yet), "all", or one of ``RESULTS`` (the current outcome); ``text``
    is searched in the complaint and the sent reply; ``since`` and ``until`` are local dates, both included.
    """

    agent: str | None = None
    status: str = "all"
    platform: str | None = None
    intent: str | None = None
    text: str | None = None
    since: date | None = None
    until: date | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_replies(
    db: sqlite_utils.Database, where: ReplyFilter, *, tz: ZoneInfo, limit: int = 50, offset: int = 0
) -> tuple[list[dict], int]:
    """A page of the replies ``where`` selects, newest first, and how many it selects in all.

    :raises InvalidInput: for a status that is neither "pending", "all" nor a result
    """
    clauses, params = ["1 = 1"], []
    if where.agent is not None:
        clauses.append("agent = ?")
        params.append(where.agent)
    if where.status == "pending":
        clauses.append("outcome is null")
    elif where.status in RESULTS:
        clauses.append("outcome = ?")
        params.append(where.status)
    elif where.status != "all":
        raise InvalidInput(f"status must be pending, all or one of: {', '.join(RESULTS)}")
    if where.platform:
        clauses.append("platform = ?")
        params.append(where.platform)
    if where.intent:
        clauses.append("intent = ?")
        params.append(where.intent)
    if where.text and where.text.strip():
        clauses.append("(complaint like ? escape '\\' or sent_text like ? escape '\\')")
        params += [_like(where.text.strip())] * 2
    if where.since is not None:
        clauses.append("sent_at >= ?")
        params.append(_utc_midnight(where.since, tz))
    if where.until is not None:
        clauses.append("sent_at < ?")
        params.append(_utc_midnight(where.until + timedelta(days=1), tz))
    condition = " and ".join(clauses)
    total = db.execute(f"select count(*) from replies where {condition}", params).fetchone()[0]
    query = f"select {_WITH_NOTE} from replies where {condition} order by id desc limit ? offset ?"
    return list(db.query(query, [*params, limit, offset])), total


# A reply row with the note of its current outcome (``outcome_note``), as the lists show it beside the result.
_WITH_NOTE = (
    "replies.*, (select note from outcomes where outcomes.reply_id = replies.id and outcomes.superseded = 0"
    " order by outcomes.id desc limit 1) as outcome_note"
)


def _utc_midnight(day: date, tz: ZoneInfo) -> str:
    """The UTC time stamp (as stored in ``sent_at``) of the start of a local day."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).isoformat(timespec="seconds")


def reply(db: sqlite_utils.Database, reply_id: int, *, owner: str | None = None) -> dict | None:
    """One reply as stored, or None when it does not exist (or, with ``owner``, belongs to another agent)."""
    record = next(db.query(f"select {_WITH_NOTE} from replies where id = ?", [reply_id]), None)
    if record is None or (owner is not None and record["agent"] != owner):
        return None
    return record


def earlier_unresolved(
    db: sqlite_utils.Database, *, customer_ref: str | None, order_ref: str | None, now: datetime, tz: ZoneInfo
) -> list[str]:
    """Dates (YYYY-MM-DD, local) of replies to the same customer or order in the last 30 days not yet resolved."""
    refs = [(col, ref) for col, ref in (("customer_ref", customer_ref), ("order_ref", order_ref)) if ref]
    if not refs:
        return []
    since = (now - timedelta(days=REPEAT_WINDOW_DAYS)).astimezone(UTC).isoformat(timespec="seconds")
    where = " or ".join(f"{col} = ?" for col, _ in refs)
    placeholders = ", ".join("?" for _ in RESOLVED)
    rows = db.execute(
        f"select sent_at from replies where ({where}) and sent_at >= ? "
        f"and (outcome is null or outcome not in ({placeholders})) order by sent_at",
        [ref for _, ref in refs] + [since, *RESOLVED],
    ).fetchall()
    return sorted({datetime.fromisoformat(r[0]).astimezone(tz).date().isoformat() for r in rows})


def recent_texts(
    db: sqlite_utils.Database,
    *,
    customer_ref: str | None,
    order_ref: str | None,
    platform: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> list[str]:
    """Texts already sent to this customer or order (ever), or on this platform today (local day)."""
    clauses, params = [], []
    for col, ref in (("customer_ref", customer_ref), ("order_ref", order_ref)):
        if ref:
            clauses.append(f"{col} = ?")
            params.append(ref)
    if platform:
        local = now.astimezone(tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        clauses.append("(platform = ? and sent_at >= ?)")
        params += [platform, start.isoformat(timespec="seconds")]
    if not clauses:
        return []
    return [r[0] for r in db.execute(f"select sent_text from replies where {' or '.join(clauses)}", params)]


def history_for(
    db: sqlite_utils.Database,
    *,
    key: bytes,
    tz: ZoneInfo,
    customer: str | None,
    order_id: str | None,
    platform: str | None,
    now: datetime | None = None,
    conversion: dict | None = None,
) -> History:
    """What the log knows for ``Engine.suggest``: earlier unresolved dates, texts already sent, conversion.

    :param customer: the buyer's identity (platform nickname or ID) as ``log_shown`` stored it, never a salutation

    :param conversion: per-template conversion already at hand (the web app caches it); queried if None
    """
    now = now or datetime.now(UTC)
    customer_ref, order_ref = keyed_hash(customer, key), keyed_hash(order_id, key)
    return History(
        earlier=tuple(earlier_unresolved(db, customer_ref=customer_ref, order_ref=order_ref, now=now, tz=tz)),
        recent=tuple(recent_texts(db, customer_ref=customer_ref, order_ref=order_ref, platform=platform, now=now, tz=tz)),
        conversion=conversion if conversion is not None else template_conversion(db),
    )


@dataclass(frozen=True)
class ImportProblem:
    """One bad row of an outcome import."""

    line: int
    message: str


class ImportRejected(InvalidInput):
    """An outcome import had bad rows; nothing was changed."""

    def __init__(self, errors: list[ImportProblem]):
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"line {first.line}: {first.message}{more}; nothing was imported")


# The columns of an outcome import by the names a file may give them: the API's and the CLI's ids, or the Chinese
# headers of 我的回复's worksheet (``export.worksheet_csv``), which an agent or a lead fills in with Excel.
IMPORT_HEADERS = {"编号": "reply_id", "结果": "result", "之后的评分": "rating_after", "备注": "note"}
_RESULT_BY_LABEL = {label: key for key, label in RESULT_LABELS.items()}  # a result may be given as the pages name it


def _import_reader(content: str) -> csv.DictReader:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    if reader.fieldnames:
        reader.fieldnames = [IMPORT_HEADERS.get(name.strip(), name.strip()) for name in reader.fieldnames]
    return reader


def _existing_ids(db: sqlite_utils.Database, content: str, agent: str | None) -> set[int]:
    """The reply ids among the file's ``reply_id`` cells that exist (and are ``agent``'s, if given), looked up in
    chunks, not the whole log."""
    wanted = set()
    try:
        for record in _import_reader(content):
            value = (record.get("reply_id") or "").strip()
            if value.isascii() and value.isdigit() and len(value) < 19:
                wanted.add(int(value))
    except csv.Error:
        pass  # reported with its line by the caller's own pass over the file
    ids = sorted(wanted)
    found: set[int] = set()
    mine = "" if agent is None else " and agent = ?"
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = f"select id from replies where id in ({', '.join('?' * len(chunk))}){mine}"
        found.update(r[0] for r in db.execute(query, [*chunk, *([] if agent is None else [agent])]))
    return found


MAX_IMPORT_ROWS = 20_000  # rows of one outcome import (about 10 s of checking and writing at the limit)


def import_outcomes(
    db: sqlite_utils.Database, content: str, *, by: str, agent: str | None = None, now: datetime | None = None
) -> int:
    """Import outcomes from CSV (``reply_id,result[,rating_after][,note]``), all or nothing.

    Every row is validated before anything is written. The columns may also be named as 我的回复's worksheet names
    them (``IMPORT_HEADERS``) and a result as the pages name it (「已改好评」); a row with no result, rating or note
    is one left blank in the worksheet, and is passed over.

    :param agent: when given, only this agent's replies may be named (another's is "not found", as on the pages)

    :returns: the number of outcomes recorded
    :raises ImportRejected: listing every bad row with its line; the log is unchanged
    """
    lines = content.count("\n")
    if lines > MAX_IMPORT_ROWS + 1:
        raise ImportRejected([ImportProblem(1, f"the file has {lines} lines; import at most {MAX_IMPORT_ROWS} rows at a time")])
    reader = _import_reader(content)
    missing = {"reply_id", "result"} - set(reader.fieldnames or [])
    if missing:
        raise ImportRejected([ImportProblem(1, f"missing column(s): {', '.join(sorted(missing))}")])
    rows, errors = [], []
    known = _existing_ids(db, content, agent)
    line = 1
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as e:
            errors.append(ImportProblem(reader.line_num, f"unreadable CSV: {e}"))
            break
        line_start, line = line + 1, reader.line_num
        if not any((record.get(column) or "").strip() for column in ("result", "rating_after", "note")):
            continue
        try:
            reply_id = int((record.get("reply_id") or "").strip())
        except ValueError:
            errors.append(ImportProblem(line_start, f"reply_id {record.get('reply_id')!r} is not a number"))
            continue
        result = (record.get("result") or "").strip()
        result = _RESULT_BY_LABEL.get(result, result)
        if reply_id not in known:
            errors.append(ImportProblem(line_start, f"reply {reply_id} not found"))
            continue
        if not result:  # a rating or a note, but no result: said as such, not as an unknown result ''
            errors.append(ImportProblem(line_start, "a rating or note without a result"))
            continue
        if result not in RESULTS:
            errors.append(ImportProblem(line_start, f"result {result!r} is not one of: {', '.join(RESULTS)}"))
            continue
        try:
            rating = parse_rating(record.get("rating_after"))
        except InvalidInput as e:
            errors.append(ImportProblem(line_start, f"rating_after: {e}"))
            continue
        rows.append((reply_id, result, rating, (record.get("note") or "").strip() or None))
    if errors:
        raise ImportRejected(errors)
    with write_transaction(db):
        for reply_id, result, rating, note in rows:
            record_outcome(db, reply_id, result, by=by, rating_after=rating, note=note, now=now)
    return len(rows)
