"""FastAPI dependencies: the engine, one database connection per request, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import sqlite_utils
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.auth import User, user_for_token
from assistant.config import Settings
from assistant.db import open_db
from assistant.engine import Engine
from assistant.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="The API token printed by `assistant users add`.")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_db(request: Request) -> Iterator[sqlite_utils.Database]:
    db = open_db(request.app.state.settings.db_path, migrate=False)
    try:
        yield db
    finally:
        db.close()


def get_key(request: Request) -> bytes:
    return request.app.state.key


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
DB = Annotated[sqlite_utils.Database, Depends(get_db)]
Key = Annotated[bytes, Depends(get_key)]


def current_user(db: DB, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
    if credentials is None:
        raise Unauthorized("missing API token: send 'Authorization: Bearer TOKEN'")
    user = user_for_token(db, credentials.credentials)
    if user is None:
        raise Unauthorized("invalid API token")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def lead_user(user: CurrentUser) -> User:
    if not user.is_lead:
        raise Forbidden("this needs a lead account")
    return user


Lead = Annotated[User, Depends(lead_user)]
