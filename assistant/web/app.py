"""The web application: ``create_app(settings)`` wires the engine, the log, the pages and the API."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
from contextlib import asynccontextmanager
from urllib.parse import quote

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant import __version__, reporting
from assistant.config import ROOT, Settings
from assistant.engine.core import Engine
from assistant.errors import (
    AssistantError,
    Forbidden,
    InvalidInput,
    LibraryError,
    LoginRequired,
    NotFound,
    PasswordChangeRequired,
    RateLimited,
    StorageUnavailable,
    Unauthorized,
)
from assistant.log.auth import LoginLimiter, User, user_for_session
from assistant.log.db import load_or_create_secret, open_db, read_only_files
from assistant.web import api, pages, pages_backlog, pages_compose, pages_lead
from assistant.web.deps import PasswordGate, session_ids, trusted_networks
from assistant.web.messages import FIELD_LABELS, chinese, validation_errors

log = logging.getLogger("assistant")
WEB = ROOT / "web"
STATUS = {
    InvalidInput: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    RateLimited: 429,
    StorageUnavailable: 503,
    LibraryError: 422,
}
TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限",
    404: "找不到页面",
    429: "操作太频繁",
    500: "出错了",
    405: "不支持的操作",
    413: "内容太大",
    422: "填写的内容有误",
    503: "服务暂时不可用",
}


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app; the lifespan loads the engine (unless given) and migrates the log once."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        open_db(settings.db_path).close()
        app.state.library_version = reporting.library_version(settings)  # read before loading: a reload meanwhile is seen
        app.state.engine = engine or Engine.from_settings(settings)
        app.state.engine.suggest("快递一个星期还没到，客服也不回消息")  # warm lazy parts before the first agent waits
        app.state.key = load_or_create_secret(settings.secret_path)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(follow_library_reloads, app)
            yield
            tasks.cancel_scope.cancel()

    app = FastAPI(
        title="Reply assistant",
        version=__version__,
        description="Recognise Chinese e-commerce complaints, draft sincere replies, log outcomes, measure conversion.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.login_limiter = LoginLimiter(per_name=5, per_address=20, window=300)  # failed sign-ins, in the log
    app.state.password_gate = PasswordGate(slots=settings.password_checks)
    app.state.trusted_networks = trusted_networks(settings.trusted_proxies)
    session_key = app.state.signing_secret = load_or_create_secret(settings.db_path.parent / "session.key")
    # HttpOnly is always set by Starlette's SessionMiddleware; SameSite=Lax keeps the cookie off cross-site posts.
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, import_limit=settings.max_import_bytes)
    if settings.worker_header:
        app.add_middleware(WorkerHeader)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key.hex(),
        same_site="lax",
        https_only=settings.behind_https,  # Secure: the cookie never travels over plain HTTP once HTTPS is in front
        max_age=pages.SESSION_MAX_AGE,
        session_cookie="assistant_session",
    )
    app.add_middleware(SecurityHeaders, https=settings.behind_https)  # outermost: every response, 413 and errors too
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        """Browsers ask for /favicon.ico whatever the page links; the same file as web/static/favicon.ico."""
        return FileResponse(WEB / "static" / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(pages_compose.router)
    app.include_router(pages_backlog.router)
    app.include_router(pages_lead.router)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError):
        # Back to the address asked for once signed in or the password is changed: a GET's path and query
        # (/compose?text=… from the bookmarklet or a triage row, a filtered /replies); a form post is not repeated.
        query = f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
        if isinstance(exc, LoginRequired):
            return RedirectResponse("/login?next=" + quote(request.url.path + query, safe="/"), status_code=303)
        if isinstance(exc, PasswordChangeRequired):
            asked = request.url.path + query if request.method == "GET" else "/compose"
            return RedirectResponse(pages.change_password_first(asked), status_code=303)
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        if request.url.path.startswith("/api/"):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)
        return render_error(request, status, chinese(str(exc)))

    @app.exception_handler(404)
    async def not_found(request: Request, exc):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "not found"}, status_code=404)
        return render_error(request, 404, "这个地址没有页面。")

    @app.exception_handler(405)
    async def wrong_method(request: Request, exc):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "method not allowed"}, status_code=405)
        return render_error(request, 405, "这个地址不能这样访问，请从页面上的链接或按钮进入。")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        # The API answers field by field (FastAPI's type and loc, for scripts) in Chinese; a page says it in one sentence.
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": validation_errors(exc.errors())}, status_code=422)
        names = sorted(
            {FIELD_LABELS[str(e["loc"][-1])] for e in exc.errors() if e.get("loc") and str(e["loc"][-1]) in FIELD_LABELS}
        )
        fields = f"（{'、'.join(names)}）" if names else ""
        return render_error(request, 422, f"提交的内容缺了必填项或格式不对{fields}，请回到上一页检查后再试。")

    @app.exception_handler(sqlite3.Error)
    async def storage_error(request: Request, exc: sqlite3.Error):
        # A read-only, full, locked or vanished database: say so, and serve again once the cause is gone
        # (every request opens its own connection).
        # A permission fault names the files to fix: SQLite gives a new -wal/-shm the log's own mode.
        fault = read_only_files(settings.db_path)
        log.error("database error on %s %s: %s %s", request.method, request.url.path, exc, fault)
        message = f"the outcome log is unavailable: {exc}" + (f" ({fault})" if fault else "")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=503)
        # SQLite's own words go to the server log only: English, and no help to an agent
        files = f"（不可写的文件：{fault.removeprefix('read-only: ')}）" if fault else ""
        return render_error(request, 503, f"记录数据库暂时不可用{files}，请稍后再试或联系管理员。")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return render_error(request, 500, "服务器出了点问题，请稍后再试。")

    return app


RELOAD_CHECK_SECONDS = 2.0  # how often each worker looks at the library's version in the log


async def follow_library_reloads(app: FastAPI, interval: float = RELOAD_CHECK_SECONDS) -> None:
    """Reload this worker's engine when another worker has reloaded the library (its version in the log moved).

    ``assistant serve --workers N`` runs N processes; a reload request reaches one of them, which reloads
    and bumps the version (``reporting.reload_library``); the others see it within ``interval`` seconds and
    reload too, off the event loop. A library that fails to load is logged and the last good one keeps serving.
    """
    settings: Settings = app.state.settings

    def check() -> None:
        version = reporting.library_version(settings)
        if version != app.state.library_version:
            try:
                app.state.engine = reporting.reload_engine(settings)
            except LibraryError as e:
                log.error("library version %s could not be loaded, keeping the last good one: %s", version, e)
            app.state.library_version = version

    while True:
        await anyio.sleep(interval)
        try:
            await anyio.to_thread.run_sync(check)
        except (AssistantError, sqlite3.Error) as e:  # the log is unavailable for now: try again next time
            log.warning("cannot check the library version: %s", e)


class WorkerHeader:
    """Name the answering process in ``X-Assistant-Worker`` (the ``worker_header`` setting, for tests of several workers)."""

    def __init__(self, app):
        self.app, self.pid = app, str(os.getpid()).encode()

    async def __call__(self, scope, receive, send):
        async def send_with_pid(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-assistant-worker", self.pid)]
            await send(message)

        await self.app(scope, receive, send_with_pid if scope["type"] == "http" else send)


def render_error(request: Request, status: int, message: str):
    """An error page, with the navigation bar when someone is signed in (so they can go on from there)."""
    templates = request.app.state.templates
    user = _signed_in(request)
    csrf = (request.session.get("csrf") or "") if user else ""
    context = {"status": status, "title": TITLES.get(status, "出错了"), "message": message, "user": user, "csrf": csrf}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def _signed_in(request: Request) -> User | None:
    """The session's user for an error page, or None (no session, or the log cannot be read)."""
    if "session" not in request.scope or not request.session.get("user"):
        return None
    try:
        db = open_db(request.app.state.settings.db_path, migrate=False)
        try:
            return user_for_session(db, *session_ids(request.session))
        finally:
            db.close()
    except (AssistantError, sqlite3.Error):
        return None


