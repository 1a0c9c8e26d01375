"""Load test: many agents at once against a real `assistant serve`, then check no write was lost.

Run from the repository root (127.0.0.1 only; bounded in clients, time and requests):

    python bench/load.py                         # 50 clients for 60 s
    python bench/load.py --clients 50 --seconds 10 --json
    python bench/load.py --think 0 --workers 1 2   # closed loop, one worker then two, with their ratio

It starts `assistant serve --workers N` on a free port with a fresh log, creates one agent per
client, then runs ``--clients`` asyncio clients (httpx2) for ``--seconds``: each picks
suggest (80%), log a reply (15%) or record an outcome on one of its own replies (5%),
then pauses ``--think`` seconds on average (an agent reading and editing; 0 for a
closed loop). It reports requests per second, p50/p99 latency per route and errors,
then opens the database and checks it holds exactly the acknowledged writes: every
reply and outcome the server answered 201 for is there, and nothing else. Given several
``--workers`` values, it runs once per value (a fresh server and log each) and reports the
throughput of each against the first, with the load average before and after each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from assistant.engine.evaluate import percentile  # noqa: E402

COMPLAINTS = [
    "买的电热水壶用了两周就不加热了，客服也不回消息",
    "快递一个星期还没到，物流信息也不更新",
    "收到的杯子碎了一个，包装太简陋",
    "颜色和图片上差太多了，明显色差",
    "怀疑是假货，味道和专柜的不一样",
    "刚买三天就降价一百块，申请保价被拒",
    "发票到现在还没开，催了好几次",
    "安装师傅迟到两个小时还乱收费",
    "牛奶收到就过期了",
    "用了以后脸上过敏红肿，已经去医院了",
    "再不处理我就打12315投诉",
    "太差了，不推荐",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int = 1) -> subprocess.Popen:
    """Start `assistant serve --workers N` and wait until every worker has answered /healthz."""
    env = {**os.environ, "ASSISTANT_CACHE_DIR": str(db.parent / "cache"), "ASSISTANT_WORKER_HEADER": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--db", str(db), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: set[str] = set()
    deadline = time.monotonic() + 60 * workers
    while time.monotonic() < deadline and len(seen) < workers:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read()}")
        try:
            with httpx.Client(timeout=2) as http:  # a new connection each time: any worker may take it
                seen.add(http.get(f"http://127.0.0.1:{port}/healthz").headers["x-assistant-worker"])
        except httpx.HTTPError:
            time.sleep(0.1)
    if len(seen) < workers:
        process.kill()
        raise RuntimeError(f"only {len(seen)} of {workers} workers answered")
    return process


def make_tokens(db: Path, n: int) -> list[str]:
    """One agent per client, created in the same log the server uses (as `assistant users add` does)."""
    from assistant.log.auth import add_user
    from assistant.log.db import open_db

    log = open_db(db)
    try:
        return [add_user(log, f"agent{i:02d}", "agent").token for i in range(n)]
    finally:
        log.close()


class Tally:
    """Latencies per route, errors, and every write the server acknowledged."""

    def __init__(self):
        self.latency: dict[str, list[float]] = {"suggest": [], "reply": [], "outcome": []}
        self.errors: list[str] = []
        self.replies: set[int] = set()
        self.outcomes: set[int] = set()


async def client_loop(
    http: httpx.AsyncClient, token: str, stop: float, think: float, rng: random.Random, tally: Tally, max_requests: int
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    mine: list[int] = []
    if think:
        await asyncio.sleep(rng.uniform(0, 2 * think))  # agents do not all click in the same millisecond
    for _ in range(max_requests):
        if time.monotonic() >= stop:
            return
        roll = rng.random()
        text = rng.choice(COMPLAINTS)
        start = time.perf_counter()
        try:
            if roll < 0.80 or (roll >= 0.95 and not mine):
                route, r = (
                    "suggest",
                    await http.post("/api/v1/suggest", json={"text": text, "platform": "taobao"}, headers=headers),
                )
                ok = r.status_code == 200
            elif roll < 0.95:
                body = {"complaint": text, "sent_text": f"您好，今天18:00前回电处理。#{rng.random()}", "platform": "jd"}
                route, r = "reply", await http.post("/api/v1/replies", json=body, headers=headers)
                ok = r.status_code == 201
                if ok:
                    mine.append(r.json()["id"])
                    tally.replies.add(r.json()["id"])
            else:
                result = rng.choice(["upgraded", "unchanged", "deleted", "no_response"])
                route, r = (
                    "outcome",
                    await http.post(f"/api/v1/replies/{rng.choice(mine)}/outcome", json={"result": result}, headers=headers),
                )
                ok = r.status_code == 201
                if ok:
                    tally.outcomes.add(r.json()["id"])
            tally.latency[route].append((time.perf_counter() - start) * 1000)
            if not ok:
                tally.errors.append(f"{route}: HTTP {r.status_code} {r.text[:200]}")
        except httpx.HTTPError as e:
            tally.errors.append(f"{type(e).__name__}: {e}")
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def run_load(
    base: str, tokens: list[str], seconds: float, think: float, seed: int = 1, max_requests: int = 100_000
) -> Tally:
    tally = Tally()
    rngs = [random.Random(seed + i) for i in range(len(tokens))]
    # One pooled client for all agents: building 50 clients (each loads TLS certificates) would stall the event
    # loop at the start and show up as server latency.
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(client_loop(http, t, stop, think, rng, tally, max_requests) for t, rng in zip(tokens, rngs)))
    return tally


def check_writes(db: Path, tally: Tally) -> dict:
    """Compare the database with the acknowledged writes: nothing lost, nothing extra."""
    conn = sqlite3.connect(db)
    replies = {r[0] for r in conn.execute("select id from replies")}
    outcomes = {r[0] for r in conn.execute("select id from outcomes")}
    integrity = conn.execute("pragma integrity_check").fetchone()[0]
    conn.close()
    return {
        "integrity": integrity,
        "replies_acknowledged": len(tally.replies),
        "replies_in_db": len(replies),
        "outcomes_acknowledged": len(tally.outcomes),
        "outcomes_in_db": len(outcomes),
        "lost": len(tally.replies - replies) + len(tally.outcomes - outcomes),
        "unacknowledged_in_db": len(replies - tally.replies) + len(outcomes - tally.outcomes),
    }


def summarize(tally: Tally, seconds: float) -> dict:
    out = {
        "requests": sum(len(v) for v in tally.latency.values()),
        "errors": len(tally.errors),
        "error_samples": tally.errors[:5],
    }
    out["rps"] = round(out["requests"] / seconds, 1)
    for route, values in tally.latency.items():
        values = sorted(values)
        if values:
            out[route] = {
                "n": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p99_ms": round(percentile(values, 99), 1),
            }
    return out


def run_once(args: argparse.Namespace, workers: int) -> dict:
    """One server with ``workers`` processes on a fresh log, loaded for ``--seconds``; its figures."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "data" / "assistant.db"
        port = free_port()
        server = start_server(db, port, workers)
        try:
            tokens = make_tokens(db, args.clients)
            tally = asyncio.run(run_load(f"http://127.0.0.1:{port}", tokens, args.seconds, args.think))
        finally:
            server.terminate()
            server.wait(timeout=30)
        result = {
            "workers": workers,
            "clients": args.clients,
            "seconds": args.seconds,
            "think_s": args.think,
            **summarize(tally, args.seconds),
            "writes": check_writes(db, tally),
        }
    result["loadavg_before"], result["loadavg_after"] = [round(x, 2) for x in load_before], [round(x, 2) for x in os.getloadavg()]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between an agent's requests, s")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="`serve --workers N`; several values: one run each")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [run_once(args, workers) for workers in args.workers]
    for result in results[1:]:
        result["throughput_ratio"] = round(result["rps"] / results[0]["rps"], 2) if results[0]["rps"] else None
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], ensure_ascii=False, indent=2))
        return
    cores = os.cpu_count()
    for result in results:
        print(
            f"workers {result['workers']}, {args.clients} clients, {args.seconds:.0f} s, think {args.think} s: "
            f"{result['requests']} requests, {result['rps']} req/s, {result['errors']} errors"
            + (f", {result['throughput_ratio']}x the first run" if "throughput_ratio" in result else "")
        )
        for route in ("suggest", "reply", "outcome"):
            if route in result:
                r = result[route]
                print(f"  {route:<8} n={r['n']:<6} p50 {r['p50_ms']} ms   p99 {r['p99_ms']} ms")
        w = result["writes"]
        print(
            f"  writes: {w['replies_acknowledged']} replies and {w['outcomes_acknowledged']} outcomes acknowledged; "
            f"lost {w['lost']}, unacknowledged in db {w['unacknowledged_in_db']}; integrity {w['integrity']}"
        )
        print(f"  load average ({cores} cores) before {result['loadavg_before']}, after {result['loadavg_after']}")


if __name__ == "__main__":
    main()
