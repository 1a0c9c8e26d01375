"""HTML pages for agents: sign in, compose (with htmx partials), my replies, backlog triage, help."""

from __future__ import annotations

import io
import json
import re
import secrets
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant import replying
from assistant.engine import triage as batch
from assistant.engine.sincerity import check_sincerity
from assistant.errors import InvalidInput, NotFound, RateLimited
from assistant.log import outcomes
from assistant.log.auth import LoginThrottle, User, check_password, revoke_session
from assistant.log.outcomes import SuggestionTokenExpired, SuggestionTokenInvalid
from assistant.replying import Fields
from assistant.taxonomy import INTENTS, REASONS, RESULTS
from assistant.web.deps import DB, Conversion, CsrfChecked, EngineDep, Key, PageUser, SettingsDep, SigningSecret
from assistant.web.rendering import render

router = APIRouter(include_in_schema=False)
SESSION_MAX_AGE = 12 * 3600  # seconds a session cookie is valid (also set on the middleware)
Text = Annotated[str, Form()]
OptionalText = Annotated[str | None, Form()]
OptionalList = Annotated[list[str] | None, Form()]
ReplyId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # SQLite's integer range


@router.get("/", response_class=HTMLResponse)
def home(user: PageUser):
    return RedirectResponse("/compose", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/compose"):
    return render(request, "login.html", {"next": _safe_next(next), "error": None}, None)


@router.post("/login", response_class=HTMLResponse, dependencies=[CsrfChecked])
def login(request: Request, db: DB, name: Text, password: Text, next: Annotated[str, Form()] = "/compose"):
    throttle: LoginThrottle = request.app.state.login_throttle
    attempt = (request.client.host if request.client else "", name)
    if throttle.blocked(attempt):
        raise RateLimited("登录失败次数太多，请5分钟后再试。")
    user = check_password(db, name.strip(), password)
    if user is None:
        throttle.failed(attempt)
        return render(request, "login.html", {"next": _safe_next(next), "error": "用户名或密码不对。"}, None, status_code=400)
    throttle.succeeded(attempt)
    request.session.clear()
    request.session["user"] = user.name
    request.session["sid"] = secrets.token_urlsafe(16)
    request.session["csrf"] = secrets.token_urlsafe(24)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DB):
    """Sign out: this session's id is revoked, so a copy of the cookie stops working too."""
    sid = request.session.get("sid")
    if sid:
        revoke_session(db, sid, max_age=SESSION_MAX_AGE)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/compose", response_class=HTMLResponse)
def compose(request: Request, user: PageUser, text: str = "", platform: str = "taobao"):
    """The draft page; ``?text=`` pre-fills the complaint (bookmarklet, links from other tools)."""
    return render(request, "compose.html", {"text": text[:5000], "platform": platform}, user)


