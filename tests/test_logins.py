"""Sign-in attacks (issue 14, items 3 and 5): the lock cannot be dodged, nothing is hashed past it, and it stays small.

The memory figure of 60 concurrent anonymous sign-ins against a real server is in ``bench/logins.py``.
"""

import re
import threading
import time

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from assistant.config import Settings
from assistant.errors import RateLimited
from assistant.log.auth import NAME_CHARS, LoginLimiter, add_user, address_group, login_key
from assistant.log.db import open_db
from assistant.web import pages
from assistant.web.app import create_app
from assistant.web.deps import PasswordGate, client_address, trusted_networks


def post_login(client: TestClient, name: str, password: str, headers: dict | None = None):
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    data = {"name": name, "password": password, "csrf": csrf, "next": "/compose"}
    return client.post("/login", data=data, headers=headers or {}, follow_redirects=False)


@pytest.fixture
def frank(settings):
    db = open_db(settings.db_path)
    password = add_user(db, "frank", "agent").password
    db.close()
    return password


@pytest.fixture
def counted_checks(monkeypatch):
    """Count the password verifications the login route asks for (each is a 64 MiB Argon2 hash)."""
    calls = []
    real = pages.check_password

    def counting(db, name, password):
        calls.append(name)
        return real(db, name, password)

    monkeypatch.setattr(pages, "check_password", counting)
    return calls


@pytest.mark.parametrize("variant", ["frank", "frank ", " frank", "Frank", "ＦＲＡＮＫ", "\u3000frank\u3000"])
def test_name_variants_share_one_bucket(variant):
    assert login_key(variant) == "frank"


def test_a_trailing_space_does_not_dodge_the_lock(make_client, frank, counted_checks):
    """The attack: 5 failures for 'frank', then name=frank%20 (which the check strips) guessed on."""
    client, _ = make_client()
    for _ in range(5):
        assert post_login(client, "frank", "wrong").status_code == 400
    for variant in ("frank ", "Frank", "ｆｒａｎｋ"):
        response = post_login(client, variant, "wrong")
        assert response.status_code == 429 and "登录失败次数太多" in response.text
    assert post_login(client, "frank ", frank).status_code == 429  # even the right password waits out the lock
    assert len(counted_checks) == 5  # nothing was hashed once the lock held


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_client, frank):
    client, _ = make_client()
    for n in range(5):
        post_login(client, "frank", "wrong", headers={"X-Forwarded-For": f"203.0.113.{n}"})
    response = post_login(client, "frank", "wrong", headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 429


def test_the_address_limit_holds_before_any_hash(make_client, counted_checks):
    """Many names from one address: after 20 failures a new name is refused without hashing anything."""
    client, _ = make_client()
    for n in range(20):
        assert post_login(client, f"nobody{n}", "x").status_code == 400
    assert post_login(client, "someone-new", "x").status_code == 429
    assert len(counted_checks) == 20


def test_two_apps_on_one_log_share_the_failures(settings, engine, frank):
    """Two worker processes are two apps on one log: failures in one count in the other."""
    with TestClient(create_app(settings, engine=engine)) as one, TestClient(create_app(settings, engine=engine)) as two:
        for _ in range(5):
            post_login(one, "frank", "wrong")
        assert post_login(two, "frank", frank).status_code == 429


def test_a_right_password_signs_in_and_forgets_the_failures(make_client, frank):
    client, db = make_client()
    for _ in range(3):
        post_login(client, "frank", "wrong")
    assert post_login(client, "frank", frank).status_code == 303
    assert db.execute("select count(*) from login_failures where name = 'frank'").fetchone()[0] == 0


def test_failures_are_pruned_and_long_names_cut(db):
    """200 failures with 60 KB names keep at most 64 characters each, and leave once the window has passed."""
    limiter = LoginLimiter(per_name=5, per_address=1000, window=300)
    for n in range(200):
        limiter.failed(db, "192.0.2.1", f"{n}" + "x" * 60_000, now=1000.0 + n)
    longest, stored = db.execute("select max(length(name)), sum(length(name)) from login_failures").fetchone()
    assert longest == NAME_CHARS and stored <= 200 * NAME_CHARS
    limiter.failed(db, "192.0.2.2", "late", now=1000.0 + 199 + 301)
    assert db.execute("select address, name from login_failures").fetchall() == [("192.0.2.2", "late")]


def test_the_window_ends_a_lock(db):
    limiter = LoginLimiter(per_name=2, per_address=10, window=10)
    limiter.failed(db, "a", "x", now=0)
    limiter.failed(db, "a", "x", now=1)
    assert limiter.refused(db, "a", "x", now=5) and not limiter.refused(db, "b", "x", now=5)
    assert not limiter.refused(db, "a", "x", now=12)


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
    ],
)
def test_an_ipv6_address_is_counted_by_its_64(address, group):
    assert address_group(address) == group


def behind_a_proxy(settings, engine, monkeypatch) -> TestClient:
    """An app behind a trusted proxy at 127.0.0.1, which names each client in X-Forwarded-For (as nginx does)."""
    monkeypatch.setattr(pages, "check_password", lambda db, name, password: None)  # every guess wrong, without Argon2
    app = create_app(Settings(db_path=settings.db_path, trusted_proxies="127.0.0.1"), engine=engine)
    return TestClient(app, client=("127.0.0.1", 50000))


