"""The JSON API under /api/v1 (contracts in shared/DESIGN.md) and GET /healthz."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from assistant import replying, reporting
from assistant.engine import triage
from assistant.engine.normalize import strip_surrogates
from assistant.errors import InvalidInput
from assistant.log import worksheet
from assistant.log.export import export_file
from assistant.log.outcomes import parse_rating
from assistant.log.stats import weekly_stats
from assistant.replying import FIELD_CHARS, Fields
from assistant.taxonomy import INTENTS, REASONS, RESULTS
from assistant.web.deps import DB, Conversion, CurrentUser, EngineDep, Key, Lead, SettingsDep, SigningSecret
from assistant.web.rendering import download

router = APIRouter()
v1 = "/api/v1"


def _stars(value: str | int | float | None) -> int | None:
    """A rating by ``outcomes.parse_rating``'s rule (the pages' and sheets' too), refused as a validation error (422)."""
    try:
        return parse_rating(value)  # whatever the JSON held: parse_rating refuses what is not a rating
    except InvalidInput as e:
        raise PydanticCustomError("rating", "{reason}", {"reason": str(e)}) from None


def _said(value: str) -> str:
    """A text field that must say something, refused as a validation error (422) when it is only spaces: it passed
    ``min_length`` and was stored empty (REVIEW13 #8: a reply logged on the platform "")."""
    if not value.strip():
        raise PydanticCustomError("blank", "only whitespace")
    return value


Said = Annotated[str, AfterValidator(_said)]
Rating = Annotated[
    int | None, BeforeValidator(_stars), Field(description="Star rating, 1-5", json_schema_extra={"minimum": 1, "maximum": 5})
]
Salutation = Field(
    default=None,
    max_length=FIELD_CHARS["customer"],
    description="How the drafts address the customer (王女士); only a salutation, not an identity",
)
BuyerId = Field(
    default=None,
    max_length=FIELD_CHARS["buyer_id"],
    description="The platform's buyer nickname or ID: with order_id, what finds a returning customer (kept hashed)",
)
if TYPE_CHECKING:  # the Literals below are built from the taxonomy at run time; a type checker sees their base type
    IntentId: TypeAlias = str
    ReasonId: TypeAlias = str
    ResultId: TypeAlias = str
else:
    IntentId = Literal[tuple(INTENTS)]  # the taxonomy's intent ids (shared/eval/TAXONOMY.md)
    ReasonId = Literal[tuple(REASONS)]  # the taxonomy's escalation reason ids
    ResultId = Literal[RESULTS]  # the taxonomy's outcome results
TOKEN_HEADER = "X-Suggestion-Token"


class Body(BaseModel):
    """A request body whose text fields lose lone surrogates (valid JSON, but not storable text)."""

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value):
        return strip_surrogates(value) if isinstance(value, str) else value


class SuggestIn(Body):
    text: str = Field(description="The complaint as pasted")
    platform: str | None = Field(default=None, max_length=FIELD_CHARS["platform"])
    customer: str | None = Salutation
    buyer_id: str | None = BuyerId
    product: str | None = Field(default=None, max_length=FIELD_CHARS["product"])
    order_id: str | None = Field(default=None, max_length=FIELD_CHARS["order_id"])
    rating: Rating = None


