"""HTML pages for agents: sign in, compose (with htmx partials), my replies, backlog triage, help."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import secrets
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated
from urllib.parse import urlencode

import anyio
import sqlite_utils
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from assistant import replying
from assistant.engine import triage as batch
from assistant.engine.sincerity import check_sincerity
from assistant.errors import InvalidInput, NotFound, RateLimited
from assistant.log import export, outcomes
from assistant.log.auth import (
    PASSWORD_CHARS,
    AccountDeactivated,
    LoginLimiter,
    User,
    change_password,
    check_password,
    list_users,
    new_token,
    revoke_session,
)
from assistant.log.db import open_db
from assistant.log.outcomes import SuggestionTokenExpired, SuggestionTokenInvalid
from assistant.replying import FIELD_CHARS, Fields
from assistant.taxonomy import RESULTS
from assistant.web.deps import (
    DB,
    Conversion,
    CsrfChecked,
    EngineDep,
    Key,
    PageUser,
    SettingsDep,
    SignedInUser,
    SigningSecret,
    client_address,
)
from assistant.web.messages import FIELD_LABELS, chinese
from assistant.web.rendering import NO_STORE, render

router = APIRouter(include_in_schema=False)
SESSION_MAX_AGE = 12 * 3600  # seconds a session cookie is valid (also set on the middleware)
TOO_MANY_FAILURES = "登录失败次数太多，请5分钟后再试。"
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
async def login(request: Request, name: Text, password: Text, next: Annotated[str, Form()] = "/compose"):
    """Sign in. The limiter is asked before any password is hashed, and hashing waits for one of a few slots."""
    try:
        user = await _verified(request, name, password)
    except AccountDeactivated:
        message = "这个账号已经停用，不能再登录。如有疑问请联系组长。"
        return render(request, "login.html", {"next": _safe_next(next), "error": message}, None, status_code=403)
    if user is None:
        return render(request, "login.html", {"next": _safe_next(next), "error": "用户名或密码不对。"}, None, status_code=400)
    request.session.clear()
    request.session["user"] = user.name
    request.session["epoch"] = user.epoch
    request.session["sid"] = secrets.token_urlsafe(16)
    request.session["csrf"] = secrets.token_urlsafe(24)
    if user.must_change_password:  # a handed-out password (a lead's, or one the CLI printed): choose one's own first
        return RedirectResponse(change_password_first(_safe_next(next)), status_code=303)
    return RedirectResponse(_safe_next(next), status_code=303)


def change_password_first(next: str) -> str:
    """我的账号's address for a person who must replace a handed-out password before going on to ``next``."""
    return "/account?" + urlencode({"next": _safe_next(next)})


async def _verified(request: Request, name: str, password: str) -> User | None:
    """The user if the password is right, else None: checked like a sign-in, for the login and the password change.

    The limiter is asked before any hash is computed (and again once a slot of the bounded Argon2 gate is free);
    a wrong password counts as a failure, a right one forgets the failures.

    :raises RateLimited: when the name or the address has failed too often
    :raises AccountDeactivated: when the password is right but the account is deactivated
    """
    limiter: LoginLimiter = request.app.state.login_limiter
    db_path, address = request.app.state.settings.db_path, client_address(request)

    def refused() -> bool:
        with closing(open_db(db_path, migrate=False)) as db:
            return limiter.refused(db, address, name)

    def attempt() -> User | None:
        with closing(open_db(db_path, migrate=False)) as db:
            if limiter.refused(db, address, name):  # again: failures may have come in while this one waited
                raise RateLimited(TOO_MANY_FAILURES)
            user = check_password(db, name.strip(), password)
            (limiter.failed if user is None else limiter.succeeded)(db, address, name)
            return user

    if await anyio.to_thread.run_sync(refused):
        raise RateLimited(TOO_MANY_FAILURES)
    return await request.app.state.password_gate.run(attempt)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DB):
    """Sign out: this session's id is revoked, so a copy of the cookie stops working too."""
    sid = request.session.get("sid")
    if sid:
        revoke_session(db, sid, max_age=SESSION_MAX_AGE)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/compose", response_class=HTMLResponse)