def make_templates() -> Jinja2Templates:
    """Our own Jinja environment (autoescape on for every file) with a cache-busting ``static()`` helper."""
    env = Environment(loader=FileSystemLoader(WEB / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    hashes: dict[str, str] = {}

    def static(name: str) -> str:
        if name not in hashes:
            hashes[name] = hashlib.sha256((WEB / "static" / name).read_bytes()).hexdigest()[:12]
        return f"/static/{name}?v={hashes[name]}"

    env.globals["static"] = static
    return Jinja2Templates(env=env)


# Scripts only from this origin (the vendored htmx and web/static/app.js): no inline script, no eval, no inline
# style (htmx's indicator style is off in base.html's htmx-config; app.css has it). Nothing may frame the pages.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN and start them with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src blob:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class SecurityHeaders:
    """Security headers on every response (ASGI middleware): CSP, no framing, nosniff, Referrer-Policy, no-store.

    Pages and API answers carry complaints, replies and, once, a new password and token: none is stored by a
    browser or proxy cache (``Cache-Control: no-store``); static files keep the caching they set. Behind HTTPS,
    ``Strict-Transport-Security`` too.
    """

    def __init__(self, app, https: bool = False):
        self.app, self.https = app, https

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        csp = DOCS_CSP if path in DOCS_PATHS else CSP
        cacheable = path.startswith("/static/") or path == "/favicon.ico"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if cacheable or k.lower() != b"cache-control"]
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not cacheable:
                    headers.append((b"cache-control", b"no-store"))
                if self.https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over the limit with 413 before reading them (ASGI middleware).

    Uploads of outcome CSVs, 我的回复's sheets and backlogs (``LARGE``) get a
    larger limit. Bodies without Content-Length are counted as they stream in.
    """

    LARGE = ("/api/v1/outcomes/import", "/replies/import", "/triage")

    def __init__(self, app, default: int, import_limit: int):
        self.app, self.default, self.import_limit = app, default, import_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.import_limit if scope["path"] in self.LARGE else self.default
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _too_large(limit, send, scope["path"])
        seen, rejected = 0, False

        async def counting_receive():
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Answer 413 now and tell the app the client left; whatever it sends later is dropped.
                    rejected = True
                    await _too_large(limit, send, scope["path"])
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not rejected:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


async def _too_large(limit: int, send, path: str = "/api/") -> None:
    """413: JSON for the API, a short Chinese page for the pages (a backlog file too large to triage)."""
    if path.startswith("/api/"):
        body, media = f'{{"detail": "request body is larger than {limit} bytes"}}'.encode(), b"application/json"
    else:
        megabytes = f"{limit / 1048576:.0f} MB" if limit >= 1048576 else f"{limit // 1024} KB"
        text = f"<!doctype html><meta charset=utf-8><title>文件太大</title><p>提交的内容超过了 {megabytes} 的上限，请分批上传。"
        body, media = (text + "</p>").encode(), b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# How `assistant serve` runs uvicorn. A reverse proxy in front (the deployment notes in docs/) shields the service from
# slow clients; these bound what reaches it directly: a request's headers must arrive within HEADER_TIMEOUT seconds
# (800 connections trickling headers were all held open), in at most 16 KiB, an idle connection is closed after 5 s,
# and beyond LIMIT_CONCURRENCY connections or requests at once uvicorn answers 503 instead of queueing without end.
HEADER_TIMEOUT = 10.0
LIMIT_CONCURRENCY = 200


class HeaderDeadlineH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for a new connection's first request headers (slowloris)."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_late)

    def _headers_late(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.cancel()
        super().connection_lost(exc)


def uvicorn_options() -> dict:
    """The keyword arguments `assistant serve` gives ``uvicorn.run`` beside the app, host and port.

    Also shortens the interpreter's thread switch interval (5 ms to 1 ms): the event loop waits for the GIL
    behind the thread pool's CPU-bound suggestions, and /healthz waited up to 45 ms per switch under load.
    """
    sys.setswitchinterval(0.001)
    return {
        "http": HeaderDeadlineH11,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
        "limit_concurrency": LIMIT_CONCURRENCY,
    }
