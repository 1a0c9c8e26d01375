"""Anonymous sign-in flood: the peak resident memory of a real `assistant serve` while 60 threads x 3 POST /login.

Run from the repository root (127.0.0.1 only):

    python bench/logins.py                 # both scenarios, one worker
    python bench/logins.py --workers 2 --json

Each thread fetches the login form (for its CSRF cookie) and posts 3 sign-ins with unknown names,
all threads at once. Every Argon2 verification takes 64 MiB while it runs, so without a bound the
server grows by 64 MiB per thread of its pool (the attack in issue 14 took it from 126 MB to 2.36 GB).

Two scenarios, each on a fresh server and log:

- ``one address``: every thread from 127.0.0.1 (the attack as reported; the per-address limit refuses
  most attempts after 20 failures, before any hash).
- ``60 addresses``: the server trusts 127.0.0.1 as a proxy (``ASSISTANT_TRUSTED_PROXIES``) and each
  thread sends its own X-Forwarded-For, so no address reaches its limit and every attempt is hashed:
  only the bound on concurrent verifications (``password_checks``) keeps memory down.

It reports the server's VmRSS once /healthz answers, the peak VmHWM of each server process after the
flood (the kernel's high-water mark: nothing between samples is missed), the answers by status, and
the wall time. Target: peak under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def server_pids(pid: int) -> list[int]:
    """The serve process and, with --workers, its worker processes (they answer the requests)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


def start(db: Path, port: int, workers: int, env: dict) -> subprocess.Popen:
    """Start `assistant serve --workers N` and wait until N distinct workers have answered /healthz."""
    command = [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--db", str(db), "--workers", str(workers)]
    env = {**env, "ASSISTANT_WORKER_HEADER": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: set[str] = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(seen) < workers:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read()}")
        try:
            seen.add(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).headers["x-assistant-worker"])
        except httpx.HTTPError:
            time.sleep(0.2)
    if len(seen) < workers:
        process.kill()
        raise RuntimeError(f"only {len(seen)} of {workers} workers answered within 180 s")
    return process


def flood(base: str, threads: int, attempts: int, distinct_addresses: bool) -> tuple[Counter, float]:
    statuses: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def one(n: int) -> None:
        headers = {"X-Forwarded-For": f"198.51.{n // 250}.{n % 250 + 1}"} if distinct_addresses else {}
        with httpx.Client(base_url=base, timeout=120) as http:
            csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/login").text).group(1)
            barrier.wait()
            for k in range(attempts):
                data = {"name": f"nobody-{n}-{k}", "password": "guess", "csrf": csrf, "next": "/compose"}
                try:
                    status = http.post("/login", data=data, headers=headers).status_code
                except httpx.HTTPError as e:
                    status = type(e).__name__
                with lock:
                    statuses[status] += 1

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    start_time = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return statuses, time.perf_counter() - start_time


def scenario(name: str, workers: int, threads: int, attempts: int, distinct: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "data" / "assistant.db"
        env = {**os.environ, "ASSISTANT_CACHE_DIR": str(Path(tmp) / "cache")}
        if distinct:
            env["ASSISTANT_TRUSTED_PROXIES"] = "127.0.0.1"
        port = free_port()
        server = start(db, port, workers, env)
        try:
            pids = server_pids(server.pid)
            before = {pid: status_kb(pid, "VmRSS") for pid in pids}
            statuses, seconds = flood(f"http://127.0.0.1:{port}", threads, attempts, distinct)
            peak = {pid: status_kb(pid, "VmHWM") for pid in pids}
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "scenario": name,
        "workers": workers,
        "requests": threads * attempts,
        "rss_before_mb": round(max(before.values()) / 1024),
        "peak_hwm_mb": round(max(peak.values()) / 1024),
        "peak_hwm_all_processes_mb": round(sum(peak.values()) / 1024),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=60)
    parser.add_argument("--attempts", type=int, default=3, help="sign-ins per thread")
    parser.add_argument("--workers", type=int, default=1, help="passed to `assistant serve --workers`")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [
        scenario("one address", args.workers, args.threads, args.attempts, distinct=False),
        scenario(f"{args.threads} addresses", args.workers, args.threads, args.attempts, distinct=True),
    ]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(
            f"{r['scenario']:<13} workers {r['workers']}: {r['requests']} sign-ins in {r['seconds']} s; "
            f"RSS before {r['rss_before_mb']} MB, peak VmHWM {r['peak_hwm_mb']} MB per process "
            f"({r['peak_hwm_all_processes_mb']} MB all processes); answers {r['statuses']}"
        )


if __name__ == "__main__":
    main()