def compose(request: Request, user: PageUser, settings: SettingsDep, text: str = "", platform: str = "taobao"):
    """The draft page; ``?text=`` pre-fills the complaint and drafts at once (bookmarklet, links from other tools)."""
    return render(request, "compose.html", {"text": text[: settings.max_chars], "platform": platform}, user)


@router.post("/compose", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_from_form(request: Request, user: PageUser, settings: SettingsDep, text: Text = "", platform: Text = "taobao"):
    """The draft page for a complaint posted from another page (批量分拣's 写回复): as ``GET /compose?text=``, for
    complaints of any length (a long one in an address is refused by the server before the page sees it)."""
    return render(request, "compose.html", {"text": text[: settings.max_chars], "platform": platform}, user)


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
    buyer_id: OptionalText = None,
    rating: OptionalText = None,
):
    """The suggestion partial: intents, highlighted complaint, escalation banner, the agent's verdict, drafts.

    What it shows travels with the drafts as a signed token, so marking one as sent logs exactly this.
    """
    fields = _fields(platform, customer, product, order_id, buyer_id)
    try:
        suggested = replying.suggest_for_agent(
            engine,
            db,
            text,
            fields,
            agent=user.name,
            signature=user.signature,
            key=key,
            tz=settings.tz,
            secret=secret,
            conversion=conversion,
        )
    except InvalidInput as e:
        return render(request, "_suggestion.html", {"error": chinese(str(e))}, user)
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


@router.get("/compose/phrases")
def compose_phrases(user: PageUser, engine: EngineDep, q: Annotated[str, Query(max_length=100)] = ""):
    """Quick phrases matching the words after ``/`` (or in the search box): id, title, first line."""
    return {"phrases": [asdict(p) for p in replying.find_phrases(engine, q)]}


@router.post("/compose/phrase", dependencies=[CsrfChecked])
def compose_phrase(
    user: PageUser,
    engine: EngineDep,
    template_id: Text,
    complaint: Text = "",
    customer: OptionalText = None,
    product: OptionalText = None,
    order_id: OptionalText = None,
):
    """One quick phrase's text filled from the complaint on the page, for the draft being edited."""
    fields = _fields(None, customer, product, order_id)
    try:
        text = replying.fill_phrase(engine, template_id, complaint, fields, signature=user.signature)
    except NotFound:
        return JSONResponse({"detail": "没有这个模板，可能模板库刚刚更新过，请重新搜索。"}, status_code=404)
    except InvalidInput as e:
        return JSONResponse({"detail": chinese(str(e))}, status_code=400)
    return {"text": text}