class ReplyIn(Body):
    complaint: str
    sent_text: str = Field(max_length=FIELD_CHARS["sent_text"])
    platform: Said = Field(min_length=1, max_length=FIELD_CHARS["platform"])
    template_id: str | None = Field(default=None, max_length=FIELD_CHARS["template_id"])
    customer: str | None = Salutation
    buyer_id: str | None = BuyerId
    product: str | None = Field(
        default=None,
        max_length=FIELD_CHARS["product"],
        description="As sent to POST /api/v1/suggest: without a suggestion token the drafts are written again with it",
    )
    order_id: str | None = Field(default=None, max_length=FIELD_CHARS["order_id"])
    rating: Rating = None
    suggestion: str | None = Field(
        default=None,
        max_length=32000,
        description=f"The {TOKEN_HEADER} header of the POST /api/v1/suggest answer the agent worked from: the reply is "
        "logged as that suggestion showed it (intents, escalation, drafts), as one reply: the token is also its idempotency "
        "key (see idempotency_key)",
    )
    idempotency_key: Said | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="A key of the caller's choosing (or the Idempotency-Key header). A second request with it answers "
        "with the first reply's id and logs no new reply: with the same sent_text it changes nothing (Idempotent-Replayed: "
        "true); with another sent_text for the same complaint and platform, by the same agent within 12 hours and before an "
        "outcome is recorded, it replaces the first reply's text (Idempotent-Replayed: updated). The key reused by another "
        "agent, for another complaint or platform, or with a new text once an outcome is recorded is refused with 409",
    )
    agent_intent: IntentId | None = Field(
        default=None, description="The primary intent the agent settled on, when they reviewed it"
    )
    agent_escalate: bool | None = Field(default=None, description="The agent's escalation verdict, when they reviewed it")
    agent_reasons: list[ReasonId] | None = Field(
        default=None, max_length=len(REASONS), description="The agent's escalation reasons (at least one when escalating)"
    )
    done: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=20,
        description="The past-tense sentences of the actions the agent has done (a draft's ticks, `done`): "
        "the stored sincerity score does not count them as claims of what nobody did",
    )
    confirm_send: bool | None = Field(
        default=None,
        description="The draft page's 仍然发送, accepted for clients that send it (null is false). The API logs a reply "
        "that was sent: one that scores 0 for sincerity or asks for or rewards a review change is logged all the same, "
        "flagged, and the answer's warnings name its problems in Chinese",
    )


class OutcomeIn(Body):
    result: ResultId
    rating_after: Rating = None
    note: str | None = Field(default=None, max_length=FIELD_CHARS["note"])


@router.get("/healthz", tags=["meta"])
async def healthz(request: Request) -> dict:
    """Liveness check (no authentication), with the version of the reply library this process serves.

    Answered on the event loop, never queued behind the thread pool's work.
    """
    return {"status": "ok", "library_version": request.app.state.library_version}


@router.post(
    f"{v1}/suggest",
    tags=["replies"],
    responses={
        200: {
            "headers": {
                TOKEN_HEADER: {
                    "description": "A signed token of this suggestion, for POST /api/v1/replies `suggestion`",
                    "schema": {"type": "string"},
                }
            }
        }
    },
)
def suggest(
    body: SuggestIn,
    user: CurrentUser,
    engine: EngineDep,
    db: DB,
    key: Key,
    settings: SettingsDep,
    conversion: Conversion,
    secret: SigningSecret,
    response: Response,
) -> dict:
    """Recognise a complaint, decide on escalation and draft replies.

    The answer's ``X-Suggestion-Token`` header, passed back as ``suggestion`` when the reply is logged,
    makes the log hold exactly this suggestion, once.
    """
    fields = Fields(
        platform=body.platform, customer=body.customer, product=body.product, order_id=body.order_id, buyer_id=body.buyer_id
    )
    suggested = replying.suggest_for_agent(
        engine,
        db,
        body.text,
        fields,
        agent=user.name,
        signature=user.signature,
        key=key,
        tz=settings.tz,
        secret=secret,
        conversion=conversion,
    )
    response.headers[TOKEN_HEADER] = suggested.token
    return suggested.suggestion.to_dict()


