"""The authorisation matrix: every route of the app, for four callers, with the status each must get.

Callers:

- ``anonymous``: nobody signed in. On the pages it is a browser that opened the
  sign-in page (so its session holds a CSRF token, sent with every POST) without
  signing in; on the API it sends no token.
- ``agent_a``: an agent who has logged one reply (``{reply_id}``) through the API.
- ``agent_b``: another agent; agent A's reply does not exist for them (404).
- ``lead``: may do everything.

API routes (``/api/v1/...``, ``/healthz``) authenticate with ``Authorization: Bearer``;
page routes with the session cookie of a sign-in through ``POST /login`` and the
``X-CSRF-Token`` header on POSTs. Each case runs on a fresh client (the sign-in
cookies are made once and reused; a POST /logout signs in afresh, since signing out
revokes the session), so a POST /logout or /login does not leak into the next case.

``TABLE`` holds one row per (method, path, caller); ``test_every_route_has_a_row``
fails when a route is added without rows (or a row names a route that is gone).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import helpers
import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.log.auth import add_user
from assistant.log.db import open_db
from assistant.web.app import create_app

CALLERS = ("anonymous", "agent_a", "agent_b", "lead")
SKIPPED = ("/static", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect")
COMPLAINT = "快递一个星期还没到，客服也不回消息"
SENT = "您好，包裹一个星期还没到是我们没跟进好，今天18:00前我给您回电说明物流进度并安排补发。"
WEEK = "2026-W47"
NEW_USER = f"新同事-{uuid.uuid4().hex[:8]}"
BYSTANDER = "老同事"
LOGIN = "/login?next="  # where an anonymous visitor of a page is sent

# Requests: what to send (json, content, data, params), and "csrf": False to leave out the CSRF token.
SUGGEST = {"json": {"text": COMPLAINT, "platform": "taobao"}}
REPLY = {"json": {"complaint": COMPLAINT, "sent_text": SENT, "platform": "taobao"}}
A_COMPLAINT = "买的保温杯第三天就漏水了，杯盖那圈胶条是歪的"  # agent A's reply, the {reply_id} of the table
OUTCOME = {"json": {"result": "resolved_offline", "rating_after": 4}}
IMPORT = {"content": "reply_id,result\n{reply_id},positive_followup\n", "headers": {"Content-Type": "text/csv"}}
SHEET = {"files": {"file": ("回复.csv", "编号,结果\n{reply_id},已改好评\n", "text/csv")}}  # 我的回复's worksheet, filled in


class Exact(str):
    """A redirect's whole address, not a prefix of it."""


def rows(method: str, path: str, request: dict, *, anonymous, agent_a, agent_b, lead) -> list[tuple]:
    """The four rows of one route: (method, path, caller, expected, request).

    ``expected`` is a status, or (303, where the redirect must point, as a prefix, or whole as ``Exact``).
    """
    expected = {"anonymous": anonymous, "agent_a": agent_a, "agent_b": agent_b, "lead": lead}
    return [(method, path, caller, expected[caller], request) for caller in CALLERS]


def page(method: str, path: str, request: dict | None = None, *, everyone=200, agents=None, agent_b=None) -> list[tuple]:
    """A page: anonymous visitors are sent to sign in; signed-in users get ``everyone`` unless said otherwise."""
    agents = everyone if agents is None else agents
    return rows(
        method,
        path,
        request or {},
        anonymous=(303, LOGIN),
        agent_a=agents,
        agent_b=agents if agent_b is None else agent_b,
        lead=everyone,
    )