@router.post("/compose/sincerity", response_class=HTMLResponse, dependencies=[CsrfChecked])
def compose_sincerity(
    request: Request,
    user: PageUser,
    sent_text: Text = "",
    complaint: Text = "",
    done: OptionalList = None,
    template_id: OptionalText = None,
):
    """The live sincerity partial for the draft being edited; ``done``: the phrases of the actions the agent ticked."""
    result = (
        check_sincerity(sent_text, complaint or None, done=done or (), template_id=template_id) if sent_text.strip() else None
    )
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
    buyer_id: OptionalText = None,
    rating: OptionalText = None,
    suggestion: OptionalText = None,
    verdict: OptionalText = None,
    agent_intent: OptionalText = None,
    agent_escalate: OptionalText = None,
    agent_reasons: OptionalList = None,
    done: OptionalList = None,
    confirm_send: OptionalText = None,
):
    """Log a draft as sent, as the suggestion partial showed it, with the agent's verdict.

    ``suggestion`` is the partial's signed token: what it showed is logged, the engine is not asked
    again, and its key makes a second submit answer with the same reply (nothing new is logged).
    ``verdict`` marks a post from the verdict panel (an unticked 需要转线下 sends nothing).
    The response announces ``reply-logged`` to lists that care; a refused post answers 400 with the
    message in the draft's status line. A reply that scores 0 for sincerity or has a severe finding (review
    inducement) is logged only with ``confirm_send`` (the 仍然发送 box the refusal shows with its reasons).
    """
    template_id = _blank(template_id)
    if not sent_text.strip():
        return _sent_error(request, user, "回复内容是空的，请先写好回复再标记为已发送。")
    given = {"sent_text": sent_text, "complaint": complaint, "platform": platform, "customer": customer, "product": product}
    given |= {"order_id": order_id, "buyer_id": buyer_id, "template_id": template_id}
    for name, value in given.items():
        longest, label = FIELD_CHARS.get(name, settings.max_chars), FIELD_LABELS[name]
        if value is not None and len(value) > longest:
            return _sent_error(request, user, f"{label}最多 {longest} 个字，这次有 {len(value)} 个字，请删减后再标记为已发送。")
    if not _blank(confirm_send):
        problems = severe_problems(sent_text, complaint, template_id=template_id, done=done or ())
        if problems:
            context = {"reply_id": None, "created": False, "error": None, "confirm": problems}
            return render(request, "_sent.html", context, user, status_code=400)
    try:
        stars = outcomes.parse_rating(rating)
    except InvalidInput:
        return _sent_error(request, user, "评分只能是 1 到 5 星。")
    intent, escalate, reasons = None, None, None
    if verdict:  # the verdict panel's fields; the log checks them (agent_verdict) and says which is wrong
        intent = _blank(agent_intent)
        escalate = bool(_blank(agent_escalate))
        reasons = [r for r in (agent_reasons or []) if r] if escalate else []
    # Without a token (a draft page rendered before suggestion tokens existed, or a script) the engine is asked again.
    try:
        reply_id, created = replying.log_sent(
            engine,
            db,
            complaint,
            sent_text,
            _fields(platform, customer, product, order_id, buyer_id),
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
            done=[d for d in (done or []) if d][:20],
            conversion=conversion,
            signature=user.signature,
        )
    except SuggestionTokenExpired:
        return _sent_error(request, user, "这份草稿生成太久，已经过期，请重新生成草稿后再标记为已发送。")
    except SuggestionTokenInvalid:
        return _sent_error(request, user, "草稿校验失败（内容被改动过或不是这条投诉的草稿），请重新生成草稿后再标记为已发送。")
    except InvalidInput as e:
        return _sent_error(request, user, chinese(str(e)))
    headers = {"HX-Trigger": "reply-logged"} if created else None
    return render(request, "_sent.html", {"reply_id": reply_id, "created": created, "error": None}, user, headers=headers)


def _sent_error(request: Request, user: User, message: str):
    return render(request, "_sent.html", {"reply_id": None, "created": False, "error": message}, user, status_code=400)


def severe_problems(sent_text: str, complaint: str, *, template_id: str | None, done: Iterable[str]) -> list[str]:
    """Why a reply must not go out unconfirmed: its severe sincerity findings, or a score of 0; empty when it may.

    Scored as the live badge beside the button scores it (the template, the actions ticked as done).
    """
    result = check_sincerity(sent_text, complaint or None, done=done, template_id=template_id)
    severe = [f.removeprefix("严重：") for f in result.findings if f.startswith("严重：")]
    if result.score == 0:
        severe.insert(0, "真诚度只有 0 分")
    return severe


REPLIES_PER_PAGE = 50


