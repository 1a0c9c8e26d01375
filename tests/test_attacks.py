"""Issue 14: the attacks on a running service, each rerun as a test (docs/RELIABILITY.md lists them with their commands)."""

import random
import threading
import time

import httpx2

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
    from assistant.web.pages import TRIAGE_MAX_CHARS

    client, db = make_client()
    agent = add_user(db, "小林", "agent")
    csrf = sign_in(client, "小林", agent.password)
    lines = TRIAGE_MAX_CHARS // 4000 + 1
    response = client.post("/triage", data={"text": _backlog(lines, 4000), "csrf": csrf}, files={"file": ("", b"")})
    assert response.status_code == 400
    assert "一次最多分拣 20 万字" in response.text


def test_an_outcome_import_over_the_row_limit_is_refused_and_imports_nothing(make_client, engine):
    # Attack 2: a 300,000-row import held the server for 82 s.
    from assistant.log.outcomes import MAX_IMPORT_ROWS
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
    texts = [r[header.index("text")] for r in body] + [r[-1] for r in body]
    assert len(texts) == 2 * len(FORMULAS)
    assert all(_is_neutral(t) for t in texts), [t for t in texts if not _is_neutral(t)]


def test_week_exports_neutralise_formulas_in_csv_and_xlsx(make_client, engine):
    import csv
    import io

    from openpyxl import load_workbook

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
    book = load_workbook(io.BytesIO(client.get("/api/v1/export", params={**params, "format": "xlsx"}, headers=lead).content))
    sheet = book["rows"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("sent_text")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    platforms = [row[0] for row in book["by platform"].iter_rows(min_row=2, values_only=True)]
    assert len(cells) == len(FORMULAS) and all(_is_neutral(c) for c in cells + platforms), cells + platforms
