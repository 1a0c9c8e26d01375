"""Benchmark the outcome log: logging a reply, weekly statistics and export on a large log, and an outcome import.

Run from the repository root:

    python bench/outcome_log.py                  # 1,000,000 replies over 104 weeks (about a minute to generate)
    python bench/outcome_log.py --rows 100000    # a quicker run
    python bench/outcome_log.py --only import    # only the outcome import (also: --only log, --only reads)
    python bench/outcome_log.py --json

What it measures:

- log reply: ``sent.log_reply`` (redaction, keyed hashes, sincerity of the sent
  text, one insert) into a WAL file, 1,000 calls after 50 warm-up calls; p50/p99 ms.
  The engine's suggestion is computed beforehand: this times the log, not the matcher.
- generate: a synthetic log of ``--rows`` replies spread evenly over ``--weeks`` ISO
  weeks (seeded, ``random.Random(7)``), 80% of them with an outcome, written with
  ``executemany`` in batches; the generator is ``generate_log`` below.
- weekly stats / export: ``weekly_stats``, and ``export.export_file`` (what the API, the
  数据统计 page and ``assistant export`` call: the week's statistics computed, then the file
  written) for the CSV of figures, the CSV of rows (the API's ids, and for people as the
  page's button writes it) and the XLSX workbook with Chinese names and local times, for
  one week in the middle of the log; 5 runs each (XLSX 3); median and max s.
- outcome import: a log of ``--import-rows`` replies (20,000, the most one sheet holds),
  我的回复's sheet of all of them downloaded (``worksheet_csv``), every row's 结果 filled
  in (a note on every tenth) and uploaded (``worksheet.import_outcomes``), 5 times, each
  time on a freshly downloaded sheet with another result so every row is written: the
  whole import, the time it holds the write lock (BEGIN IMMEDIATE to COMMIT), and the
  longest wait of another writer meanwhile (a thread on its own connection writing a row
  every 10 ms, as a page's outcome would), median and max; then the same sheet uploaded
  again (nothing written, every row unchanged).

Targets: log reply p99 <= 5 ms; weekly statistics and each export <= 3 s on 1,000,000 replies; an import of
20,000 rows holds the write lock at most half the 5 s busy timeout (2.5 s), so another writer never nears it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
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
from assistant.log.export import export_file  # noqa: E402
from assistant.log.history import ReplyFilter  # noqa: E402
from assistant.log.sent import log_reply  # noqa: E402
from assistant.log.stats import iso_week, weekly_stats  # noqa: E402
from assistant.log.worksheet import import_outcomes, worksheet_csv  # noqa: E402
from assistant.taxonomy import INTENTS, RESULTS  # noqa: E402

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


def bench_reads(db_path: Path, week: str, titles: dict) -> dict:
    db = open_db(db_path)

    def export(fmt: str, table: str = "figures", **people):
        return lambda: export_file(db, week, fmt, table, **people)

    readable = {"template_titles": titles, "tz": TZ}
    sent = weekly_stats(db, week).total.sent
    return {
        "week": week,
        "replies_in_week": sent,
        "weekly_stats": timed(lambda: weekly_stats(db, week)),
        "export_csv_figures": timed(export("csv")),
        "export_csv_rows": timed(export("csv", "rows")),
        "export_csv_rows_for_people": timed(export("csv", "rows", for_people=True, **readable)),
        "export_xlsx": timed(export("xlsx", **readable), repeat=3),
    }


class LockWatch:
    """How long the import holds the write lock: the statements' times from BEGIN IMMEDIATE to COMMIT, and the
    longest wait of another writer meanwhile (a thread with its own connection writing every 10 ms)."""

    def __init__(self, db, db_path: Path):
        self.db, self.db_path = db, db_path
        self.held: list[float] = []
        self.waits: list[float] = []
        self._begun = 0.0
        self._stop = threading.Event()

    def _trace(self, statement: str) -> None:
        if statement == "BEGIN IMMEDIATE":
            self._begun = time.perf_counter()
        elif statement == "COMMIT" and self._begun:
            self.held.append(time.perf_counter() - self._begun)
            self._begun = 0.0

    def _writer(self) -> None:
        conn = sqlite3.connect(str(self.db_path), timeout=30, isolation_level=None)
        conn.execute("create table if not exists bench_probe (at real)")
        while not self._stop.is_set():
            start = time.perf_counter()
            conn.execute("begin immediate")
            conn.execute("insert into bench_probe values (?)", [start])
            conn.execute("commit")
            self.waits.append(time.perf_counter() - start)
            time.sleep(0.01)
        conn.close()

    def __enter__(self):
        self.db.conn.set_trace_callback(self._trace)
        self._thread = threading.Thread(target=self._writer)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.db.conn.set_trace_callback(None)


def _filled(sheet: bytes, result: str) -> str:
    """The downloaded sheet with every row's 结果 filled in, a note on every tenth."""
    rows = list(csv.reader(io.StringIO(sheet.decode("utf-8-sig"), newline="")))
    header = rows[0]
    for n, row in enumerate(rows[1:]):
        row[header.index("结果")] = result
        if n % 10 == 0:
            row[header.index("备注")] = "电话回访，顾客说会再看看"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def bench_import(db_path: Path, rows: int, repeat: int = 5) -> dict:
    generate_log(db_path, rows, 4)
    db = open_db(db_path)
    download, total, held, waits = [], [], [], []
    sheet = ""
    for n in range(repeat):
        start = time.perf_counter()
        downloaded = worksheet_csv(db, ReplyFilter(), tz=TZ)
        download.append(time.perf_counter() - start)
        sheet = _filled(downloaded, "已改好评" if n % 2 == 0 else "没有变化")
        with LockWatch(db, db_path) as watch:
            start = time.perf_counter()
            done = import_outcomes(db, sheet, by="组长")
            total.append(time.perf_counter() - start)
        # every row is recorded, or already had that result (the generated log holds outcomes of its own)
        assert done.recorded + done.unchanged == rows and not done.skipped, done
        held.append(sum(watch.held))
        waits.append(max(watch.waits, default=0.0))
    start = time.perf_counter()
    again = import_outcomes(db, sheet, by="组长")
    again_s = time.perf_counter() - start
    again_recorded = again.recorded

    def figure(values: list[float]) -> dict:
        return {"median_s": round(statistics.median(values), 3), "max_s": round(max(values), 3)}

    return {
        "rows": rows,
        "download": figure(download),
        "import": figure(total),
        "write_lock_held": figure(held),
        "other_writer_longest_wait": figure(waits),
        "same_sheet_again": {"seconds": round(again_s, 3), "recorded": again_recorded},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--only", action="append", choices=["log", "reads", "import"], help="run only these parts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parts = set(args.only or ["log", "reads", "import"])
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "log" in parts:
            result["log_reply"] = bench_log_reply(Path(tmp) / "log.db")
        if "reads" in parts:
            big = Path(tmp) / "big.db"
            seconds = generate_log(big, args.rows, args.weeks)
            result["generate"] = {"rows": args.rows, "weeks": args.weeks, "seconds": round(seconds, 1)}
            middle = iso_week(START + timedelta(weeks=args.weeks // 2, days=2), TZ)
            titles = Engine.from_settings(Settings()).library.situations
            result.update(bench_reads(big, middle, titles))
        if "import" in parts:
            result["outcome_import"] = bench_import(Path(tmp) / "import.db", args.import_rows)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if "log_reply" in result:
        log = result["log_reply"]
        print(f"log reply          p50 {log['p50_ms']} ms   p99 {log['p99_ms']} ms   (target p99 <= 5 ms)")
    if "generate" in result:
        print(f"generated          {args.rows:,} replies over {args.weeks} weeks in {result['generate']['seconds']} s")
        print(f"week {result['week']}     {result['replies_in_week']:,} replies")
        for name in ("weekly_stats", "export_csv_figures", "export_csv_rows", "export_csv_rows_for_people", "export_xlsx"):
            r = result[name]
            print(f"{name:<26} median {r['median_s']} s   max {r['max_s']} s   (target <= 3 s)")
    if "outcome_import" in result:
        r = result["outcome_import"]
        print(f"outcome import of {r['rows']:,} rows (median / max of 5):")
        print(f"  download the sheet         {r['download']['median_s']} / {r['download']['max_s']} s")
        print(f"  import, whole              {r['import']['median_s']} / {r['import']['max_s']} s")
        held, wait = r["write_lock_held"], r["other_writer_longest_wait"]
        print(f"  write lock held            {held['median_s']} / {held['max_s']} s   (target <= 2.5 s: half the busy timeout)")
        print(f"  another writer waited      {wait['median_s']} / {wait['max_s']} s at most")
        again = r["same_sheet_again"]
        print(f"  the same sheet again       {again['seconds']} s, {again['recorded']} recorded")


if __name__ == "__main__":
    main()
