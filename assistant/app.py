"""The web application: ``create_app(settings)`` wires the engine, the log, the pages and the API."""

from __future__ import annotations

import hashlib
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.middleware.sessions import SessionMiddleware

from assistant import __version__, api, pages, pages_lead
from assistant.config import ROOT, Settings
from assistant.db import load_or_create_secret, open_db
from assistant.engine import Engine
from assistant.errors import (
    AssistantError,
    Forbidden,
    InvalidInput,
    LibraryError,
    LoginRequired,
    NotFound,
    RateLimited,
    StorageUnavailable,
    Unauthorized,
)

log = logging.getLogger("assistant")
WEB = ROOT / "web"
STATUS = {
    InvalidInput: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, RateLimited: 429,
    StorageUnavailable: 503, LibraryError: 500,
}
TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到页面", 429: "操作太频繁", 500: "出错了", 503: "服务暂时不可用"}


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app; the lifespan loads the engine (unless given) and migrates the log once."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = engine or Engine.from_settings(settings)
        open_db(settings.db_path).close()
        app.state.key = load_or_create_secret(settings.secret_path)
        yield

    app = FastAPI(
        title="Reply assistant",
        version=__version__,
        description="Recognise Chinese e-commerce complaints, draft sincere replies, log outcomes, measure conversion.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.login_failures = {}
    app.state.triage_results = {}
    session_key = load_or_create_secret(settings.db_path.parent / "session.key")
    # HttpOnly is always set by Starlette's SessionMiddleware; SameSite=Lax keeps the cookie off cross-site posts.
    app.add_middleware(SessionMiddleware, secret_key=session_key.hex(), same_site="lax", max_age=12 * 3600, session_cookie="assistant_session")
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(pages_lead.router)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError):
        if isinstance(exc, LoginRequired):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        if request.url.path.startswith("/api/"):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)
        return render_error(request, status, str(exc))

    @app.exception_handler(404)
    async def not_found(request: Request, exc):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "not found"}, status_code=404)
        return render_error(request, 404, "这个地址没有页面。")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return render_error(request, 500, "服务器出了点问题，请稍后再试。")

    return app


def render_error(request: Request, status: int, message: str):
    templates = request.app.state.templates
    context = {"status": status, "title": TITLES.get(status, "出错了"), "message": message, "user": None, "csrf": ""}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


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
