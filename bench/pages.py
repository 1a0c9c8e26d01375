"""Benchmark the pages on a big log: server time of 我的回复 (with filters), the statistics page and the library page.

Run from the repository root:

    python bench/pages.py                   # 100,000 replies over 104 weeks
    python bench/pages.py --rows 20000 --json

It writes a synthetic log with ``generate_log`` from bench/outcome_log.py (seeded), signs in an agent
(客服00, one of the 40 agents in the log) and a lead through the in-process client, warms every page up
(5 requests) and then times ``--n`` requests of each. The time is taken around the whole in-process
request (routing, session and CSRF checks, queries, Jinja rendering), an upper bound on server time.
Each 我的回复 line says how many replies its filters select (``listed``, from the page's 共 N 条): a filter that
finds nothing times an empty page. The script refuses an intent id that is not one of ``assistant.taxonomy.INTENTS``.
Target: p99 <= 300 ms for every page with 100,000 replies in the log.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fastapi.testclient import TestClient  # noqa: E402
from outcome_log import START, TZ, generate_log  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.engine.evaluate import percentile  # noqa: E402
from assistant.log.auth import add_user  # noqa: E402
from assistant.log.db import open_db  # noqa: E402
from assistant.log.stats import iso_week  # noqa: E402
from assistant.taxonomy import INTENTS  # noqa: E402
from assistant.web.app import create_app  # noqa: E402

TARGET_MS = 300


def sign_in(client: TestClient, name: str, password: str) -> None:
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"name": name, "password": password, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text[:200]


def time_page(client: TestClient, path: str, params: dict, n: int) -> dict:
    for _ in range(5):
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, params, response.status_code)
    listed = re.search(r'id="count">共 (\d+) 条', response.text) if path == "/replies" else None
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(path, params=params)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    out = {"p50_ms": round(statistics.median(times), 1), "p99_ms": round(percentile(times, 99), 1)}
    return out | ({"listed": int(listed.group(1))} if listed else {})


def pages_to_time(weeks: int) -> list[tuple[str, str, str, dict]]:
    """(who, label, path, query) of every page timed, on a log of ``weeks`` weeks from ``outcome_log.START``."""
    middle = iso_week(START + timedelta(weeks=weeks // 2, days=2), TZ)
    since = (START + timedelta(weeks=weeks // 2)).date().isoformat()
    until = (START + timedelta(weeks=weeks // 2 + 26)).date().isoformat()  # half a year: one agent, jd, one intent
    monday = date.fromisocalendar(int(middle[:4]), int(middle[6:]), 1)
    week_days = {"since": monday.isoformat(), "until": (monday + timedelta(days=6)).isoformat()}
    pages = [
        ("agent", "我的回复 (pending)", "/replies", {}),
        ("agent", "我的回复 (all, page 5)", "/replies", {"show": "all", "page": 5}),
        (
            "agent",
            "我的回复 (filters)",
            "/replies",
            {"show": "all", "platform": "jd", "intent": "logistics_delay", "since": since, "until": until},
        ),
        ("agent", "我的回复 (words)", "/replies", {"show": "all", "q": "18:00"}),
        ("lead", "我的回复 (lead, all)", "/replies", {"show": "all"}),
        ("lead", "我的回复 (lead, agent+result)", "/replies", {"agent": "客服07", "show": "upgraded", "since": since}),
        ("lead", "我的回复 (lead, words)", "/replies", {"show": "all", "q": "没到"}),
        # 数据统计's drill-down: a problem type's bar opens its replies of that week (the intent the agent settled on)
        ("lead", "我的回复 (lead, a bar's replies)", "/replies", {"show": "all", "intent": "logistics_delay", **week_days}),
        ("lead", "数据统计 (a week)", "/stats", {"week": middle}),
        ("lead", "数据统计 (this week)", "/stats", {}),
        ("agent", "模板库", "/library", {}),
        ("agent", "模板库 (full)", "/library", {"view": "full"}),
        ("agent", "模板库 (search)", "/library", {"q": "退款"}),
    ]
    return pages


def unknown_intents(pages: list[tuple[str, str, str, dict]]) -> list[str]:
    """The intent filters of ``pages`` that are no intent id of the taxonomy (such a filter times an empty list)."""
    return [query["intent"] for _, _, _, query in pages if "intent" in query and query["intent"] not in INTENTS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--n", type=int, default=100, help="timed requests per page")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pages = pages_to_time(args.weeks)
    unknown = unknown_intents(pages)
    assert not unknown, f"not intent ids of the taxonomy: {unknown}"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "data" / "assistant.db", cache_dir=Path(tmp) / "cache")
        seconds = generate_log(settings.db_path, args.rows, args.weeks)
        db = open_db(settings.db_path)
        users = {"agent": add_user(db, "客服00", "agent"), "lead": add_user(db, "组长", "lead")}
        db.close()
        results = {}
        with TestClient(create_app(settings)) as agent, TestClient(create_app(settings)) as lead:
            clients = {"agent": agent, "lead": lead}
            for role, client in clients.items():
                sign_in(client, users[role].name, users[role].password)
            for role, label, path, params in pages:
                results[label] = time_page(clients[role], path, params, args.n)
    if args.json:
        print(json.dumps({"rows": args.rows, "generate_s": round(seconds, 1), "pages": results}, ensure_ascii=False, indent=2))
        return
    print(f"{args.rows:,} replies over {args.weeks} weeks (generated in {seconds:.1f} s); {args.n} warm requests a page")
    for label, r in results.items():
        verdict = "ok" if r["p99_ms"] <= TARGET_MS else "OVER"
        listed = f"   lists {r['listed']:,}" if "listed" in r else ""
        print(f"{label:<32} p50 {r['p50_ms']:>7} ms   p99 {r['p99_ms']:>7} ms   {verdict} (target p99 <= {TARGET_MS} ms){listed}")


if __name__ == "__main__":
    main()