TABLE: list[tuple] = [
    # --- the JSON API ---
    *rows("GET", "/healthz", {}, anonymous=200, agent_a=200, agent_b=200, lead=200),
    *rows("GET", "/favicon.ico", {}, anonymous=200, agent_a=200, agent_b=200, lead=200),
    *rows("POST", "/api/v1/suggest", SUGGEST, anonymous=401, agent_a=200, agent_b=200, lead=200),
    *rows("POST", "/api/v1/replies", REPLY, anonymous=401, agent_a=201, agent_b=201, lead=201),
    *rows("POST", "/api/v1/replies/{reply_id}/outcome", OUTCOME, anonymous=401, agent_a=201, agent_b=404, lead=201),
    *rows("POST", "/api/v1/outcomes/import", IMPORT, anonymous=401, agent_a=403, agent_b=403, lead=200),
    *rows("GET", "/api/v1/stats/weekly", {"params": {"week": WEEK}}, anonymous=401, agent_a=403, agent_b=403, lead=200),
    *rows(
        "GET", "/api/v1/export", {"params": {"week": WEEK, "format": "csv"}}, anonymous=401, agent_a=403, agent_b=403, lead=200
    ),
    *rows("POST", "/api/v1/library/reload", {}, anonymous=401, agent_a=403, agent_b=403, lead=200),
    # --- signing in and out ---
    *rows("GET", "/", {}, anonymous=(303, LOGIN), agent_a=(303, "/compose"), agent_b=(303, "/compose"), lead=(303, "/compose")),
    *rows("GET", "/login", {}, anonymous=200, agent_a=200, agent_b=200, lead=200),
    *rows(
        "POST",
        "/login",
        {"data": {"name": "{name}", "password": "{password}", "next": "/replies"}, "csrf": "signed-in only"},
        anonymous=403,
        agent_a=(303, "/replies"),
        agent_b=(303, "/replies"),
        lead=(303, "/replies"),
    ),
    *rows(
        "POST", "/logout", {}, anonymous=(303, "/login"), agent_a=(303, "/login"), agent_b=(303, "/login"), lead=(303, "/login")
    ),
    # --- agents' pages ---
    *page("GET", "/compose", {"params": {"text": COMPLAINT}}),
    *page("POST", "/compose", {"data": {"text": COMPLAINT, "platform": "taobao"}}),
    *page("POST", "/compose/suggest", {"data": {"text": COMPLAINT, "platform": "taobao"}}),
    *page("POST", "/compose/sincerity", {"data": {"sent_text": SENT, "complaint": COMPLAINT}}),
    *page("POST", "/compose/sent", {"data": {"complaint": COMPLAINT, "sent_text": SENT, "platform": "jd"}}),
    *page("GET", "/compose/phrases", {"params": {"q": "退款"}}),
    *page("POST", "/compose/phrase", {"data": {"template_id": "logistics_delay.stuck_in_transit", "complaint": COMPLAINT}}),
    *page("GET", "/replies", {"params": {"show": "all"}}),
    *page("GET", "/replies/{reply_id}", agent_b=404),
    *page("POST", "/replies/{reply_id}/outcome", {"data": {"result": "upgraded", "rating_after": "5"}}, agent_b=404),
    *page("GET", "/replies/worksheet.csv", {"params": {"show": "all"}}),
    # agent B names a reply that is not theirs: refused (400), as if it did not exist, and nothing is recorded. The
    # reply is already 已改好评 (5 stars, the outcome page's row above): the sheet's 已改好评, rating and note blank,
    # changes nothing for agent A nor for the lead (taken, 303; imported=0&unchanged=1), and keeps those 5 stars
    *page("POST", "/replies/import", SHEET, everyone=(303, Exact("/replies?imported=0&unchanged=1")), agent_b=400),
    *page("GET", "/triage"),
    *page("POST", "/triage", {"data": {"text": f"{COMPLAINT}\n收到的杯子碎了\n孩子吃了过敏住院了"}}),
    *page("GET", "/triage/{result_id}.csv", everyone=404),
    *page("GET", "/help"),
    *page("GET", "/account"),
    *page(
        "POST",
        "/account/password",
        {"data": {"current": "not-the-password", "new": "新的密码-123456", "repeat": "新的密码-123456"}},
        everyone=400,
    ),
    *page("POST", "/account/token"),  # replaces the caller's API token: send() keeps the new one
    *page("GET", "/library", {"params": {"q": "快递"}}),
    # --- leads' pages ---
    *page("GET", "/stats", {"params": {"week": WEEK}}, agents=403),
    *page("GET", "/stats/export", {"params": {"week": WEEK, "format": "csv"}}, agents=403),
    *page("GET", "/users", agents=403),
    *page("POST", "/users", {"data": {"name": NEW_USER, "role": "agent"}}, agents=403),
    *page("POST", "/users/display-name", {"data": {"name": BYSTANDER, "display_name": "老王"}}, agents=403),
    *page("POST", "/users/password", {"data": {"name": BYSTANDER}}, agents=403),
    *page("POST", "/users/active", {"data": {"name": BYSTANDER, "active": "1"}}, agents=403),
    *page("POST", "/library/reload", agents=403),
]


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers flattened, the skipped ones left out."""
    try:  # FastAPI >= 0.16x keeps included routers as one entry each in ``app.routes``
        from fastapi.routing import iter_route_contexts

        routes = list(iter_route_contexts(app.routes))
    except ImportError:
        routes = list(app.routes)
    found = set()
    for route in routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if not path or not methods or path.startswith(SKIPPED):
            continue
        found.update((method, path) for method in methods if method != "HEAD")
    return found


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/healthz"


# --- the world the table is checked against ------------------------------------------------------------------------


@dataclass
class Caller:
    name: str
    password: str
    token: str
    cookie: str  # the session cookie after signing in to the pages
    csrf: str  # that session's CSRF token


@dataclass
class World:
    app: object
    callers: dict[str, Caller]
    reply_id: int


def sign_in(app, name: str, password: str) -> tuple[str, str]:
    """A fresh browser session: its cookie and its CSRF token."""
    client = TestClient(app)
    csrf = helpers.sign_in(client, name, password)
    return client.cookies.get("assistant_session"), csrf


@pytest.fixture(scope="module")
def world(engine, tmp_path_factory):
    settings = Settings(db_path=tmp_path_factory.mktemp("authorization") / "data" / "assistant.db")
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:  # runs the lifespan once; app.state keeps what it set up
        db = open_db(settings.db_path)
        try:
            users = {
                caller: add_user(db, name, role)
                for caller, name, role in [("agent_a", "小林", "agent"), ("agent_b", "小周", "agent"), ("lead", "组长", "lead")]
            }
            add_user(db, BYSTANDER, "agent")  # the account the leads' account forms change, so no caller is signed out
        finally:
            db.close()
        logged = client.post(
            "/api/v1/replies",
            json={"complaint": A_COMPLAINT, "sent_text": SENT, "platform": "taobao"},
            headers={"Authorization": f"Bearer {users['agent_a'].token}"},
        )
        assert logged.status_code == 201, logged.text
        callers = {}
        for caller, user in users.items():
            cookie, csrf = sign_in(app, user.name, user.password)
            callers[caller] = Caller(user.name, user.password, user.token, cookie, csrf)
        yield World(app, callers, logged.json()["id"])


def fill(value, world: World, caller: Caller | None):
    """Put the fixture's reply id and the caller's own name and password into a request."""
    if isinstance(value, dict):
        return {k: fill(v, world, caller) for k, v in value.items()}
    if isinstance(value, tuple):  # a file to upload: (name, content, type)
        return tuple(fill(v, world, caller) for v in value)
    if isinstance(value, str):
        value = value.replace("{reply_id}", str(world.reply_id))
        if caller:
            value = value.replace("{name}", caller.name).replace("{password}", caller.password)
    return value


def send(world: World, method: str, path: str, caller_name: str, request: dict):
    """One request as ``caller_name`` from a fresh client (sign-in cookies reused, nothing else carried over)."""
    caller = world.callers.get(caller_name)
    url = path.replace("{reply_id}", str(world.reply_id)).replace("{result_id}", "no-such-result-" + uuid.uuid4().hex[:8])
    anonymous_token = request.get("csrf") != "signed-in only"
    request = fill({k: v for k, v in request.items() if k != "csrf"}, world, caller)
    headers = dict(request.pop("headers", {}))
    cookie, csrf = (caller.cookie, caller.csrf) if caller else (None, None)
    if caller and path == "/logout":  # signing out revokes the session: use a session of its own
        cookie, csrf = sign_in(world.app, caller.name, caller.password)
    cookies = {"assistant_session": cookie} if caller and not is_api(path) else None
    client = TestClient(world.app, raise_server_exceptions=False, cookies=cookies)
    if is_api(path):
        if caller:
            headers["Authorization"] = f"Bearer {caller.token}"
    elif method == "POST":
        if caller:
            headers["X-CSRF-Token"] = csrf
        elif anonymous_token:  # a browser that opened the sign-in page has a session with a token
            login_page = client.get("/login")
            headers["X-CSRF-Token"] = re.search(r'name="csrf" value="([^"]+)"', login_page.text).group(1)
    response = client.request(method, url, headers=headers, follow_redirects=False, **request)
    if caller and path == "/account/token" and response.status_code == 200:  # the old token stopped: use the new one
        caller.token = re.search(r'id="new-token"[^>]* value="([^"]+)"', response.text).group(1)
    return response


def _row_id(row: tuple) -> str:
    method, path, caller, expected, _ = row
    status = expected if isinstance(expected, int) else f"{expected[0]}->{expected[1]}"
    return f"{caller}-{method} {path}-{status}"


@pytest.mark.parametrize("method,path,caller,expected,request_", TABLE, ids=[_row_id(r) for r in TABLE])
def test_authorisation_matrix(world, method, path, caller, expected, request_):
    response = send(world, method, path, caller, request_)
    status, location = (expected, None) if isinstance(expected, int) else expected
    got = f"{response.status_code} {response.headers.get('location', '')} {response.text[:300]}"
    detail = f"{method} {path} as {caller}: expected {status}, got {got}"
    assert response.status_code == status, detail
    if location is not None:
        where = response.headers["location"]
        assert where == location if isinstance(location, Exact) else where.startswith(location), detail
    if is_api(path) and status >= 400:
        assert set(response.json()) == {"detail"}, detail
    if caller == "anonymous" and status == 401:
        assert response.headers.get("www-authenticate") == "Bearer", detail


def test_every_route_has_a_row(world):
    table = {(method, path) for method, path, *_ in TABLE}
    routes = app_routes(world.app)
    assert routes - table == set(), f"routes without rows in TABLE: {sorted(routes - table)}"
    assert table - routes == set(), f"rows for routes the app does not have: {sorted(table - routes)}"


def test_every_route_has_a_row_for_every_caller():
    seen: dict[tuple[str, str], list[str]] = {}
    for method, path, caller, *_ in TABLE:
        seen.setdefault((method, path), []).append(caller)
    wrong = {route: callers for route, callers in seen.items() if sorted(callers) != sorted(CALLERS)}
    assert not wrong, wrong


def test_an_anonymous_post_without_a_session_never_reaches_a_page(world):
    """No session, no CSRF token: every page POST is refused before its handler runs (403, or a redirect to sign in)."""
    for method, path in sorted(app_routes(world.app)):
        if method != "POST" or is_api(path):
            continue
        client = TestClient(world.app, raise_server_exceptions=False)
        url = path.replace("{reply_id}", str(world.reply_id))
        response = client.post(
            url, data={"text": COMPLAINT, "result": "upgraded", "name": "x", "role": "lead"}, follow_redirects=False
        )
        assert response.status_code == 403 or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        ), f"POST {path} without a session answered {response.status_code}"


def test_agent_b_cannot_see_agent_a_reply_in_lists(world):
    """Beyond the status: B's lists never show A's reply, the lead's do."""
    marker = A_COMPLAINT[:12]
    for caller, visible in (("agent_a", True), ("agent_b", False), ("lead", True)):
        response = send(world, "GET", "/replies", caller, {"params": {"show": "all"}})
        assert response.status_code == 200
        assert (marker in response.text) is visible, caller
