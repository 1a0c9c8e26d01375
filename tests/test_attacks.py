"""Issue 14: the attacks on a running service, each rerun as a test (docs/RELIABILITY.md lists them with their commands)."""

import random
import threading
import time
from datetime import date

import httpx2
import pytest

from assistant.log.auth import add_user
from assistant.log.db import open_db
from assistant.web.app import create_app
from tests.helpers import running, sign_in


def _backlog(lines: int, chars: int) -> str:
    """``lines`` complaints of ``chars`` characters each, varied enough to keep the engine busy."""
    rng = random.Random(14)
    words = "快递没到客服不回消息质量太差退款东西坏了包装破损发错货说好的赠品没有给"
    return "\n".join("".join(rng.choice(words) for _ in range(chars)) for _ in range(lines))


def _healthz_while(base: str, work) -> tuple[float, float]:
    """Run ``work()`` in a thread, ask /healthz 0.3 s later; return (healthz seconds, work seconds)."""
    took = {}

    def run():
        start = time.perf_counter()
        work()
        took["work"] = time.perf_counter() - start

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)
    start = time.perf_counter()
    assert httpx2.get(f"{base}/healthz", timeout=60).status_code == 200
    health = time.perf_counter() - start
    thread.join()
    return health, took["work"]


def test_healthz_answers_while_a_big_triage_runs(settings, engine):
    # Attack 2: 30 pasted lines of 5,000 characters blocked /healthz for 10 s (the batch ran on the event loop).
    app = create_app(settings, engine=engine)
    with running(app) as base, httpx2.Client(base_url=base, timeout=120) as client:
        agent = add_user(open_db(settings.db_path), "小林", "agent")
        csrf = sign_in(client, "小林", agent.password)
        text = _backlog(40, 5000)
        response = {}

        def triage():
            # multipart, as the page's form sends it (the pasted box beside the file picker)
            response["r"] = client.post("/triage", data={"text": text, "csrf": csrf}, files={"file": ("", b"")})

        health, work = _healthz_while(base, triage)
    assert response["r"].status_code == 200, response["r"].text[:300]
    assert work > 1.0, f"the batch took only {work:.2f} s: too small to show anything"
    assert health < 0.5, f"/healthz took {health:.2f} s while the batch ran ({work:.2f} s)"


def test_a_backlog_over_the_character_limit_is_refused_in_chinese(make_client):
    from assistant.web.pages_triage import TRIAGE_MAX_CHARS

    client, db = make_client()
    agent = add_user(db, "小林", "agent")
    csrf = sign_in(client, "小林", agent.password)
    lines = TRIAGE_MAX_CHARS // 4000 + 1
    response = client.post("/triage", data={"text": _backlog(lines, 4000), "csrf": csrf}, files={"file": ("", b"")})
    assert response.status_code == 400
    assert "一次最多分拣 20 万字" in response.text


def test_an_outcome_import_over_the_row_limit_is_refused_and_imports_nothing(make_client, engine):
    # Attack 2: a 300,000-row import held the server for 82 s.
    from assistant.log.worksheet import MAX_IMPORT_ROWS
    from tests.helpers import make_reply

    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    reply_id = make_reply(db, engine)
    body = "reply_id,result\n" + f"{reply_id},converted\n" * (MAX_IMPORT_ROWS + 1)
    response = client.post("/api/v1/outcomes/import", content=body.encode(), headers={"Authorization": f"Bearer {lead.token}"})
    assert response.status_code == 400
    assert f"import at most {MAX_IMPORT_ROWS} rows" in response.json()["detail"]
    assert db.execute("select count(*) from outcomes").fetchone()[0] == 0


def test_library_patterns_have_bounded_runs_and_still_match():
    # 5,000 digits made each `[…\d]+个电话` rule scan to the end of the text from every start (0.4 s a pattern).
    from assistant.engine.library import LONGEST_RUN, compile_pattern

    pattern = compile_pattern(r"(好多|[二两三四五六七八九十\d]+)(次|个)电话|(一|\d+)个多月")
    assert "]+" not in pattern.pattern and "\\d+" not in pattern.pattern
    assert pattern.search("打了12个电话").group(0) == "12个电话"
    assert pattern.search("1" * 5000 + "个电话").group(0) == "1" * LONGEST_RUN + "个电话"
    assert pattern.search("等了3个多月") and not pattern.search("1" * 5000)
    assert compile_pattern(r"a\]+").pattern == r"a\]+"  # an escaped bracket is a literal, left alone


