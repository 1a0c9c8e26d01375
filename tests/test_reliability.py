"""Under load and after a crash, the log keeps exactly what the server acknowledged (a real `assistant serve`)."""

import asyncio
import importlib.util
import random
import signal
import sqlite3
import time
from pathlib import Path

import httpx2 as httpx

_spec = importlib.util.spec_from_file_location("load", Path(__file__).resolve().parent.parent / "bench" / "load.py")
load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load)


def test_ten_seconds_of_fifty_agents_lose_nothing(tmp_path):
    db = tmp_path / "data" / "assistant.db"
    port = load.free_port()
    server = load.start_server(db, port)
    try:
        tokens = load.make_tokens(db, 50)
        tally = asyncio.run(load.run_load(f"http://127.0.0.1:{port}", tokens, seconds=10, think=0.5))
    finally:
        server.terminate()
        server.wait(timeout=20)
    summary = load.summarize(tally, 10)
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["suggest"]["n"] > 0 and summary["reply"]["n"] > 0  # it ran; how many is the benchmark's business
    writes = load.check_writes(db, tally)
    assert writes["integrity"] == "ok"
    assert writes["lost"] == 0 and writes["unacknowledged_in_db"] == 0, writes


async def _write_until_killed(base, tokens, acknowledged, deadline):
    async def writer(http, token, rng):
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            body = {"complaint": "快递一个星期还没到", "sent_text": f"您好，今天18:00前回电。{rng.random()}", "platform": "jd"}
            try:
                r = await http.post("/api/v1/replies", json=body, headers=headers)
            except httpx.HTTPError:
                return  # the server is gone
            if r.status_code == 201:
                acknowledged.add(r.json()["id"])

    limits = httpx.Limits(max_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=5, limits=limits) as http:
        await asyncio.gather(*(writer(http, t, random.Random(i)) for i, t in enumerate(tokens)))


WRITES_BEFORE_KILL = 20  # acknowledged writes before the server is killed (counted, not timed)


def test_sigkill_during_writes_loses_no_acknowledged_write(tmp_path):
    db = tmp_path / "data" / "assistant.db"
    port = load.free_port()
    server = load.start_server(db, port)
    tokens = load.make_tokens(db, 20)
    acknowledged: set[int] = set()
    deadline = time.monotonic() + 120.0  # a bound for a very slow machine, not a speed requirement

    async def run():
        task = asyncio.create_task(_write_until_killed(f"http://127.0.0.1:{port}", tokens, acknowledged, deadline))
        while len(acknowledged) < WRITES_BEFORE_KILL and time.monotonic() < deadline - 5 and not task.done():
            await asyncio.sleep(0.02)
        server.send_signal(signal.SIGKILL)  # mid-write: the writers are still sending
        await task

    try:
        asyncio.run(run())
    finally:
        server.kill()
        server.wait(timeout=10)
    assert len(acknowledged) >= WRITES_BEFORE_KILL, "the load did not get going before the kill"

    restarted = load.start_server(db, port)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status_code == 200
    finally:
        restarted.terminate()
        restarted.wait(timeout=20)
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("select id from replies")}
    assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged replies lost"
