"""HTML pages for everyone signed in or signing in: sign in and out, 我的账号, 帮助. The draft page is in
``pages_compose``, 我的回复 in ``pages_backlog``, 批量分拣 in ``pages_triage``, the leads' pages in ``pages_lead``."""

from __future__ import annotations

import json
import secrets
from contextlib import closing
from typing import Annotated
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from assistant.errors import RateLimited
from assistant.log.auth import (
    PASSWORD_CHARS,
    AccountDeactivated,
    LoginLimiter,
    User,
    change_password,
    check_password,
    new_token,
    revoke_session,
)
from assistant.log.db import open_db
from assistant.web.deps import (
    DB,
    CsrfChecked,
    PageUser,
    SettingsDep,
    SignedInUser,
    Text,
    client_address,
)
from assistant.web.rendering import NO_STORE, render

router = APIRouter(include_in_schema=False)
SESSION_MAX_AGE = 12 * 3600  # seconds a session cookie is valid (also set on the middleware)
TOO_MANY_FAILURES = "登录失败次数太多，请5分钟后再试。"


@router.get("/", response_class=HTMLResponse)
def home(user: PageUser):
    return RedirectResponse("/compose", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/compose"):
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "name": ""}, None)


@router.post("/login", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def login(request: Request, name: Text, password: Text, next: Annotated[str, Form()] = "/compose"):
    """Sign in. The limiter is asked before any password is hashed, and hashing waits for one of a few slots."""
    try:
        user = await _verified(request, name, password)
    except AccountDeactivated:
        message = "这个账号已经停用，不能再登录。如有疑问请联系组长。"
        context = {"next": _safe_next(next), "error": message, "name": name}
        return render(request, "login.html", context, None, status_code=403)
    if user is None:  # the name stays typed in, the cursor waits in the password field: one field to retype, not two
        context = {"next": _safe_next(next), "error": "用户名或密码不对。", "name": name}
        return render(request, "login.html", context, None, status_code=400)
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
    return {"done": None, "error": None, "error_field": None, "token": None, "next": _safe_next(next), **values}


@router.post("/account/password", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def account_password(
    request: Request, user: SignedInUser, current: Text, new: Text, repeat: Text, next: Annotated[str, Form()] = "/compose"
):
    """Change one's own password: the current one is checked like a sign-in (limited, bounded Argon2), other sessions end.

    A person who had to change a handed-out password goes on to ``next`` (a local path) at once.
    """
    shortest, longest = PASSWORD_CHARS

    def refuse(message: str, field: str):
        """The form again with the message tied to ``field`` (the input to retype), where the cursor waits."""
        context = _account_context(next, error=message, error_field=field)
        return render(request, "account.html", context, user, status_code=400)

    if new != repeat:
        return refuse("两次输入的新密码不一样，请重新输入。", "repeat")
    if not shortest <= len(new) <= longest:
        return refuse(f"新密码要 {shortest} 到 {longest} 个字符。", "new")
    if new == current:
        return refuse("新密码和现在的密码一样，请换一个。", "new")
    if await _verified(request, user.name, current) is None:
        return refuse("现在的密码不对。", "current")
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


def _safe_next(target: str) -> str:
    """Only local paths: a login link must not send the user to another site."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/compose"