@router.get("/replies", response_class=HTMLResponse)
def my_replies(
    request: Request,
    user: PageUser,
    db: DB,
    settings: SettingsDep,
    show: str = "pending",
    platform: str = "",
    intent: str = "",
    agent: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    since: str = "",
    until: str = "",
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
):
    """The agent's replies (leads: everyone's), filtered by status, platform, intent, agent, words and local dates, 50 a page."""
    errors = []
    if show not in ("pending", "all", *RESULTS):
        errors.append("结果筛选不在列表里，已显示全部。")
        show = "all"
    dates = {}
    for name, value in (("since", since), ("until", until)):
        try:
            dates[name] = date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.append(f"日期“{value[:20]}”看不懂，请用 2026-11-30 这样的格式。")
            dates[name] = None
    where = outcomes.ReplyFilter(
        agent=(_blank(agent) if user.is_lead else user.name),
        status=show,
        platform=_blank(platform),
        intent=_blank(intent),
        text=_blank(q),
        since=dates["since"],
        until=dates["until"],
    )

    def find(n: int):
        return outcomes.find_replies(db, where, tz=settings.tz, limit=REPLIES_PER_PAGE, offset=(n - 1) * REPLIES_PER_PAGE)

    rows, total = find(page)
    pages = max(1, -(-total // REPLIES_PER_PAGE))
    if page > pages:  # outcomes recorded since the link was made emptied this page: show the last one
        page = pages
        rows, total = find(page)
    kept = {"show": show, "platform": platform, "intent": intent, "agent": agent if user.is_lead else "", "q": q}
    kept |= {"since": since, "until": until}
    kept = {k: v for k, v in kept.items() if v}

    def link(n: int) -> str:
        return "/replies?" + urlencode({**kept, "page": n})

    context = {
        "rows": rows,
        "show": show,
        "filters": {"platform": platform, "intent": intent, "agent": agent, "q": q, "since": since, "until": until},
        "results": RESULTS,
        "total": total,
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "errors": errors,
        "agents": [u["name"] for u in list_users(db)] if user.is_lead else [],
    }
    return render(request, "replies.html", context, user)


@router.get("/replies/{reply_id}", response_class=HTMLResponse)
def reply_detail(request: Request, user: PageUser, db: DB, engine: EngineDep, reply_id: ReplyId):
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    context = {"r": row, "history": outcomes.outcome_history(db, reply_id), "results": RESULTS}
    return render(request, "reply.html", {**context, "template_titles": engine.library.situations}, user)


@router.post("/replies/{reply_id}/outcome", response_class=HTMLResponse, dependencies=[CsrfChecked])
def reply_outcome(
    request: Request,
    user: PageUser,
    db: DB,
    reply_id: ReplyId,
    result: OptionalText = None,
    note: OptionalText = None,
    rating_after: OptionalText = None,
):
    """Record an outcome (with an optional note and the rating after) from the list; answers with the updated row.

    Nothing is chosen in advance: a form sent without a result, or with a rating outside 1-5, is refused (400)
    with the row and a message in Chinese, and nothing is recorded.
    """
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)

    def refuse(message: str):
        context = {"r": row, "results": RESULTS, "error": message, "note": note or "", "rating_after": rating_after or ""}
        return render(request, "_reply_row.html", context, user, status_code=400)

    result = _blank(result)
    if result is None:
        return refuse("请先选择结果，再点登记。")
    try:
        stars = outcomes.parse_rating(rating_after)
    except InvalidInput:
        return refuse("之后的评分只能是 1 到 5 星。")
    if note is not None and len(note) > FIELD_CHARS["note"]:
        return refuse(f"备注最多 {FIELD_CHARS['note']} 个字。")
    try:  # the log checks the result (one of RESULTS)
        replying.record_outcome(db, reply_id, result, user=user.name, is_lead=user.is_lead, note=_blank(note), rating_after=stars)
    except InvalidInput as e:
        return refuse(chinese(str(e)))
    row = replying.own_reply(db, reply_id, user=user.name, is_lead=user.is_lead)
    return render(request, "_reply_row.html", {"r": row, "results": RESULTS}, user, headers={"HX-Trigger": "outcome-recorded"})


@router.get("/triage", response_class=HTMLResponse)
def triage_page(request: Request, user: PageUser):
    return render(request, "triage.html", _triage_context(), user)


def _triage_context(**values) -> dict:
    return {"records": None, "skipped": [], "result_id": None, "error": None, "note": None, "pasted": "", **values}


# Encodings a backlog file may come in: UTF-8 (with or without a byte-order mark), UTF-16 (with one, as Excel's
# "Unicode text" writes it), and GBK/GB18030, which Excel on a Chinese Windows writes for "CSV (逗号分隔)".
def decode_upload(raw: bytes) -> tuple[str, str] | None:
    """The text of an uploaded file and the name of the encoding it was read in; None when none fits."""
    if raw.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GBK")]
    for codec, label in candidates:
        try:
            return raw.decode(codec), label
        except UnicodeDecodeError:
            continue
    return None


def _csv_columns(content: str) -> list[str]:
    delimiter = "\t" if batch.tab_separated(content) else ","
    return next(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter), [])