def test_guesses_from_rotating_ipv6_addresses_in_one_64_are_locked(settings, engine, monkeypatch):
    """One client holds a /64 and sent every guess at an account from a new address in it: 40 guesses, never a 429
    (REVIEW11 #7)."""
    with behind_a_proxy(settings, engine, monkeypatch) as client:
        answers = [post_login(client, "lead", "guess", {"X-Forwarded-For": f"2001:db8:5:6::{n:x}"}).status_code for n in range(8)]
        assert answers == [400] * 5 + [429] * 3
        locked = post_login(client, "lead", "guess", {"X-Forwarded-For": "2001:db8:5:6:ffff::9"})
        assert "登录失败次数太多，请5分钟后再试" in locked.text
        assert post_login(client, "lead", "guess", {"X-Forwarded-For": "2001:db8:5:7::1"}).status_code == 400  # another /64


def test_guesses_at_one_account_from_many_addresses_meet_a_ceiling(settings, engine, monkeypatch):
    """Guesses at one account spread over many networks (a botnet, a /48 of /64s), each under its own limit, are
    bounded together; other accounts and the same account once the window has passed are not locked (REVIEW11 #7)."""
    with behind_a_proxy(settings, engine, monkeypatch) as client:
        answers = []
        for n in range(30):
            address = f"2001:db8:{n:x}::1" if n % 2 else f"198.51.100.{n}"
            answers.append(post_login(client, "lead", "guess", {"X-Forwarded-For": address}).status_code)
        assert answers == [400] * 20 + [429] * 10
        fresh = {"X-Forwarded-For": "203.0.113.99"}
        assert "登录失败次数太多" in post_login(client, "lead", "guess", fresh).text
        assert post_login(client, "someone-else", "guess", fresh).status_code == 400
    limiter = LoginLimiter(per_name=5, per_address=20, per_account=20, window=300)
    db = open_db(settings.db_path)
    latest = db.execute("select max(at) from login_failures").fetchone()[0]
    assert limiter.refused(db, "203.0.113.99", "lead", now=latest) and not limiter.refused(
        db, "203.0.113.99", "lead", now=latest + 301
    )
    db.close()


def test_a_flood_of_guesses_at_an_account_does_not_lock_its_owner_out_of_their_own_address(settings, engine, frank):
    """Twenty wrong guesses from four addresses made the owner's right password answer 429 from their own office, and
    four guesses a minute kept it so all day (REVIEW11B #3). An address the name signed in from stays open to it; an
    address it never used is still refused once the account's ceiling is met."""
    app = create_app(Settings(db_path=settings.db_path, trusted_proxies="127.0.0.1"), engine=engine)
    office = {"X-Forwarded-For": "198.51.100.7"}
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        assert post_login(client, "frank", frank, office).status_code == 303
        client.cookies.clear()
        guesses = [post_login(client, "frank", "guess", {"X-Forwarded-For": f"203.0.113.{n % 4}"}) for n in range(20)]
        assert [g.status_code for g in guesses] == [400] * 20
        assert post_login(client, "frank", frank, {"X-Forwarded-For": "192.0.2.50"}).status_code == 429  # never used
        assert post_login(client, "frank", frank, office).status_code == 303


def _request(peer: str, forwarded: list[str], trusted: str) -> Request:
    class App:
        class state:
            trusted_networks = ()

    App.state.trusted_networks = trusted_networks(trusted)
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "app": App, "client": (peer, 1234), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", ["203.0.113.9"], "", "127.0.0.1"),  # default: no proxy is trusted, the header is ignored
        ("10.0.0.5", ["203.0.113.9"], "10.0.0.5", "203.0.113.9"),  # a trusted proxy names the client
        ("10.0.0.6", ["203.0.113.9"], "10.0.0.5", "10.0.0.6"),  # another peer is not that proxy
        ("10.0.0.5", ["1.2.3.4, 203.0.113.9"], "10.0.0.0/8", "203.0.113.9"),  # what the client wrote itself sits left
        ("10.0.0.5", ["203.0.113.9, 10.0.0.7"], "10.0.0.0/8", "203.0.113.9"),  # proxies in a chain are skipped
        ("10.0.0.5", ["1.2.3.4", "203.0.113.9"], "10.0.0.5", "203.0.113.9"),  # repeated headers read as one list
        ("10.0.0.5", ["not-an-ip"], "10.0.0.5", "10.0.0.5"),  # garbage stops the walk at the proxy
        ("10.0.0.5", [], "10.0.0.5", "10.0.0.5"),
    ],
)
def test_client_address(peer, forwarded, trusted, expected):
    assert client_address(_request(peer, forwarded, trusted)) == expected


def test_a_bad_trusted_proxies_setting_is_named():
    with pytest.raises(ValueError, match="nonsense"):
        create_app(Settings(trusted_proxies="10.0.0.1, nonsense"))


def test_the_gate_bounds_concurrent_checks_and_refuses_beyond_its_queue():
    gate = PasswordGate(slots=2, queue=3, wait=5)
    running, peak, lock = [0], [0], threading.Lock()

    def check():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return "ok"

    async def main():
        results = []

        async def one():
            try:
                results.append(await gate.run(check))
            except RateLimited:
                results.append("busy")

        async with anyio.create_task_group() as tasks:
            for _ in range(8):
                tasks.start_soon(one)
        return results

    results = anyio.run(main)
    assert peak[0] == 2  # never more than two hashes at once
    assert results.count("ok") == 5 and results.count("busy") == 3  # 2 running + 3 queued; the rest refused at once


def test_the_gate_refuses_after_its_wait():
    gate = PasswordGate(slots=1, queue=10, wait=0.05)

    async def main():
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(gate.run, lambda: time.sleep(0.3))
            await anyio.sleep(0.01)
            with pytest.raises(RateLimited, match="正在登录的人太多"):
                await gate.run(lambda: None)

    anyio.run(main)
