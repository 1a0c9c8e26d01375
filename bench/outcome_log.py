"""Benchmark the outcome log: logging a reply, and weekly statistics and export on a large log.

Run from the repository root:

    python bench/outcome_log.py                  # 1,000,000 replies over 104 weeks (about a minute to generate)
    python bench/outcome_log.py --rows 100000    # a quicker run
    python bench/outcome_log.py --json

What it measures:

- log reply: ``outcomes.log_reply`` (redaction, keyed hashes, sincerity of the sent
  text, one insert) into a WAL file, 1,000 calls after 50 warm-up calls; p50/p99 ms.
  The engine's suggestion is computed beforehand: this times the log, not the matcher.
- generate: a synthetic log of ``--rows`` replies spread evenly over ``--weeks`` ISO
  weeks (seeded, ``random.Random(7)``), 80% of them with an outcome, written with
  ``executemany`` in batches; the generator is ``generate_log`` below.
- weekly stats / export: ``weekly_stats`` and the CSV (figures and rows) and XLSX
  exports of one week in the middle of the log, each run 5 times; median and max s.

Targets: log reply p99 <= 5 ms; weekly statistics and each export <= 3 s on 1,000,000 replies.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine.core import Engine  # noqa: E402
from assistant.engine.evaluate import percentile  # noqa: E402
from assistant.log.db import open_db  # noqa: E402
from assistant.log.export import reply_rows, write_csv, write_xlsx  # noqa: E402
from assistant.log.outcomes import RESULTS, log_reply  # noqa: E402
from assistant.log.stats import iso_week, weekly_stats  # noqa: E402
from assistant.taxonomy import INTENTS  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 6, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai, 2025-W02


def bench_log_reply(db_path: Path, n: int = 1000) -> dict:
    engine = Engine.from_settings(Settings())
    complaints = ["快递一个星期还没到，电话13812345678", "收到的杯子碎了", "用了三天就坏了，客服也不理人", "发票一直没给开"]
    suggestions = [engine.suggest(c) for c in complaints]
    db = open_db(db_path)
    key = b"k" * 32
    times = []
    for i in range(n + 50):
        s = suggestions[i % len(suggestions)]
        start = time.perf_counter()
        log_reply(
            db,
            s,
            s.drafts[0].text + "今天18:00前回电。",
            agent="小林",
            platform="taobao",
            key=key,
            tz=TZ,
            customer=f"顾客{i}",
            order_id=f"9{i:011d}",
        )
        if i >= 50:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"calls": n, "p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 99), 3)}


def generate_log(db_path: Path, rows: int, weeks: int, seed: int = 7) -> float:
    """Write a synthetic log of ``rows`` replies over ``weeks`` weeks; returns seconds taken."""
    rng = random.Random(seed)
    db = open_db(db_path)
    intents = list(INTENTS)
    agents = [f"客服{i:02d}" for i in range(40)]
    platforms = ["taobao", "tmall", "jd", "pdd", "douyin", "xiaohongshu"]
    results = list(RESULTS)
    step = timedelta(weeks=weeks) / rows
    start = time.perf_counter()
    batch, outcome_batch = [], []
    columns = [
        "id",
        "sent_at",
        "week",
        "agent",
        "platform",
        "intent",
        "intents",
        "escalate",
        "reasons",
        "template_id",
        "complaint",
        "drafted_text",
        "sent_text",
        "edit_ratio",
        "sincerity",
        "customer_ref",
        "order_ref",
        "rating",
        "outcome",
        "outcome_at",
        "rating_after",
    ]
    sql = f"insert into replies ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})"
    outcome_sql = (
        "insert into outcomes (reply_id, result, rating_after, note, recorded_by, recorded_at, superseded)"
        " values (?, ?, ?, ?, ?, ?, 0)"
    )
    for i in tqdm(range(1, rows + 1), desc="generate", unit="row", file=sys.stderr, mininterval=1.0):
        sent = START + step * i
        intent = rng.choice(intents)
        escalate = rng.random() < 0.12
        outcome = rng.choice(results) if rng.random() < 0.8 else None
        outcome_at = (sent + timedelta(days=rng.uniform(0.2, 9))).isoformat(timespec="seconds") if outcome else None
        rating_after = rng.randint(3, 5) if outcome == "upgraded" else None
        batch.append(
            (
                i,
                sent.isoformat(timespec="seconds"),
                iso_week(sent, TZ),
                rng.choice(agents),
                rng.choice(platforms),
                intent,
                json.dumps([intent]),
                int(escalate),
                json.dumps(["safety"] if escalate else []),
                f"{intent}.t{rng.randint(1, 8)}",
                "快递一个星期还没到，[手机号]",
                "您好……",
                "您好，今天18:00前给您回电。",
                round(rng.random() * 0.4, 3),
                rng.randint(70, 100),
                f"c{rng.randint(1, rows // 3):x}",
                f"o{i:x}",
                rng.randint(1, 2),
                outcome,
                outcome_at,
                rating_after,
            )
        )
        if outcome:
            outcome_batch.append((i, outcome, rating_after, None, "组长", outcome_at))
        if len(batch) >= 20000:
            with db.atomic():
                db.conn.executemany(sql, batch)
                db.conn.executemany(outcome_sql, outcome_batch)
            batch, outcome_batch = [], []
    if batch:
        with db.atomic():
            db.conn.executemany(sql, batch)
            db.conn.executemany(outcome_sql, outcome_batch)
    db.execute("analyze")
    db.close()
    return time.perf_counter() - start


def timed(fn, repeat: int = 5) -> dict:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def bench_reads(db_path: Path, week: str) -> dict:
    db = open_db(db_path)

    def csv_figures():
        write_csv(weekly_stats(db, week), None, io.StringIO())

    def csv_rows():
        write_csv(weekly_stats(db, week), reply_rows(db, week), io.StringIO())

    def xlsx():
        write_xlsx(weekly_stats(db, week), reply_rows(db, week), io.BytesIO())

    sent = weekly_stats(db, week).total.sent
    return {
        "week": week,
        "replies_in_week": sent,
        "weekly_stats": timed(lambda: weekly_stats(db, week)),
        "export_csv_figures": timed(csv_figures),
        "export_csv_rows": timed(csv_rows),
        "export_xlsx": timed(xlsx, repeat=3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = bench_log_reply(Path(tmp) / "log.db")
        big = Path(tmp) / "big.db"
        seconds = generate_log(big, args.rows, args.weeks)
        middle = iso_week(START + timedelta(weeks=args.weeks // 2, days=2), TZ)
        reads = bench_reads(big, middle)
    result = {"log_reply": log, "generate": {"rows": args.rows, "weeks": args.weeks, "seconds": round(seconds, 1)}, **reads}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"log reply          p50 {log['p50_ms']} ms   p99 {log['p99_ms']} ms   (target p99 <= 5 ms)")
    print(f"generated          {args.rows:,} replies over {args.weeks} weeks in {seconds:.1f} s")
    print(f"week {reads['week']}     {reads['replies_in_week']:,} replies")
    for name in ("weekly_stats", "export_csv_figures", "export_csv_rows", "export_xlsx"):
        r = reads[name]
        print(f"{name:<18} median {r['median_s']} s   max {r['max_s']} s   (target <= 3 s)")


if __name__ == "__main__":
    main()