FORMULAS = ['=HYPERLINK("http://x","点我")', " =1+1", "\n=1+1", "\u200b=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "\t@x"]


def _is_neutral(cell: str) -> bool:
    return cell.startswith("'")


def test_the_triage_csv_neutralises_formulas_in_the_header_and_every_cell(make_client):
    # Attack 8: the header row was written raw and " =", "\n=", zero-width and full-width starts were not prefixed.
    import csv
    import io
    import re

    client, db = make_client()
    agent = add_user(db, "小林", "agent")
    csrf = sign_in(client, "小林", agent.password)
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["text", FORMULAS[0]])
    for formula in FORMULAS:
        writer.writerow([formula + "快递太慢了", formula])
    page = client.post("/triage", data={"csrf": csrf}, files={"file": ("backlog.csv", rows.getvalue().encode())})
    assert page.status_code == 200, page.text[:300]
    link = re.search(r'href="(/triage/[^"]+\.csv)"', page.text).group(1)
    table = list(csv.reader(io.StringIO(client.get(link).content.decode("utf-8-sig"))))
    header, body = table[0], table[1:]
    assert _is_neutral(header[-1]), header
    texts = [r[header.index("投诉")] for r in body] + [r[-1] for r in body]  # the page's download heads its columns in Chinese
    assert len(texts) == 2 * len(FORMULAS)
    assert all(_is_neutral(t) for t in texts), [t for t in texts if not _is_neutral(t)]


def test_week_exports_neutralise_formulas_in_csv_and_xlsx(make_client, engine):
    import csv
    import io

    from openpyxl import load_workbook

    from assistant.log.readable import ROW_LABELS, ROWS_SHEET, SHEET_NAMES
    from tests.helpers import make_reply

    client, db = make_client()
    lead = {"Authorization": f"Bearer {add_user(db, '组长', 'lead').token}"}
    for formula in FORMULAS:
        make_reply(db, engine, sent_text=formula + "您好，已为您处理", platform=formula)
    params = {"week": "2026-W47", "format": "csv", "table": "rows"}
    table = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/export", params=params, headers=lead).content.decode("utf-8-sig")))
    )
    assert len(table) == len(FORMULAS)
    assert all(_is_neutral(r["sent_text"]) and _is_neutral(r["platform"]) for r in table), table
    # The workbook shows the text as it was written: no visible apostrophe (in XLSX it would be part of the text), but a
    # text cell with the quote-prefix style, so neither opening nor editing it in a spreadsheet runs a formula.
    book = load_workbook(io.BytesIO(client.get("/api/v1/export", params={**params, "format": "xlsx"}, headers=lead).content))
    sheet = book[ROWS_SHEET]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index(ROW_LABELS["sent_text"])] for row in sheet.iter_rows(min_row=2)]
    platforms = [row[0] for row in book[SHEET_NAMES["platform"]].iter_rows(min_row=2)]
    logged = {"sent_text": [r["sent_text"][1:] for r in table], "platform": [r["platform"][1:] for r in table]}  # as stored
    assert sorted(c.value for c in cells) == sorted(logged["sent_text"])
    assert sorted(c.value for c in platforms) == sorted(logged["platform"])
    assert all(c.data_type == "s" and c.quotePrefix for c in cells + platforms), [
        (c.value, c.data_type, c.quotePrefix) for c in cells + platforms
    ]
    plain = [c for c in sheet[2] if isinstance(c.value, str) and not c.value.lstrip().startswith(tuple("=+-@＝＋－＠"))]
    assert plain and not any(c.quotePrefix for c in plain)  # other text is left without the style


@pytest.fixture
def agent_page(make_client):
    """A client signed in as an agent through the login form, its CSRF token, and the app's log."""
    client, db = make_client()
    agent = add_user(db, "小林", "agent")
    return client, sign_in(client, "小林", agent.password), db


SENT = {"complaint": "快递一个星期还没到", "sent_text": "您好，今天18:00前回电说明物流进度。", "platform": "jd"}


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("sent_text", "a" * 20000, "回复内容最多 5000 个字"),
        ("platform", "p" * 41, "平台最多 40 个字"),
        ("customer", "王" * 101, "称呼最多 100 个字"),
        ("buyer_id", "b" * 101, "买家昵称/ID最多 100 个字"),
        ("template_id", "logistics_delay." + "x" * 200, "模板最多 120 个字"),
    ],
)
def test_compose_sent_caps_every_field_like_the_api(agent_page, field, value, message):
    # Attack 9: /compose/sent stored a 20,000-character sent_text (the API caps at 5,000) and any platform.
    client, csrf, db = agent_page
    response = client.post("/compose/sent", data={**SENT, field: value, "csrf": csrf})
    assert response.status_code == 400
    assert message in response.text
    assert db.execute("select count(*) from replies").fetchone()[0] == 0