@router.post(f"{v1}/replies", status_code=201, tags=["replies"])
def log_reply(
    body: ReplyIn,
    user: CurrentUser,
    engine: EngineDep,
    db: DB,
    key: Key,
    settings: SettingsDep,
    conversion: Conversion,
    secret: SigningSecret,
    response: Response,
    idempotency_header: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> dict:
    """Log a reply the agent sent, with the agent's intent and escalation verdict when they reviewed them.

    With ``suggestion`` the reply is logged as that suggestion showed it; without, the assistant is asked
    again (with the log's history). With an idempotency key (``idempotency_key``, the ``Idempotency-Key``
    header, or the suggestion's own), a repeat answers with the first reply's id, logs nothing, and
    carries ``Idempotent-Replayed: true``; a repeat with another ``sent_text`` or another verdict (a corrected reply
    or intent, by the same agent within 12 hours) puts it in the first reply instead and carries
    ``Idempotent-Replayed: updated``. The key reused by another agent or for another complaint, or a correction of a
    reply whose outcome is recorded, is refused with 409 and the first reply is kept as it is. The answer is
    ``{"id", "warnings"}``: a reply that scores 0 for sincerity or induces a review change was already sent, so it is
    logged (the figures count it) and flagged in the log, ``warnings`` naming its problems in Chinese (empty when none).
    """
    idempotency_key = body.idempotency_key
    if idempotency_header is not None and idempotency_header.strip():
        if idempotency_key is not None and idempotency_key != idempotency_header.strip():
            raise InvalidInput("the Idempotency-Key header and the idempotency_key field differ")
        idempotency_key = idempotency_header.strip()
    logged = replying.log_sent(
        engine,
        db,
        body.complaint,
        body.sent_text,
        Fields(
            platform=body.platform, customer=body.customer, product=body.product, order_id=body.order_id, buyer_id=body.buyer_id
        ),
        agent=user.name,
        key=key,
        tz=settings.tz,
        secret=secret,
        token=body.suggestion,
        template_id=body.template_id,
        rating=body.rating,
        idempotency_key=idempotency_key,
        agent_intent=body.agent_intent,
        agent_escalate=body.agent_escalate,
        agent_reasons=body.agent_reasons,
        done=body.done,
        conversion=conversion,
        signature=user.signature,
        confirm_send=bool(body.confirm_send),
        already_sent=True,  # the API logs what went out on the platform: flagged, never dropped
    )
    if logged.action != "created":
        response.headers["Idempotent-Replayed"] = "true" if logged.action == "repeated" else "updated"
    return {"id": logged.id, "warnings": list(logged.warnings)}


@router.post(f"{v1}/replies/{{reply_id}}/outcome", status_code=201, tags=["outcomes"])
def record_outcome(reply_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: OutcomeIn, user: CurrentUser, db: DB) -> dict:
    """Record what happened to the review; supersedes an earlier outcome. Agents may change only their own replies."""
    outcome_id = replying.record_outcome(
        db, reply_id, body.result, user=user.name, is_lead=user.is_lead, rating_after=body.rating_after, note=body.note
    )
    return {"id": outcome_id, "reply_id": reply_id, "result": body.result}


@router.post(f"{v1}/outcomes/import", tags=["outcomes"])
async def import_outcomes(request: Request, user: Lead, db: DB) -> dict:
    """Import outcomes from a CSV body (reply_id,result[,rating_after][,note]); a bad row refuses the whole body.

    Answers how many were recorded (``imported``), how many rows asked for the outcome their reply already has
    (``unchanged``: not recorded again), and the rows passed over because their reply got another outcome after the
    sheet was downloaded (``skipped``, each with its line, reply id and reason)."""
    decoded = triage.decode(await request.body())
    if decoded is None:
        raise InvalidInput("the CSV body is not UTF-8, UTF-16 or GBK text")
    content = decoded[0]
    # Parsing, checking and writing thousands of rows is blocking work: the thread pool, never the event loop.
    done = await run_in_threadpool(worksheet.import_outcomes, db, content, by=user.name)
    skipped = [{"line": p.line, "reply_id": p.reply_id, "message": p.message} for p in done.skipped]
    return {"imported": done.recorded, "unchanged": done.unchanged, "skipped": skipped}


@router.get(f"{v1}/stats/weekly", tags=["statistics"])
def weekly(user: Lead, db: DB, week: str = Query(description="ISO week, e.g. 2026-W47")) -> dict:
    """Review-conversion statistics of one ISO week (cohort: replies sent that week)."""
    return weekly_stats(db, week).to_dict()


@router.get(f"{v1}/export", tags=["statistics"])
def export(
    user: Lead,
    db: DB,
    engine: EngineDep,
    settings: SettingsDep,
    week: str = Query(description="ISO week, e.g. 2026-W47"),
    format: Literal["csv", "xlsx"] = "csv",
    table: Literal["figures", "rows"] = Query(default="figures", description="CSV only: the figures or the replies"),
) -> Response:
    """Download a week's statistics (and, in XLSX, its replies, with Chinese names and local times)."""
    return download(*export_file(db, week, format, table, template_titles=engine.library.situations, tz=settings.tz))


@router.post(f"{v1}/library/reload", tags=["library"])
def reload_library(request: Request, user: Lead, settings: SettingsDep) -> dict:
    """Reload the reply library from disk; on an error the last good library keeps serving."""
    engine, version = reporting.reload_library(settings)
    request.app.state.engine, request.app.state.library_version = engine, version
    return {"templates": len(engine.library.templates), "model": engine.model_summary(), "version": version}
