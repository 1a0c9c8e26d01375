"""The web application: ``create_app(settings)`` wires the engine, the log and the routers."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant import __version__, api
from assistant.config import Settings
from assistant.db import load_or_create_secret, open_db
from assistant.engine import Engine
from assistant.errors import AssistantError, Forbidden, InvalidInput, LibraryError, NotFound, StorageUnavailable, Unauthorized

log = logging.getLogger("assistant")
STATUS = {InvalidInput: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, StorageUnavailable: 503, LibraryError: 500}


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
    app.include_router(api.router)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    return app