@router.post("/compose/suggest", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_suggest(
    request: Request,
    user: PageUser,
    engine: EngineDep,
    db: DB,
    key: Key,
    settings: SettingsDep,
    conversion: Conversion,
    secret: SigningSecret,
    text: Text,
    platform: OptionalText = None,
    customer: OptionalText = None,
    product: OptionalText = None,
    order_id: OptionalText = None,
    rating: OptionalText = None,
):
    """The suggestion partial: intents, highlighted complaint, escalation banner, the agent's verdict, drafts.

    What it shows travels with the drafts as a signed token, so marking one as sent logs exactly this.
    """
    fields = _fields(platform, customer, product, order_id)
    try:
        suggested = replying.suggest_for_agent(
            engine, db, text, fields, agent=user.name, key=key, tz=settings.tz, secret=secret, conversion=conversion
        )
    except InvalidInput as e:
        return render(request, "_suggestion.html", {"error": str(e)}, user)
    s = suggested.suggestion
    words = [w for m in s.intents for w in m.matched]
    context = {
        "s": s,
        "segments": highlight(text, words),
        "complaint": text,
        "fields": asdict(fields),
        "rating": rating if rating in ("1", "2", "3", "4", "5") else "",
        "error": None,
        "shown": suggested.shown,
        "token": suggested.token,
    }
    return render(request, "_suggestion.html", context, user)


@router.post("/compose/sincerity", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_sincerity(request: Request, user: PageUser, sent_text: Text = "", complaint: Text = ""):
    """The live sincerity partial for the draft being edited."""
    result = check_sincerity(sent_text, complaint or None) if sent_text.strip() else None
    return render(request, "_sincerity.html", {"sincerity": result}, user)


@router.post("/compose/sent", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_sent(
    request: Request,
    user: PageUser,
    engine: EngineDep,
    db: DB,
    key: Key,
    settings: SettingsDep,
    conversion: Conversion,
    secret: SigningSecret,
    complaint: Text,
    sent_text: Text,
    platform: Text,
    template_id: OptionalText = None,
    customer: OptionalText = None,
    product: OptionalText = None,
    order_id: OptionalText = None,
    rating: OptionalText = None,
    suggestion: OptionalText = None,
    verdict: OptionalText = None,
    agent_intent: OptionalText = None,
    agent_escalate: OptionalText = None,
    agent_reasons: OptionalList = None,
):
    """Log a draft as sent, as the suggestion partial showed it, with the agent's verdict.

    ``suggestion`` is the partial's signed token: what it showed is logged, the engine is not asked
    again, and its key makes a second submit answer with the same reply (nothing new is logged).
    ``verdict`` marks a post from the verdict panel (an unticked 需要转线下 sends nothing).
    The response announces ``reply-logged`` to lists that care; a refused post answers 400 with the
    message in the draft's status line.
    """
    template_id = _blank(template_id)
    if not sent_text.strip():
        return _sent_error(request, user, "回复内容是空的，请先写好回复再标记为已发送。")
    try:
        stars = outcomes.parse_rating(rating)
    except InvalidInput:
        return _sent_error(request, user, "评分只能是 1 到 5 星。")
    intent, escalate, reasons = None, None, None
    if verdict:  # the verdict panel's fields, checked here so the message can say which
        intent = _blank(agent_intent)
        escalate = bool(_blank(agent_escalate))
        reasons = [r for r in (agent_reasons or []) if r] if escalate else []
        if intent is not None and intent not in INTENTS:
            return _sent_error(request, user, "问题类型不在分类表里，请从列表里选一个。")
        if any(r not in REASONS for r in reasons):
            return _sent_error(request, user, "转线下原因不在分类表里，请从列表里勾选。")
        if escalate and not reasons:
            return _sent_error(request, user, "勾选了“需要转线下”，请至少勾选一个原因。")
    # Without a token (a draft page rendered before suggestion tokens existed, or a script) the engine is asked again.
    try:
        reply_id, created = replying.log_sent(
            engine,
            db,
            complaint,
            sent_text,
            _fields(platform, customer, product, order_id),
            agent=user.name,
            key=key,
            tz=settings.tz,
            secret=secret,
            token=suggestion or None,
            template_id=template_id,
            rating=stars,
            agent_intent=intent,
            agent_escalate=escalate,
            agent_reasons=reasons,
            conversion=conversion,
        )
    except SuggestionTokenExpired:
        return _sent_error(request, user, "这份草稿生成太久，已经过期，请重新生成草稿后再标记为已发送。")
    except SuggestionTokenInvalid:
        return _sent_error(request, user, "草稿校验失败（内容被改动过或不是这条投诉的草稿），请重新生成草稿后再标记为已发送。")
    except InvalidInput as e:
        return _sent_error(request, user, str(e))
    headers = {"HX-Trigger": "reply-logged"} if created else None
    return render(request, "_sent.html", {"reply_id": reply_id, "created": created, "error": None}, user, headers=headers)


def _sent_error(request: Request, user: User, message: str):
    return render(request, "_sent.html", {"reply_id": None, "created": False, "error": message}, user, status_code=400)


@router.get("/replies", response_class=HTMLResponse)
def my_replies(request: Request, user: PageUser, db: DB, show: str = "pending"):
    """The agent's replies awaiting an outcome (or all recent ones); leads see everyone's."""
    rows = outcomes.replies_of(db, agent=None if user.is_lead else user.name, pending=show == "pending")
    return render(request, "replies.html", {"rows": rows, "show": show, "results": RESULTS}, user)


@router.get("/replies/{reply_id}", response_class=HTMLResponse)
def reply_detail(request: Request, user: PageUser, db: DB, reply_id: ReplyId):
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    return render(request, "reply.html", {"r": row, "history": outcomes.outcome_history(db, reply_id), "results": RESULTS}, user)


@router.post("/replies/{reply_id}/outcome", response_class=HTMLResponse, dependencies=[CsrfChecked])
def reply_outcome(
    request: Request,
    user: PageUser,
    db: DB,
    reply_id: ReplyId,
    result: Text,
    note: OptionalText = None,
    rating_after: OptionalText = None,
):
    """Record an outcome from the list; answers with the updated row."""
    replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    replying.record_outcome(
        db,
        reply_id,
        result,
        user=user.name,
        is_lead=user.is_lead,
        note=_blank(note),
        rating_after=outcomes.parse_rating(rating_after),
    )
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    return render(request, "_reply_row.html", {"r": row, "results": RESULTS}, user, headers={"HX-Trigger": "outcome-recorded"})


@router.get("/triage", response_class=HTMLResponse)
def triage_page(request: Request, user: PageUser):
    return render(request, "triage.html", {"records": None, "skipped": [], "result_id": None}, user)


@router.post("/triage", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def triage_run(request: Request, user: PageUser, engine: EngineDep):
    """Rank a pasted or uploaded backlog with the same function as ``assistant triage``."""
    form = await request.form()
    upload, pasted = form.get("file"), str(form.get("text") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("上传的文件不是 UTF-8 编码，请在 Excel 里另存为“CSV UTF-8”。") from None
        rows, skipped = batch.parse_rows(content, upload.filename)
    else:
        rows, skipped = batch.parse_rows(pasted, "pasted.txt")
    if len(rows) > 2000:
        raise InvalidInput("一次最多分拣 2000 条，请分批上传。")
    records, failed = batch.triage(engine, rows)
    store: dict = request.app.state.triage_results
    result_id = secrets.token_urlsafe(8)
    store[result_id] = (user.name, records)
    while len(store) > 50:
        store.pop(next(iter(store)))
    context = {"records": records, "skipped": sorted(skipped + failed, key=lambda s: s.line), "result_id": result_id}
    return render(request, "triage.html", context, user)


@router.get("/triage/{result_id}.csv")
def triage_download(request: Request, user: PageUser, result_id: str):
    owner, records = request.app.state.triage_results.get(result_id, (None, None))
    if records is None or owner != user.name:
        raise NotFound("这份分拣结果已过期，请重新分拣。")
    out = io.StringIO()
    out.write("\ufeff")
    batch.write_records(records, out, "csv")
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="triage.csv"'},
    )


@router.get("/help", response_class=HTMLResponse)
def help_page(request: Request, user: PageUser):
    origin = str(request.base_url).rstrip("/")
    bookmarklet = (
        "javascript:(()=>{const t=String(getSelection()).trim();"
        f"window.open({json.dumps(origin + '/compose?text=')}+encodeURIComponent(t),'_blank')}})()"
    )
    return render(request, "help.html", {"bookmarklet": bookmarklet, "origin": origin}, user)


def highlight(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, matched) pieces for the matched words (case-insensitive), for <mark>."""
    words = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not words:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        if m.start() > last:
            out.append((text[last : m.start()], False))
        out.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


def _fields(platform: str | None, customer: str | None, product: str | None, order_id: str | None) -> Fields:
    return Fields(platform=platform or None, customer=_blank(customer), product=_blank(product), order_id=_blank(order_id))


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _safe_next(target: str) -> str:
    """Only local paths: a login link must not send the user to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/compose"