def test_an_unknown_template_id_is_refused_by_the_page_and_the_api(agent_page):
    client, csrf, db = agent_page
    page = client.post("/compose/sent", data={**SENT, "template_id": "no_such.template", "csrf": csrf})
    assert page.status_code == 400 and "草稿用的模板不在模板库里" in page.text
    token = add_user(db, "小王", "agent").token
    api = client.post(
        "/api/v1/replies", json={**SENT, "template_id": "no_such.template"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 400 and "not a template of the library" in api.json()["detail"]
    assert db.execute("select count(*) from replies").fetchone()[0] == 0
    known = {**SENT, "template_id": "logistics_delay.slow_shipping"}
    assert client.post("/api/v1/replies", json=known, headers={"Authorization": f"Bearer {token}"}).status_code == 201


@pytest.mark.parametrize("week", ["2000-W01", f"2099-W{date(2099, 12, 28).isocalendar()[1]:02d}"])
def test_the_stats_page_and_the_api_accept_the_same_weeks(make_client, week):
    # Attack 9: /stats?week=2000-W01 was refused (its trend reached into 1999) while the API accepted it.
    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    sign_in(client, "组长", lead.password)
    assert (
        client.get("/api/v1/stats/weekly", params={"week": week}, headers={"Authorization": f"Bearer {lead.token}"}).status_code
        == 200
    )
    page = client.get("/stats", params={"week": week})
    assert page.status_code == 200, page.text[:300]
    assert ("上一周" in page.text) == (week != "2000-W01")
    assert ("下一周" in page.text) == (week == "2000-W01")


def test_connections_that_trickle_their_headers_are_closed(settings, engine, monkeypatch):
    # Attack 9: 800 connections sending headers a byte at a time were all held open.
    import socket

    from assistant.web import serving

    monkeypatch.setattr(serving, "HEADER_TIMEOUT", 0.5)
    with running(create_app(settings, engine=engine), **serving.uvicorn_options()) as base:
        port = int(base.rsplit(":", 1)[1])
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
        for s in slow:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line that ends the headers
            s.settimeout(5)
        closed = sum(1 for s in slow if s.recv(1024) == b"")
        assert closed == len(slow)
        assert httpx2.get(f"{base}/healthz", timeout=5).status_code == 200
        for s in slow:
            s.close()


def test_every_response_carries_the_security_headers(make_client):
    # Attack 7: no CSP, X-Frame-Options, nosniff or Referrer-Policy; the page showing a new password was cacheable.
    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    csrf = sign_in(client, "组长", lead.password)
    created = client.post("/users", data={"name": "小林", "role": "agent", "csrf": csrf})
    assert created.status_code == 200 and "小林" in created.text
    responses = {
        "new password page": created,
        "login page": client.get("/login"),
        "api": client.get("/healthz"),
        "404 page": client.get("/no-such-page"),
        "413": client.post("/api/v1/suggest", content=b"x" * 70000, headers={"Authorization": f"Bearer {lead.token}"}),
        "static": client.get("/static/app.js"),
    }
    for name, response in responses.items():
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, name
        assert response.headers.get("x-frame-options") == "DENY", name
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get("referrer-policy") == "same-origin", name
        assert (response.headers.get("cache-control") == "no-store") == (name != "static"), name


def test_the_session_cookie_is_secure_behind_https(tmp_path, engine):
    from fastapi.testclient import TestClient

    from assistant.config import Settings

    for https in (False, True):
        settings = Settings(db_path=tmp_path / str(https) / "assistant.db", behind_https=https)
        with TestClient(create_app(settings, engine=engine), base_url="https://assist.example") as client:
            lead = add_user(open_db(settings.db_path), "组长", "lead")
            page = client.get("/login")
            csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            signed = client.post("/login", data={"name": "组长", "password": lead.password, "csrf": csrf}, follow_redirects=False)
            cookie = signed.headers["set-cookie"].lower()
            assert ("; secure" in cookie) == https, cookie
            assert ("strict-transport-security" in signed.headers) == https


def test_the_bookmarklet_origin_comes_from_the_setting_not_the_host_header(tmp_path, engine):
    from fastapi.testclient import TestClient

    from assistant.config import Settings

    settings = Settings(db_path=tmp_path / "assistant.db", public_origin="https://assist.example.com/")
    with TestClient(create_app(settings, engine=engine)) as client:
        agent = add_user(open_db(settings.db_path), "小林", "agent")
        sign_in(client, "小林", agent.password)
        page = client.get("/help", headers={"Host": "evil.example"})
    assert "https://assist.example.com/compose?text=" in page.text
    assert "evil.example" not in page.text


FAULT_SCRIPT = """
import json, stat, sys
from pathlib import Path
from assistant.log.db import companions, open_db, read_only_files

path = Path(sys.argv[1]) / "data" / "assistant.db"
out = {}
db = open_db(path)
db.execute("insert into revoked_sessions values ('a', 1)")
db.conn.commit()
out["modes"] = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [path.parent, *companions(path)] if p.exists()}
db.close()  # SQLite removes -wal and -shm with the last connection
path.chmod(0o444)  # the fault: the log made read-only with real file permissions while the service runs
try:
    during = open_db(path, migrate=False)
    during.execute("insert into revoked_sessions values ('b', 2)")
    during.conn.commit()
    out["during"] = "written"
except Exception as e:
    out["during"] = f"{type(e).__name__}: {e}"
out["reported"] = read_only_files(path)
out["sidecars"] = {p.name: stat.S_IMODE(p.stat().st_mode) for p in companions(path)[1:] if p.exists()}
path.chmod(0o600)  # the operator puts the mode back
try:
    after = open_db(path, migrate=False)
    after.execute("insert into revoked_sessions values ('c', 3)")
    after.conn.commit()
    out["after"] = "written"
except Exception as e:
    out["after"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
"""


def test_a_read_only_log_heals_and_its_files_are_private():
    # Attack 6: files 0644 in a 0755 folder; after a real read-only fault SQLite left -wal/-shm 0444 and nothing healed.
    import json
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-c", FAULT_SCRIPT, folder]
        if os.getuid() == 0:  # root writes read-only files: run the service's side as an ordinary user (nobody)
            if not Path("/usr/bin/setpriv").exists():
                pytest.skip("running as root without setpriv: a permission fault cannot be made")
            os.chown(folder, 65534, 65534)
            command = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["modes"] == {"data": 0o700, "assistant.db": 0o600, "assistant.db-wal": 0o600, "assistant.db-shm": 0o600}
    assert "readonly" in out["during"]
    assert "assistant.db (mode 444)" in out["reported"] or "assistant.db (mode 400)" in out["reported"]
    for name, mode in out["sidecars"].items():  # what SQLite left behind during the fault is named
        if not mode & 0o200:
            assert f"{name} (mode {mode:o})" in out["reported"]
    assert out["after"] == "written"


def test_secret_files_are_private_in_a_private_folder(settings, make_client):
    import stat

    make_client()
    folder = settings.db_path.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("secret.key", "session.key", "assistant.db"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name


def test_long_text_is_segmented_in_pieces_with_the_same_tokens_and_offsets(engine):
    # jieba's HMM is quadratic in a run of unknown characters (5,000 took 0.25 s): long text is cut in pieces.
    from assistant.engine.normalize import PIECE

    clause = "快递一个星期还没到客服也不回消息，"
    tokens, boundaries = engine.segmenter.cut(clause)
    long_tokens, long_boundaries = engine.segmenter.cut(clause * 40)
    assert len(clause * 40) > 3 * PIECE
    assert long_tokens == tokens * 40
    assert long_boundaries == {b + k * len(clause) for k in range(40) for b in boundaries}


def test_an_existing_log_folder_is_tightened_but_a_shared_one_is_left_alone(tmp_path):
    import stat

    from assistant.log.db import load_or_create_secret

    own, shared = tmp_path / "data", tmp_path / "work"
    for folder in (own, shared):
        folder.mkdir(mode=0o755)
        folder.chmod(0o755)
    (own / "assistant.db").touch(mode=0o644)
    (shared / "notes.txt").write_text("someone else's file")
    for folder in (own, shared):
        open_db(folder / "assistant.db").close()
        load_or_create_secret(folder / "secret.key")
        assert stat.S_IMODE((folder / "assistant.db").stat().st_mode) == 0o600
        assert stat.S_IMODE((folder / "secret.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_no_more_than_two_suggestions_compute_at_once(engine, monkeypatch):
    """Suggestions are pure CPU under the GIL: beyond two at a time they only delay the event loop (/healthz p99
    146-172 ms with 10 clients sending the worst inputs, 36-41 ms with the bound; bench/adversarial.py)."""
    import threading
    import time

    from assistant import replying

    running, most, lock = 0, 0, threading.Lock()
    real = engine.suggest

    def counted(*args, **kwargs):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.02)  # long enough for the other threads to arrive
            return real(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(engine, "suggest", counted)
    threads = [
        threading.Thread(target=replying.suggest, args=(engine, "快递一个星期还没到", replying.Fields()), kwargs={"agent": None})
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 2