# A backlog is ranked in the thread pool (never on the event loop, so /healthz and other agents are served meanwhile),
# and bounded: at most this many complaints and characters in one batch (about 10 s of engine time at the limit).
TRIAGE_MAX_ROWS = 2000
TRIAGE_MAX_CHARS = 200_000


@router.post("/triage", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def triage_run(request: Request, user: PageUser, engine: EngineDep, db: DB):
    """Rank a pasted or uploaded backlog with the same function as ``assistant triage``.

    Only the form is read here; decoding, parsing and ranking run in the thread pool. A file that cannot be
    read (encoding, no ``text`` column, no complaints) or a batch over the limits is answered on the page, in Chinese.
    """
    form = await request.form()
    upload, pasted = form.get("file"), str(form.get("text") or "")
    # request.form() gives Starlette's UploadFile (FastAPI's is a subclass of it).
    if isinstance(upload, StarletteUploadFile) and upload.filename:
        name, raw = upload.filename, await upload.read()
        # The file wins; the page says the pasted lines were left as they are, rather than dropping them unsaid.
        return await run_in_threadpool(_triage, request, user, engine, db, name, raw, "", ignored_paste=bool(pasted.strip()))
    return await run_in_threadpool(_triage, request, user, engine, db, None, b"", pasted)


def _triage(
    request: Request,
    user: User,
    engine,
    db: sqlite_utils.Database,
    name: str | None,
    raw: bytes,
    pasted: str,
    *,
    ignored_paste: bool = False,
):
    """The triage page for an uploaded file (``name`` and its bytes) or pasted lines (blocking: run in the thread pool)."""
    note = None

    def refuse(message: str):  # pasted lines stay in the box, to be cut down rather than pasted again
        return render(request, "triage.html", _triage_context(error=message, pasted=pasted), user, status_code=400)

    if name is not None:
        if FilePath(name).suffix.lower() not in (".csv", ".jsonl", ".ndjson", ".txt"):
            return refuse(f"不能分拣“{name}”：只能上传 CSV、JSONL 或 TXT 文件。Excel 表格请先另存为“CSV UTF-8”。")
        decoded = decode_upload(raw)
        if decoded is None:
            return refuse(f"读不出文件“{name}”：它不是 UTF-8、GBK 或 UTF-16 编码的文本。请在 Excel 里另存为“CSV UTF-8”后再上传。")
        content, encoding = decoded
        table = FilePath(name).suffix.lower() == ".csv" or batch.tab_separated(content)
        if table:
            columns = _csv_columns(content)
            if "text" not in columns:
                found = "、".join(c for c in columns if c) or "没有"
                return refuse(
                    f"文件“{name}”里没有 text 列（找到的列：{found}）。请把投诉内容所在的那一列的表头改成 text 再上传。"
                )
        try:
            rows, skipped = batch.parse_rows(content, name)
        except InvalidInput as e:
            return refuse(chinese(str(e)))
        note = f"已按 {encoding} 编码读取“{name}”" + ("，投诉取自 text 列。" if table else "。")
        if ignored_paste:
            note += "这次分拣的是上传的文件；文本框里粘贴的内容没有分拣，需要的话请清空文件后再提交一次。"
        if not rows and not skipped:
            return refuse(f"文件“{name}”里没有投诉（是空的，或只有表头）。")
    else:
        rows, skipped = batch.parse_rows(pasted, "pasted.txt")
        if not rows:
            return refuse("没有要分拣的投诉：请粘贴投诉（每行一条），或选择一个 CSV 文件。")
    if len(rows) > TRIAGE_MAX_ROWS:
        return refuse(f"一次最多分拣 {TRIAGE_MAX_ROWS} 条，这次有 {len(rows)} 条，请分批上传。")
    chars = sum(len(r.text) for r in rows)
    if chars > TRIAGE_MAX_CHARS:
        return refuse(f"一次最多分拣 {TRIAGE_MAX_CHARS // 10000} 万字，这次有 {chars} 字，请分批上传。")
    records, failed = batch.triage(engine, rows, agent=user.signature)
    out = io.StringIO()
    batch.write_records(records, out, "csv")
    result_id = export.keep_triage_csv(db, user.name, out.getvalue())
    skipped = [batch.Skipped(s.line, chinese(s.reason)) for s in sorted(skipped + failed, key=lambda s: s.line)]
    return render(request, "triage.html", _triage_context(records=records, skipped=skipped, result_id=result_id, note=note), user)


@router.get("/triage/{result_id}.csv")
def triage_download(user: PageUser, db: DB, result_id: str):
    text = export.triage_csv(db, result_id[:40], user.name)
    if text is None:
        raise NotFound("这份分拣结果已过期（只保留一小时），请重新分拣。")
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="triage.csv"'},
    )


