"""FastAPI dependencies: the engine, one database connection per request, the signed-in user; the pages' form fields."""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

import anyio
import sqlite_utils
from fastapi import Depends, Form, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import FormData

from assistant.config import Settings
from assistant.engine.core import Engine
from assistant.errors import Forbidden, LoginRequired, PasswordChangeRequired, RateLimited, Unauthorized
from assistant.log.auth import User, user_for_session, user_for_token
from assistant.log.db import open_db
from assistant.log.stats import template_conversion

# The pages' form fields (the API takes JSON models instead)
Text = Annotated[str, Form()]
OptionalText = Annotated[str | None, Form()]
OptionalList = Annotated[list[str] | None, Form()]
ReplyId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # SQLite's integer range


def blank(value: str | None) -> str | None:
    """A form field as given, stripped; None when it was left empty or holds only spaces."""
    return value.strip() if value and value.strip() else None


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


def get_signing_secret(request: Request) -> bytes:
    """The key the session cookies are signed with (``data/session.key``, read by ``create_app``).

    Suggestion tokens are signed with it too, under their own salt (itsdangerous derives a separate key).
    """
    return request.app.state.signing_secret


SettingsDep = Annotated[Settings, Depends(get_settings)]
SigningSecret = Annotated[bytes, Depends(get_signing_secret)]
EngineDep = Annotated[Engine, Depends(get_engine)]
DB = Annotated[sqlite_utils.Database, Depends(get_db)]
Key = Annotated[bytes, Depends(get_key)]


def current_user(db: DB, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
    """The API token's user. ``must_change_password`` is not asked here: it is about a handed-out password,
    and the token is a separate secret (made with the account, never shown by a reset) that the password cannot obtain:
    a session on a handed-out password cannot replace it on 我的账号 either.
    """
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


def session_ids(session: dict) -> tuple[str | None, str, int]:
    """What a page session names: the login name, the session id and the account's session epoch at sign-in."""
    return session.get("user"), session.get("sid", ""), session.get("epoch", 0)


def signed_in_user(request: Request, db: DB) -> User:
    """The user signed in to the pages (session cookie), new password due or not; redirects to the login page otherwise.

    Only 我的账号 (where the password is changed) takes this; every other page takes ``PageUser``.
    """
    user = user_for_session(db, *session_ids(request.session))
    if user is None:
        raise LoginRequired("please sign in")
    return user


SignedInUser = Annotated[User, Depends(signed_in_user)]


def session_user(user: SignedInUser) -> User:
    """The user signed in to the pages with a password of their own; one still on a handed-out password goes to 我的账号."""
    if user.must_change_password:
        raise PasswordChangeRequired("请先把别人转交的一次性密码改成自己的密码，再继续使用。")
    return user


PageUser = Annotated[User, Depends(session_user)]


def page_lead(user: PageUser) -> User:
    if not user.is_lead:
        raise Forbidden("这个页面只对组长开放。")
    return user


PageLead = Annotated[User, Depends(page_lead)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (synchronizer-token pattern, OWASP)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


async def read_form(request: Request) -> FormData:
    """The posted form, read once per request: any one field may be as long as the whole body may be.

    Starlette refuses a field over 1 MB by default, with English JSON, before a page can say why in Chinese (a backlog
    pasted on 批量分拣); the body itself is bounded by ``serving.BodyLimit`` (64 KB for most forms).
    """
    return await request.form(max_part_size=request.app.state.settings.max_import_bytes)


async def check_csrf(request: Request) -> None:
    """Refuse a form post whose token (form field ``csrf`` or header ``X-CSRF-Token``) does not match the session's."""
    expected = request.session.get("csrf")
    sent: object = request.headers.get("x-csrf-token")
    if sent is None:
        form = await read_form(request)
        sent = form.get("csrf")
    if not expected or not sent or not secrets.compare_digest(str(sent), expected):
        raise Forbidden("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")


CsrfChecked = Depends(check_csrf)


CONVERSION_TTL = 60.0  # seconds a per-template conversion table is reused before it is queried again


def get_conversion(request: Request, db: DB) -> dict[str, tuple[int, int]]:
    """Per-template conversion for ranking drafts, cached per app: one grouped query a minute, not one a suggestion."""
    cached = getattr(request.app.state, "conversion", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > CONVERSION_TTL:
        cached = request.app.state.conversion = (now, template_conversion(db))
    return cached[1]


Conversion = Annotated[dict, Depends(get_conversion)]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(setting: str) -> tuple[Network, ...]:
    """The ``trusted_proxies`` setting parsed ("10.0.0.5, 192.168.1.0/24"); raises ValueError naming a bad entry."""
    networks = []
    for entry in filter(None, (part.strip() for part in setting.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"trusted_proxies: {entry!r} is not an IP address or network") from None
    return tuple(networks)


def client_address(request: Request) -> str:
    """The address a request comes from, for the login limiter.

    The peer's address, unless the peer is a trusted proxy (the ``trusted_proxies`` setting, empty by
    default): then the nearest X-Forwarded-For entry that is not itself a trusted proxy. Entries a client
    wrote itself sit further left and are never reached; an entry that is not an address stops the walk.
    """
    networks: tuple[Network, ...] = request.app.state.trusted_networks
    peer = request.client.host if request.client else ""

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if not networks or not trusted(peer):
        return peer
    hops = [hop.strip() for header in request.headers.getlist("x-forwarded-for") for hop in header.split(",")]
    address = peer
    for hop in reversed(hops):
        try:
            ip = ipaddress.ip_address(hop)
        except ValueError:
            break
        address = str(ip)
        if not trusted(address):
            break
    return address


T = TypeVar("T")


class PasswordGate:
    """At most ``slots`` password checks at once in this process, and at most ``queue`` waiting for one.

    Each Argon2 verification takes 64 MiB for its duration; without a bound, a burst of sign-ins (known
    names or not) costs 64 MiB per thread of the pool. A sign-in waits up to ``wait`` seconds for a slot
    without holding a thread; beyond the queue or the wait it is refused at once with 429.
    """

    BUSY = "正在登录的人太多，请稍等几秒再试。"

    def __init__(self, slots: int = 2, queue: int = 64, wait: float = 10.0):
        self.slots, self.queue, self.wait = max(1, slots), queue, wait
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop on first use
        self._admitted = 0  # checks running or waiting for a slot

    async def run(self, check: Callable[[], T]) -> T:
        """Run ``check`` (a blocking function that verifies a password) in a thread once a slot is free."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.slots)
        if self._admitted >= self.slots + self.queue:
            raise RateLimited(self.BUSY)
        self._admitted += 1
        try:
            with anyio.move_on_after(self.wait):
                return await anyio.to_thread.run_sync(check, limiter=self._limiter)
        finally:
            self._admitted -= 1
        raise RateLimited(self.BUSY)
