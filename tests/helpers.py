"""Helpers the tests import explicitly (kept out of conftest): test data, signing in, servers, reading pages."""

import re
import socket
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from assistant.log.sent import log_reply

KEY = b"k" * 32
SHANGHAI = ZoneInfo("Asia/Shanghai")
ENGLISH = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z']{2,}){2,}")  # three English words in a row: a sentence, not an id


def make_reply(db, engine, complaint="快递一个星期还没到", **overrides) -> int:
    """Log a reply to ``complaint``, sent as drafted, with overridable fields."""
    suggestion = engine.suggest(complaint, customer=overrides.get("customer"), order_id=overrides.get("order_id"))
    fields = {
        "agent": "小林",
        "platform": "taobao",
        "key": KEY,
        "tz": SHANGHAI,
        "now": datetime(2026, 11, 18, 10, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    sent_text = fields.pop("sent_text", None) or suggestion.drafts[0].text
    return log_reply(db, suggestion, sent_text, **fields)


def drafts(engine, text):
    """The drafts the engine offers for the complaint ``text``, best first."""
    return engine.suggest(text).drafts


def first(engine, text):
    """The first draft the engine offers for the complaint ``text``."""
    return engine.suggest(text).drafts[0]


def shown_text(html: str) -> str:
    """The text a page shows, without its scripts, styles and code."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "code"]):
        hidden.decompose()
    return soup.get_text(" ", strip=True)


def sign_in(client, name: str, password: str) -> str:
    """Sign in through the login form like a browser; returns the session's CSRF token for later posts."""
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf": csrf, "next": "/compose"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/compose").text).group(1)


def sign_in_as(page, name: str, password: str) -> None:
    """Sign in at the login page a browser ``page`` shows: fill the name and password, click 登录."""
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")


def replace_handed_out_password(client, name: str, handed_out: str, own: str) -> str:
    """The first sign-in with a password someone handed out (printed by `assistant serve` or `assistant users add`, shown
    on 账号): the login form sends the person to 我的账号, whose form takes ``own`` and then opens the draft page.

    ``client`` is a TestClient or an httpx client with a base URL. Returns the session's CSRF token for later posts.
    """
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    data = {"name": name, "password": handed_out, "csrf": csrf, "next": "/compose"}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/account?next=%2Fcompose", response.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get(response.headers["location"]).text).group(1)
    form = {"csrf": csrf, "current": handed_out, "new": own, "repeat": own, "next": "/compose"}
    changed = client.post("/account/password", data=form, follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == "/compose", changed.text
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/compose").text).group(1)


@contextmanager
def running(app, **options):
    """Serve ``app`` with uvicorn (and ``options``) on a free 127.0.0.1 port in a background thread; yields its base URL.

    A real server with a real event loop, for what TestClient cannot show: one request blocking another.
    """
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def free_port() -> str:
    """A port nothing listens on now, for a `serve` whose server never runs (it checks it can bind there first)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])
