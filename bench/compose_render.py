"""Benchmark the draft page: server time to render the suggestion partial (POST /compose/suggest).

Run from the repository root:

    python bench/compose_render.py           # readable table
    python bench/compose_render.py --json

It signs in through the in-process client, warms up, then posts complaints of about
50, 200, 500 and 1,000 characters (built from real-looking complaint sentences,
seeded) 200 times each and reports p50/p99 in ms per length. The time is measured
around the whole in-process request (routing, CSRF and session checks, the log's
history queries, the engine, Jinja rendering), so it is an upper bound on server time.
Target: p99 <= 100 ms at every length up to 1,000 characters.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.engine.evaluate import percentile  # noqa: E402
from assistant.log.auth import add_user  # noqa: E402
from assistant.log.db import open_db  # noqa: E402
from assistant.web.app import create_app  # noqa: E402

SENTENCES = [
    "买的电热水壶用了两周就不加热了",
    "客服一直不回消息",
    "快递一个星期还没到",
    "收到的时候包装破了，杯子碎了一个",
    "颜色和图片上差太多了",
    "怀疑是假货，味道和专柜的不一样",
    "刚买三天就降价了一百块",
    "发票到现在还没开",
    "安装师傅迟到了两个小时还要收材料费",
    "牛奶收到就过期了",
    "用了以后脸上过敏红肿",
    "再不处理我就打12315投诉",
]
LENGTHS = (50, 200, 500, 1000)


def complaint(rng: random.Random, length: int) -> str:
    parts = []
    while sum(len(p) + 1 for p in parts) < length:
        parts.append(rng.choice(SENTENCES))
    return "，".join(parts)[:length]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(3)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "data" / "assistant.db")
        with TestClient(create_app(settings)) as client:
            user = add_user(open_db(settings.db_path), "bench", "agent")
            page = client.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            client.post("/login", data={"name": "bench", "password": user.password, "csrf": csrf})
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/compose").text).group(1)
            headers = {"X-CSRF-Token": csrf}
            for _ in range(30):
                client.post("/compose/suggest", data={"text": complaint(rng, 200), "platform": "taobao"}, headers=headers)
            for length in LENGTHS:
                times = []
                for _ in range(args.runs):
                    body = {"text": complaint(rng, length), "platform": "taobao"}
                    start = time.perf_counter()
                    response = client.post("/compose/suggest", data=body, headers=headers)
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200 and "draft" in response.text
                times.sort()
                results[length] = {
                    "p50_ms": round(statistics.median(times), 2),
                    "p99_ms": round(percentile(times, 99), 2),
                }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for length, r in results.items():
        print(f"{length:>5} chars   p50 {r['p50_ms']:>6} ms   p99 {r['p99_ms']:>6} ms   (target p99 <= 100 ms)")


if __name__ == "__main__":
    main()