def _change_password(db_path, name: str, new: str) -> int:
    with closing(open_db(db_path, migrate=False)) as db:
        return change_password(db, name, new)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: SignedInUser, next: str = "/compose"):
    """我的账号: who is signed in, a form to choose one's own password instead of the one-time one, and one to replace the
    API token.

    The one page (with signing out) open to a person still on a handed-out password; ``next`` is where they
    go once it is changed.
    """
    return render(request, "account.html", _account_context(next), user)


def _account_context(next: str, **values) -> dict:
    return {"done": None, "error": None, "token": None, "next": _safe_next(next), **values}


@router.post("/account/password", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def account_password(
    request: Request, user: SignedInUser, current: Text, new: Text, repeat: Text, next: Annotated[str, Form()] = "/compose"
):
    """Change one's own password: the current one is checked like a sign-in (limited, bounded Argon2), other sessions end.

    A person who had to change a handed-out password goes on to ``next`` (a local path) at once.
    """
    shortest, longest = PASSWORD_CHARS

    def refuse(message: str):
        return render(request, "account.html", _account_context(next, error=message), user, status_code=400)

    if new != repeat:
        return refuse("两次输入的新密码不一样，请重新输入。")
    if not shortest <= len(new) <= longest:
        return refuse(f"新密码要 {shortest} 到 {longest} 个字符。")
    if new == current:
        return refuse("新密码和现在的密码一样，请换一个。")
    if await _verified(request, user.name, current) is None:
        return refuse("现在的密码不对。")
    epoch = await anyio.to_thread.run_sync(_change_password, request.app.state.settings.db_path, user.name, new)
    request.session["epoch"] = epoch
    if user.must_change_password:
        return RedirectResponse(_safe_next(next), status_code=303)
    done = "密码已修改。其他设备上的登录已经失效，需要用新密码重新登录。"
    return render(request, "account.html", _account_context(next, done=done), user)


@router.post("/account/token", response_class=HTMLResponse, dependencies=[CsrfChecked])
def account_token(request: Request, user: PageUser, db: DB):
    """A new API token for one's own account, shown once (no-store); the old one stops working at once.

    Takes ``PageUser``: a session still on a handed-out password chooses its own password first, like for every
    other page but 我的账号 itself.
    """
    token = new_token(db, user.name)
    return render(request, "account.html", _account_context("/compose", token=token), user, headers=NO_STORE)


@router.get("/help", response_class=HTMLResponse)
def help_page(request: Request, user: PageUser, settings: SettingsDep):
    origin = settings.origin  # a setting, never the request's Host header (which any client may set)
    bookmarklet = (
        # The selection in the address: at most 1,500 characters (1,500 Chinese characters take 13.5 kB encoded; the
        # server refuses an address over 16 kB before the page sees it)
        "javascript:(()=>{const t=String(getSelection()).trim().slice(0,1500);"
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


def _fields(
    platform: str | None, customer: str | None, product: str | None, order_id: str | None, buyer_id: str | None = None
) -> Fields:
    return Fields(
        platform=platform or None,
        customer=_blank(customer),
        product=_blank(product),
        order_id=_blank(order_id),
        buyer_id=_blank(buyer_id),
    )


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _safe_next(target: str) -> str:
    """Only local paths: a login link must not send the user to another site."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/compose"
