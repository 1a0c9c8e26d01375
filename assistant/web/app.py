"""The web application: ``create_app(settings)`` wires the engine, the log, the pages and the API."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from contextlib import asynccontextmanager
from urllib.parse import quote

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from assistant import __version__, reporting
from assistant.config import ROOT, Settings
from assistant.engine.core import Engine
from assistant.errors import (
    AssistantError,
    Conflict,
    Forbidden,
    InvalidInput,
    LibraryError,
    LoginRequired,
    NotFound,
    PasswordChangeRequired,
    RateLimited,
    StorageUnavailable,
    Unauthorized,
    UnconfirmedReply,
)
from assistant.log.auth import LoginLimiter, User, user_for_session
from assistant.log.db import load_or_create_secret, open_db, read_only_files
from assistant.web import api, pages, pages_backlog, pages_compose, pages_lead, pages_triage
from assistant.web.deps import PasswordGate, session_ids, trusted_networks
from assistant.web.messages import FIELD_LABELS, SESSION_LOST, chinese, refused_request, validation_errors
from assistant.web.serving import BodyLimit, SecurityHeaders, WorkerHeader

log = logging.getLogger("assistant")
WEB = ROOT / "web"
STATUS = {  # the first class an error is an instance of gives its status
    Conflict: 409,
    UnconfirmedReply: 422,
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
    409: "与已有记录冲突",
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
    app.state.login_limiter = LoginLimiter(per_name=5, per_address=20, per_account=20, window=300)  # failed sign-ins, in the log
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
    app.include_router(pages_triage.router)
    app.include_router(pages_lead.router)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError):
        # Back to the address asked for once signed in or the password is changed: a GET's path and query
        # (/compose?text=… from the bookmarklet or a triage row, a filtered /replies); a form post is not repeated.
        query = f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
        if isinstance(exc, LoginRequired):
            # A script's request (htmx, app.js's fetch) would follow a redirect and put the login page where its answer
            # goes (inside a draft's card): it gets 401, and app.js says in that place that nothing was done.
            if _wants_json(request):
                return JSONResponse({"detail": SESSION_LOST}, status_code=401)
            if request.headers.get("hx-request"):
                return render_error(request, 401, SESSION_LOST)
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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # What Starlette or FastAPI refuse before a route runs (a form that cannot be parsed): the API keeps their
        # JSON; a page is told in Chinese, on the error page, never in English JSON.
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render_error(request, exc.status_code, refused_request(exc.status_code, str(exc.detail)))

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
    reload too, off the event loop (``follow_library_version``). Nothing ends the loop but the app's shutdown: a
    check that fails in any way is logged and tried again at the next interval.
    """
    while True:
        await anyio.sleep(interval)
        try:
            await anyio.to_thread.run_sync(follow_library_version, app)
        except (AssistantError, sqlite3.Error) as e:  # the log is unavailable for now: try again next time
            log.warning("cannot check the library version: %s", e)
        except Exception:  # a worker that stops following would serve a stale library until restarted
            log.exception("the library version check failed; trying again in %s s", interval)


def follow_library_version(app: FastAPI) -> None:
    """One check of ``follow_library_reloads``: reload the engine when the library's version in the log has moved.

    A library that fails to load, for any reason, is logged and the last good engine keeps serving; the version is
    taken as seen either way, so the next reload (which bumps it again) is tried, not this broken one every interval.

    :raises AssistantError, sqlite3.Error: when the log cannot be read (the version is then unknown)
    """
    settings: Settings = app.state.settings
    version = reporting.library_version(settings)
    if version == app.state.library_version:
        return
    try:
        app.state.engine = reporting.reload_engine(settings)
    except LibraryError as e:
        log.error("library version %s could not be loaded, keeping the last good one: %s", version, e)
    except Exception:
        log.exception("library version %s could not be loaded, keeping the last good one", version)
    app.state.library_version = version


def _wants_json(request: Request) -> bool:
    """A page's own script asking for JSON (app.js's quick phrases), not a browser asking for a page."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


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
