"""Several processes on one log (issue 14): `serve --workers 2`, and two servers starting at once on a fresh folder.

Real `assistant serve` processes on 127.0.0.1; each answer names its process in X-Assistant-Worker (the
``worker_header`` setting), so the tests can tell the workers apart.
"""

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: Path, port: int, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "ASSISTANT_CACHE_DIR": str(db.parent.parent / "cache"), "ASSISTANT_WORKER_HEADER": "1"}
    command = [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--db", str(db), "--workers", str(workers)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def get(url: str, cookies: httpx.Cookies | None = None) -> httpx.Response:
    """One request on its own connection, so the kernel may hand it to any worker."""
    with httpx.Client(timeout=30, cookies=cookies) as http:
        return http.get(url, follow_redirects=False)


def wait_for_workers(process: subprocess.Popen, port: int, workers: int, timeout: float = 180) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(seen) < workers:
        assert process.poll() is None, process.communicate()[1]
        try:
            seen.add(get(f"http://127.0.0.1:{port}/healthz").headers["x-assistant-worker"])
        except httpx.HTTPError:
            time.sleep(0.2)
    assert len(seen) == workers, f"only {seen} answered"
    return seen


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.terminate()
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def read_lead(process: subprocess.Popen) -> tuple[str, str] | None:
    """The first lead's password and token from the server's first lines, or None when it created none."""
    lines = []
    while not (lines and lines[-1].startswith("Serving on")):
        line = process.stdout.readline()
        assert line, f"server stopped: {process.communicate()[1]}"
        lines.append(line)
    text = "".join(lines)
    match = re.search(r"password: (\S+)\n\s+API token: (\S+)", text)
    return match.groups() if match else None


def first_sign_in(base: str, name: str, printed: str, own: str) -> httpx.Cookies:
    """Sign in with the password the server printed and choose ``own`` on 我的账号; the session's cookies."""
    from helpers import replace_handed_out_password

    with httpx.Client(base_url=base, timeout=30) as http:
        replace_handed_out_password(http, name, printed, own)
        return http.cookies


def test_processes_opening_a_fresh_log_at_once_all_succeed_with_one_key(tmp_path):
    """Before: 'database is locked' from the migrations, and each process kept its own secret key."""
    script = (
        "import sys; from pathlib import Path; from assistant.log.db import open_db, load_or_create_secret;"
        "db = Path(sys.argv[1]); open_db(db).close(); print(load_or_create_secret(db.parent / 'secret.key').hex())"
    )
    for attempt in range(3):
        db = tmp_path / str(attempt) / "assistant.db"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(db)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        outcomes = [(p.wait(timeout=60), *p.communicate()) for p in processes]
        assert all(code == 0 for code, _, _ in outcomes), [err for _, _, err in outcomes]
        assert len({out.strip() for _, out, _ in outcomes}) == 1  # one key for everyone
        assert sorted(p.name for p in db.parent.iterdir() if p.suffix == ".tmp" or p.name.startswith(".")) == []


def test_two_servers_started_at_once_on_a_fresh_folder_both_serve(tmp_path):
    db = tmp_path / "data" / "assistant.db"
    ports = [free_port(), free_port()]
    servers = [start(db, port) for port in ports]
    try:
        leads = [read_lead(server) for server in servers]
        for server, port in zip(servers, ports):
            wait_for_workers(server, port, 1)
        created = [lead for lead in leads if lead]
        assert len(created) == 1  # one first lead, not two (nor an IntegrityError)
        printed, _ = created[0]
        cookies = first_sign_in(f"http://127.0.0.1:{ports[0]}", "lead", printed, "组长自己的密码-2026")
        other = get(f"http://127.0.0.1:{ports[1]}/compose", cookies)
        assert other.status_code == 200  # both sign cookies with the same session key, and see the password changed
    finally:
        errors = [stop(server)[1] for server in servers]
    assert not any("Traceback" in err for err in errors), errors


def test_two_workers_share_sessions_the_sign_in_limit_and_library_reloads(tmp_path):
    db = tmp_path / "data" / "assistant.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(db, port, workers=2)
    try:
        printed, token = read_lead(server)
        workers = wait_for_workers(server, port, 2)

        # A session made through one worker is good on every request, whichever worker answers.
        password = "组长自己的密码-2026"
        cookies = first_sign_in(base, "lead", printed, password)
        answered: set[str] = set()
        for n in range(400):  # at least 40 requests, and until both workers have answered one
            if len(answered) == len(workers) and n >= 40:
                break
            page = get(f"{base}/compose", cookies)
            assert page.status_code == 200
            answered.add(page.headers["x-assistant-worker"])
        assert answered == workers

        # A reload asked of one worker reaches the other (the library's version in the log).
        with httpx.Client(base_url=base, timeout=120) as http:
            reload = http.post("/api/v1/library/reload", headers={"Authorization": f"Bearer {token}"})
        assert reload.status_code == 200 and reload.json()["version"] == 1
        versions: dict[str, int] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (set(versions.values()) != {1} or len(versions) < 2):
            answer = get(f"{base}/healthz")
            versions[answer.headers["x-assistant-worker"]] = answer.json()["library_version"]
            time.sleep(0.1)
        assert versions == {pid: 1 for pid in workers}

        # Failed sign-ins counted by one worker lock the name in the other.
        for _ in range(5):
            with httpx.Client(base_url=base, timeout=30) as http:
                csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/login").text).group(1)
                http.post("/login", data={"name": "lead", "password": "wrong", "csrf": csrf})
        refused: set[str] = set()
        for _ in range(200):  # until both workers have answered: which one takes a connection is the kernel's choice
            if refused == workers:
                break
            with httpx.Client(base_url=base, timeout=30) as http:
                csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/login").text).group(1)
                response = http.post("/login", data={"name": "lead", "password": password, "csrf": csrf}, follow_redirects=False)
                assert response.status_code == 429
                refused.add(response.headers["x-assistant-worker"])
        assert refused == workers
    finally:
        _, err = stop(server)
    assert "Traceback" not in err, err


def test_the_library_page_button_reaches_another_app_on_the_same_log(settings, engine):
    """The 重新载入 button of one worker (here: one app) makes the other reload within a few seconds."""
    from fastapi.testclient import TestClient
    from helpers import sign_in

    from assistant.log.auth import add_user
    from assistant.log.db import open_db
    from assistant.web.app import create_app

    with TestClient(create_app(settings, engine=engine)) as one, TestClient(create_app(settings, engine=engine)) as two:
        with open_db(settings.db_path) as db:
            lead = add_user(db, "组长", "lead")
        csrf = sign_in(one, "组长", lead.password)
        assert two.get("/healthz").json()["library_version"] == 0
        answer = one.post("/library/reload", headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 200 and "已重新载入" in answer.text
        assert one.get("/healthz").json()["library_version"] == 1
        deadline = time.monotonic() + 30
        while two.get("/healthz").json()["library_version"] != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert two.get("/healthz").json()["library_version"] == 1
        assert two.app.state.engine is not engine  # it loaded its own, new engine


def test_a_triage_download_link_works_on_another_worker_masked_and_only_for_its_owner(settings, engine):
    """The CSV of a ranked backlog is kept in the log, not in the worker that ranked it, with personal data masked."""
    from fastapi.testclient import TestClient
    from helpers import sign_in

    from assistant.log.auth import add_user
    from assistant.log.backlog import TRIAGE_KEPT_S, keep_triage_csv, triage_csv
    from assistant.log.db import open_db
    from assistant.web.app import create_app

    with TestClient(create_app(settings, engine=engine)) as one, TestClient(create_app(settings, engine=engine)) as two:
        with open_db(settings.db_path) as db:
            agent, other = add_user(db, "小林", "agent"), add_user(db, "小周", "agent")
        csrf = sign_in(one, "小林", agent.password)
        backlog = "快递一个星期还没到，电话13812345678\n用了以后脸上过敏红肿，再不处理我就打12315投诉"
        page = one.post("/triage", data={"csrf": csrf, "text": backlog})
        assert page.status_code == 200 and "共 2 条" in page.text
        link = re.search(r'href="(/triage/[^"]+\.csv)"', page.text).group(1)
        two.cookies = one.cookies  # the same browser, answered by the other worker
        download = two.get(link)
        assert download.status_code == 200, download.text
        rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert len(rows) == 2 and "12315" in rows[0]["投诉"]  # most severe first
        assert "13812345678" not in download.text and "快递一个星期还没到" in download.text
        two.cookies.clear()
        sign_in(two, "小周", other.password)
        assert two.get(link).status_code == 404  # another agent's backlog is not theirs to download

    record = {"line": 1, "text": "物流慢", "kind": "complaint", "intents": [], "escalate": False, "reasons": []}
    record |= {"severity": 1.0, "action": "", "draft": ""}
    with open_db(settings.db_path) as db:
        old = keep_triage_csv(db, "小林", [record], now=1_000.0)
        assert "物流慢" in triage_csv(db, old, "小林", now=1_000.0 + TRIAGE_KEPT_S - 1)
        assert triage_csv(db, old, "小林", now=1_000.0 + TRIAGE_KEPT_S + 1) is None
        keep_triage_csv(db, "小林", [record], now=1_000.0 + 2 * TRIAGE_KEPT_S)  # keeping prunes the expired
        assert db.execute("select count(*) from triage_results where id = ?", [old]).fetchone()[0] == 0
