"""How fast and how large is the assistant, warm and cold, with the trained model loaded?

Six measurements (the machine is shared and noisy, so every timing is repeated and
the median of the repetitions is reported, with its spread and ratios):

(a) warm, in-process ``Engine.suggest`` on the shipped library and the shipped
    ``replies/model.npz``: the engine is built once and warmed up on 30 of its
    library's example phrasings (never timed), then every complaint of
    ``../shared/eval/train.jsonl`` (1,500 distinct texts; the training file:
    ``dev.jsonl`` is kept for scoring only) is suggested once per pass; p50 and p99
    of each pass, median over ``--passes`` passes. Passes alternate with passes of
    the same engine with ``model = None`` (the keyword rules alone), so the cost of
    the model is a ratio measured under the same load. Every timed call is real
    work on a text: the texts of a pass are distinct and outnumber the entries of
    the engine's largest per-text cache (``functools.lru_cache``, 256), so nothing a
    call cached for its text is still there when that text comes round again (the
    script refuses to time otherwise). Without ``train.jsonl`` the library's
    example phrasings stand in (distinct, about 3,600), and the output says so;
(b) the same on a synthetic library of 5,000 intent templates (5 example phrasings
    each, generated with a seeded RNG into a temporary folder, next to the shipped
    escalation rules, words.txt, offline templates, intent-level keywords and
    patterns, and the shipped model file), with the time to build the engine and
    the evidence index;
(c) cold start of the CLI: ``python -m assistant suggest ... --json`` in fresh
    processes (after one untimed run that fills the jieba cache), with the model and
    with a copy of the library without ``model.npz``;
(d) resident memory (VmRSS and its peak VmHWM from /proc/PID/status) of
    ``python -m assistant serve`` on a temporary --db and a free port of 127.0.0.1:
    once it answers /healthz, and after ``--requests`` POST /api/v1/suggest calls
    with an agent's token (``assistant users add``); median over ``--serve-runs`` servers;
(e) wall time of ``python -m assistant train --data ../shared/eval/train.jsonl
    --out TMP/model.npz`` (median of ``--train-runs``), and its cross-validated figures.

Subprocesses run ``python -m assistant`` from the repository root, so they use this
checkout's code. Run from the repository root:

    python bench/suggest_latency.py            # a readable table
    python bench/suggest_latency.py --json     # one JSON object with every figure
    python bench/suggest_latency.py --quick    # fewer repetitions, for a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine.core import MODEL_FILE, Engine  # noqa: E402
from assistant.engine.evaluate import percentile  # noqa: E402
from assistant.engine.evidence import EvidenceIndex  # noqa: E402
from assistant.engine.library import Library  # noqa: E402
from assistant.engine.load import load_library  # noqa: E402
from assistant.taxonomy import INTENTS  # noqa: E402

TRAIN = ROOT.parent / "shared" / "eval" / "train.jsonl"
WARMUP = 30
SYNTHETIC_TEMPLATES = 5000
CLI_TEXT = "快递三天了还没到，客服也不回消息"
TARGETS = {
    "warm_p50_ms": 3.0,
    "warm_p99_ms": 15.0,
    "synthetic_p99_ms": 30.0,
    "cli_cold_s": 2.5,
    "serve_rss_mb": 300.0,
    "train_s": 60.0,
}


# Word pools for the synthetic library (b).
PRODUCTS = [
    "电热水壶",
    "电饭煲",
    "吹风机",
    "空气炸锅",
    "扫地机器人",
    "洗衣机",
    "冰箱",
    "空调",
    "手机",
    "平板",
    "耳机",
    "充电宝",
    "羽绒服",
    "牛仔裤",
    "运动鞋",
    "洗发水",
    "面霜",
    "奶粉",
    "坚果礼盒",
    "猕猴桃",
    "台灯",
    "床垫",
]
TIMES = [
    "刚收到",
    "用了三天",
    "买了一周",
    "才用两次",
    "到手第二天",
    "等了五天",
    "下单半个月",
    "昨天晚上",
    "今天早上",
    "用了不到一个月",
    "双十一买的",
    "上周末",
]
EMOTIONS = [
    "太失望了",
    "气死我了",
    "真的无语",
    "非常生气",
    "让人心寒",
    "再也不买了",
    "必须给个说法",
    "请尽快处理",
    "体验极差",
    "很不满意",
    "不是第一次了",
    "麻烦认真对待",
]
PROBLEMS = {
    "quality_defect": ["就坏了", "不加热了", "有异响", "开不了机", "一直漏水", "做工粗糙", "有股怪味", "按键失灵"],
    "damaged_delivery": ["外箱压扁了", "到手就碎了", "包装破了个洞", "里面漏了一地", "边角全撞坏了", "玻璃裂了"],
    "wrong_missing_item": ["发错了颜色", "少了一个配件", "赠品没有发", "尺码发错了", "型号不对", "只收到一件"],
    "logistics_delay": ["还没到", "物流一直不更新", "快递不送上门", "显示签收却没收到", "卡在中转站", "迟迟不发货"],
    "not_as_described": ["和图片不一样", "色差很大", "跟描述不符", "尺寸偏小很多", "材质不是宣传的", "功能是假的"],
    "counterfeit": ["像是假货", "防伪码查不到", "不是正品", "有使用痕迹", "是翻新机", "专柜说是假的"],
    "price_promotion": ["第二天就降价", "保价被拒", "优惠券用不了", "满减没生效", "价格比别家贵", "活动规则骗人"],
    "refund_return": ["退货不给退", "退款一直不到账", "换货没人处理", "运费要我出", "拒绝七天无理由", "退款被驳回"],
    "service_attitude": ["客服不回消息", "客服态度恶劣", "一直踢皮球", "答应回电没回", "机器人答非所问", "客服挂电话"],
    "installation_repair": ["安装师傅没来", "维修拖了很久", "上门乱收费", "装好就漏水", "预约改了三次", "修完又坏"],
    "expired_spoiled": ["已经过期了", "快到期了", "发霉了", "吃出异物", "有酸味变质", "生产日期很早"],
    "safety_hazard": ["冒烟了", "漏电了", "烫伤了手", "皮肤过敏", "充电发烫鼓包", "差点起火"],
    "privacy_security": ["信息被泄露", "天天接骚扰电话", "账号被盗", "地址被别人知道", "收到诈骗短信", "被陌生人加好友"],
    "billing_invoice": ["扣了两次钱", "多扣了款", "发票没开", "发票抬头错了", "自动续费没提醒", "金额不对"],
    "usage_question": ["不会用", "说明书看不懂", "不知道怎么设置", "连不上手机", "找不到开关", "怎么清洗"],
    "other": ["太差了", "不推荐", "非常不满意", "后悔买了", "体验很糟", "一星都不想给"],
}
OPENINGS = ["{{ customer }}您好，", "{{ customer }}，您好。", "您好，{{ customer }}。"]
ACKS = [
    "看到您说{{ product }}{{ issue }}，这确实是我们没做好，给您添麻烦了。",
    "您反映的{{ issue }}我们已经记下，{{ product }}出现这种情况是我们的责任。",
    "关于{{ order_id }}里{{ product }}的{{ issue }}，您说得对，我们先向您道歉。",
]
ACTIONS = [
    "{{ deadline }}核实原因，换新{{ policy.resend_deadline }}发出，退款{{ policy.refund_deadline }}到账，您选哪种都行。",
    "请您拍一张照片发给我们，{{ policy.resend_deadline }}安排补发，{{ policy.return_shipping }}。",
    "我会为您登记加急处理，{{ deadline }}由专人回电，告诉您处理结果。",
    "我们会在{{ policy.visit_deadline }}安排师傅上门检测，检测后直接维修或更换。",
]
CLOSINGS = ["有任何进展我会第一时间告诉您。——{{ agent }}", "这件事由我跟到底，{{ agent }}。", ""]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_texts() -> tuple[list[str], str]:
    """Complaint texts of train.jsonl, or the shipped library's example phrasings when it is absent; and where they
    came from. Either way distinct texts, so a pass never times a text whose work is still cached (``check_texts``)."""
    if TRAIN.exists():
        with TRAIN.open(encoding="utf-8") as fp:
            texts = [json.loads(line)["text"] for line in fp if line.strip()]
        return list(dict.fromkeys(texts)), str(TRAIN)
    shipped = library_examples(load_library(Settings().replies_dir))
    return shipped, "the shipped library's example phrasings (train.jsonl not found)"


def library_examples(library: Library) -> list[str]:
    """The distinct example phrasings of a library's templates, in file order."""
    return list(dict.fromkeys(e for t in library.templates for e in t.examples))


def largest_text_cache() -> int:
    """The most entries any bounded ``functools`` cache of the engine's modules keeps (0 if none): a text suggested
    again within that many calls may find work done for it still cached. (The unbounded ones are keyed on a setting,
    such as an OpenCC configuration: one keyed on texts would grow without end in a server.)"""
    sizes = [0]
    for name, module in list(sys.modules.items()):
        if name.startswith("assistant.engine"):
            for value in vars(module).values():
                parameters = getattr(value, "cache_parameters", None)
                if callable(parameters) and parameters()["maxsize"] is not None:
                    sizes.append(parameters()["maxsize"])
    return max(sizes)


def check_texts(texts: list[str], warmup: list[str]) -> None:
    """Refuse to time a pass whose texts could be answered from a cache: each must be distinct, more of them than the
    largest cache keeps, and none a warm-up text."""
    cache = largest_text_cache()
    if len(set(texts)) != len(texts) or len(texts) <= cache or set(warmup) & set(texts):
        sys.exit(
            f"{len(texts)} texts ({len(set(texts))} distinct, {len(set(warmup) & set(texts))} also warm-up texts): "
            f"a pass needs more than {cache} distinct texts, none used to warm up, or it times cache hits"
        )


def one_pass(engine: Engine, texts: list[str]) -> dict:
    """Time ``suggest`` once on every text; p50/p99/mean/max in ms."""
    times = []
    for text in texts:
        start = time.perf_counter()
        engine.suggest(text)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": percentile(sorted(times), 99),
        "mean_ms": statistics.fmean(times),
        "max_ms": max(times),
    }


def median_of(passes: list[dict]) -> dict:
    """Median over passes of each figure, and the range of p50 and p99 over the passes."""
    out = {k: round(statistics.median(p[k] for p in passes), 3) for k in passes[0]}
    for k in ("p50_ms", "p99_ms"):
        out[k.replace("_ms", "_range_ms")] = [round(min(p[k] for p in passes), 3), round(max(p[k] for p in passes), 3)]
    return out


def warm_latency(engine: Engine, texts: list[str], passes: int, label: str) -> dict:
    """Alternate passes with the engine's model and with ``model = None``; medians over passes and their ratios."""
    model = engine.model
    timed = set(texts)
    warmup = [e for e in library_examples(engine.library) if e not in timed][:WARMUP]
    check_texts(texts, warmup)
    for text in warmup:
        engine.suggest(text)
    with_model, rules_alone, ratios = [], [], {"p50": [], "p99": [], "mean": []}
    try:
        for n in range(passes):
            order = (model, None) if n % 2 == 0 else (None, model)  # neither always runs first
            got = {}
            for m in order:
                engine.model = m
                got[m is not None] = one_pass(engine, texts)
            with_model.append(got[True])
            rules_alone.append(got[False])
            for k in ratios:
                ratios[k].append(got[True][f"{k}_ms"] / got[False][f"{k}_ms"])
            progress(
                f"  {label}: pass {n + 1}/{passes}: with model p50 {got[True]['p50_ms']:.2f} ms "
                f"p99 {got[True]['p99_ms']:.2f} ms; rules alone p50 {got[False]['p50_ms']:.2f} ms"
            )
    finally:
        engine.model = model
    return {
        "texts": len(texts),
        "distinct_texts": len(set(texts)),
        "largest_text_cache": largest_text_cache(),
        "passes": passes,
        "calls_per_pass": len(texts),
        "model_loaded": model is not None,
        "with_model": median_of(with_model),
        "rules_alone": median_of(rules_alone),
        "model_over_rules": {k: round(statistics.median(v), 3) for k, v in ratios.items()},
    }


def synthetic_body(rng: random.Random) -> str:
    """A reply body of 60-300 characters built from stock sentences with placeholders."""
    while True:
        body = rng.choice(OPENINGS) + rng.choice(ACKS) + "".join(rng.sample(ACTIONS, rng.randint(1, 2))) + rng.choice(CLOSINGS)
        if 60 <= len(body) <= 300:
            return body


def synthetic_example(rng: random.Random, intent: str) -> str:
    """One varied complaint phrasing: time, product, problem and emotion in a random shape."""
    time_, product, problem, emotion = rng.choice(TIMES), rng.choice(PRODUCTS), rng.choice(PROBLEMS[intent]), rng.choice(EMOTIONS)
    shapes = [
        f"{time_}的{product}{problem}，{emotion}",
        f"{product}{time_}就{problem}了，{emotion}！",
        f"{emotion}，{product}{problem}",
        f"我{time_}买的{product}，结果{problem}，{emotion}",
        f"{product}{problem}，{rng.choice(PROBLEMS[intent])}，{emotion}",
    ]
    return rng.choice(shapes)


def write_synthetic_library(directory: Path, total: int = SYNTHETIC_TEMPLATES) -> None:
    """Copy the shipped rules, words, offline templates, intent-level keys and model; write ``total`` intent templates."""
    shipped = Settings().replies_dir
    shutil.copy(shipped / "escalation.yaml", directory)
    shutil.copy(shipped / "words.txt", directory)
    shutil.copytree(shipped / "offline", directory / "offline")
    if (shipped / MODEL_FILE).exists():
        shutil.copy(shipped / MODEL_FILE, directory)  # its labels are the intents, whatever the templates
    rng = random.Random(1)
    intents = list(INTENTS)
    for k, intent in enumerate(intents):
        source = shipped / f"{intent}.yaml"
        doc = (yaml.safe_load(source.read_text(encoding="utf-8")) or {}) if source.exists() else {}
        doc.update({"intent": intent, "label": INTENTS[intent]})  # keep the shipped keywords and patterns
        count = total // len(intents) + (k < total % len(intents))
        templates = []
        for n in range(count):
            templates.append(
                {
                    "id": f"{intent}.s{n:04d}",
                    "situation": f"{rng.choice(PRODUCTS)}{rng.choice(PROBLEMS[intent])}",
                    "examples": [synthetic_example(rng, intent) for _ in range(5)],
                    "keywords": rng.sample(PROBLEMS[intent], 2),
                    "body": synthetic_body(rng),
                }
            )
        doc["templates"] = templates
        (directory / f"{intent}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def synthetic_latency(texts: list[str], passes: int) -> dict:
    """Build an engine over the synthetic library, time the build and the evidence index alone, and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_synthetic_library(directory)
        start = time.perf_counter()
        engine = Engine.from_settings(Settings(replies_dir=directory))
        built = time.perf_counter()
        EvidenceIndex.build(engine.library, engine.segmenter)  # the index step of the build, timed on its own
        indexed = time.perf_counter()
        result = warm_latency(engine, texts, passes, "5,000 templates")
    result.update(
        {
            "templates": sum(t.kind == "intent" for t in engine.library.templates),
            "examples": len(engine.index.phrases),
            "engine_build_s": round(built - start, 3),
            "index_build_s": round(indexed - built, 3),
        }
    )
    return result


def run_cli(args: list[str], env: dict | None = None, timeout: float = 300) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``python -m assistant ARGS`` from the repository root; wall seconds and the result."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"]
        raise RuntimeError(f"assistant {args[0]} exit code {proc.returncode}: {lines[-1]}")
    return elapsed, proc


def cli_cold_start(runs: int) -> dict:
    """``assistant suggest`` in fresh processes, alternating the shipped library and a copy without the model file."""
    shipped = Settings().replies_dir
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bare = Path(tmp) / "replies"
            shutil.copytree(shipped, bare, ignore=shutil.ignore_patterns(MODEL_FILE))
            envs = {"with_model": None, "rules_alone": {**os.environ, "ASSISTANT_REPLIES_DIR": str(bare)}}
            seen = {}
            for name, env in envs.items():  # untimed: fills the trimmed jieba dictionary cache
                _, proc = run_cli(["suggest", CLI_TEXT, "--json"], env)
                seen[name] = json.loads(proc.stdout)
            times = {name: [] for name in envs}
            for n in range(runs):
                for name in list(envs) if n % 2 == 0 else list(envs)[::-1]:
                    elapsed, proc = run_cli(["suggest", CLI_TEXT, "--json"], envs[name])
                    json.loads(proc.stdout)
                    times[name].append(elapsed)
            progress(
                f"  cold start: with model {statistics.median(times['with_model']):.2f} s, "
                f"rules alone {statistics.median(times['rules_alone']):.2f} s (medians of {runs})"
            )
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
        return {"ok": False, "error": str(e)}
    out = {"ok": True, "runs": runs, "text": CLI_TEXT, "top_intent": seen["with_model"]["intents"][0]["id"]}
    for name, ts in times.items():
        out[name] = {"median_s": round(statistics.median(ts), 3), "min_s": round(min(ts), 3), "max_s": round(max(ts), 3)}
    out["model_over_rules"] = round(out["with_model"]["median_s"] / out["rules_alone"]["median_s"], 3)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid: int) -> dict:
    """VmRSS and VmHWM of a process, MB (from /proc/PID/status), and how many child processes it has."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    fields["children"] = len(children.read_text().split()) if children.exists() else 0
    return fields


def http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, bytes]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def serve_once(texts: list[str], requests: int) -> dict:
    """One ``assistant serve`` on a fresh log and a free port of 127.0.0.1: memory after start-up and after the requests."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "assistant.db"
        _, proc = run_cli(["users", "add", "bench", "--role", "agent", "--json", "--db", str(db)])
        token = json.loads(proc.stdout)["token"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with open(Path(tmp) / "serve.log", "w+", encoding="utf-8") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                started = time.perf_counter()
                while True:
                    if server.poll() is not None:
                        log.seek(0)
                        raise RuntimeError(f"server exited: {log.read()[-500:]}")
                    if time.perf_counter() - started > 60:
                        raise RuntimeError("server did not answer /healthz within 60 s")
                    try:
                        if http("GET", f"{base}/healthz")[0] == 200:
                            break
                    except OSError:
                        time.sleep(0.05)
                ready_s = time.perf_counter() - started
                time.sleep(0.5)  # let start-up settle
                after_start = memory(server.pid)
                latencies = []
                for n in range(requests):
                    t0 = time.perf_counter()
                    status, body = http("POST", f"{base}/api/v1/suggest", {"text": texts[n % len(texts)]}, token)
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if status != 200 or not json.loads(body)["intents"]:
                        raise RuntimeError(f"suggest answered {status}")
                after_requests = memory(server.pid)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    return {
        "ready_s": round(ready_s, 3),
        "after_start": after_start,
        "after_requests": after_requests,
        "suggest_p50_ms": round(statistics.median(latencies), 2),
        "suggest_p99_ms": round(percentile(sorted(latencies), 99), 2),
    }


def serve_memory(texts: list[str], runs: int, requests: int) -> dict:
    """``serve_once`` ``runs`` times; medians."""
    try:
        results = []
        for n in range(runs):
            results.append(serve_once(texts, requests))
            r = results[-1]
            progress(
                f"  serve {n + 1}/{runs}: RSS {r['after_start']['VmRSS']} MB after start-up, "
                f"{r['after_requests']['VmRSS']} MB after {requests} suggests (peak {r['after_requests']['VmHWM']} MB)"
            )
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        return {"ok": False, "error": str(e)}
    med = lambda key, field: statistics.median(r[key][field] for r in results)  # noqa: E731
    return {
        "ok": True,
        "runs": runs,
        "requests": requests,
        "children": max(r["after_requests"]["children"] for r in results),
        "rss_after_start_mb": med("after_start", "VmRSS"),
        "rss_after_requests_mb": med("after_requests", "VmRSS"),
        "peak_rss_mb": med("after_requests", "VmHWM"),
        "max_rss_after_requests_mb": max(r["after_requests"]["VmRSS"] for r in results),
        "ready_s": round(statistics.median(r["ready_s"] for r in results), 3),
        "http_suggest_p50_ms": round(statistics.median(r["suggest_p50_ms"] for r in results), 2),
        "http_suggest_p99_ms": round(statistics.median(r["suggest_p99_ms"] for r in results), 2),
        "each": results,
    }


def train_time(runs: int) -> dict:
    """``assistant train --data train.jsonl --out TMP`` ``runs`` times; wall seconds and the last run's figures."""
    if not TRAIN.exists():
        return {"ok": False, "error": f"{TRAIN} not found"}
    times, figures = [], {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(runs):
                elapsed, proc = run_cli(["train", "--data", str(TRAIN), "--out", str(Path(tmp) / "model.npz"), "--json"])
                times.append(elapsed)
                figures = json.loads(proc.stdout)
                progress(f"  train {n + 1}/{runs}: {elapsed:.1f} s")
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
        return {"ok": False, "error": str(e)}
    keep = (
        "n_labelled",
        "n_library",
        "top1",
        "top3",
        "model_top1",
        "evidence_top1",
        "precision",
        "recall",
        "rules_precision",
        "rules_recall",
        "inputs_hash",
    )
    return {
        "ok": True,
        "runs": runs,
        "median_s": round(statistics.median(times), 2),
        "min_s": round(min(times), 2),
        "max_s": round(max(times), 2),
        "cv_figures": {k: figures.get(k) for k in keep},
    }


def machine() -> dict:
    """Where and on what the figures were measured."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "changed_files": [line[3:] for line in git("status", "--porcelain", "--", "assistant", "replies").splitlines()],
    }


def print_table(result: dict) -> None:
    m = result["machine"]
    changed = f" (+ local changes: {', '.join(m['changed_files'])})" if m["changed_files"] else ""
    print(
        f"{m['date']}  commit {m['commit']}{changed}"
        f"  Python {m['python']}  {m['cpus']} CPUs  load {m['loadavg']} -> {result['loadavg_after']}"
    )
    rows: list[tuple[str, object, float | None]] = []
    if "shipped" in result:
        s = result["shipped"]
        rows += [
            (
                f"(a) shipped library ({s['templates']} templates), model {'loaded' if s['model_loaded'] else 'MISSING'};",
                None,
                None,
            ),
            (f"    {s['distinct_texts']} distinct texts x {s['passes']} passes; median of passes:", None, None),
            ("    warm p50 ms", s["with_model"]["p50_ms"], TARGETS["warm_p50_ms"]),
            ("    warm p99 ms", s["with_model"]["p99_ms"], TARGETS["warm_p99_ms"]),
            ("    warm mean ms", s["with_model"]["mean_ms"], None),
            (f"    p50 range over passes ms {s['with_model']['p50_range_ms']}", None, None),
            (f"    p99 range over passes ms {s['with_model']['p99_range_ms']}", None, None),
            ("    rules alone (model = None) p50 ms", s["rules_alone"]["p50_ms"], None),
            ("    rules alone p99 ms", s["rules_alone"]["p99_ms"], None),
            ("    with model / rules alone, p50", s["model_over_rules"]["p50"], None),
            ("    with model / rules alone, p99", s["model_over_rules"]["p99"], None),
        ]
    if "synthetic" in result:
        y = result["synthetic"]
        rows += [
            (
                f"(b) synthetic, {y['templates']} templates, {y['examples']} examples, "
                f"model {'loaded' if y['model_loaded'] else 'MISSING'}:",
                None,
                None,
            ),
            ("    warm p50 ms", y["with_model"]["p50_ms"], None),
            ("    warm p99 ms", y["with_model"]["p99_ms"], TARGETS["synthetic_p99_ms"]),
            ("    rules alone p50 ms", y["rules_alone"]["p50_ms"], None),
            ("    with model / rules alone, p50", y["model_over_rules"]["p50"], None),
            ("    engine build s (load + jieba + index + model)", y["engine_build_s"], None),
            ("    of which evidence index build s", y["index_build_s"], None),
        ]
    if "cli_cold" in result:
        c = result["cli_cold"]
        if c["ok"]:
            rows += [
                (f"(c) `assistant suggest` cold, {c['runs']} runs: median s", c["with_model"]["median_s"], TARGETS["cli_cold_s"]),
                ("    min / max s", f"{c['with_model']['min_s']:.2f} / {c['with_model']['max_s']:.2f}", None),
                ("    without model.npz: median s", c["rules_alone"]["median_s"], None),
                ("    with model / without", c["model_over_rules"], None),
            ]
        else:
            rows.append((f"(c) cold start FAILED: {c['error']}", None, None))
    if "serve" in result:
        v = result["serve"]
        if v["ok"]:
            rows += [
                (
                    f"(d) `assistant serve` RSS, median of {v['runs']}: after start-up MB",
                    v["rss_after_start_mb"],
                    TARGETS["serve_rss_mb"],
                ),
                (f"    after {v['requests']} POST /api/v1/suggest MB", v["rss_after_requests_mb"], TARGETS["serve_rss_mb"]),
                ("    peak (VmHWM) MB", v["peak_rss_mb"], TARGETS["serve_rss_mb"]),
                ("    child processes", v["children"], None),
                (
                    "    HTTP suggest p50 / p99 ms (one client)",
                    f"{v['http_suggest_p50_ms']:.1f} / {v['http_suggest_p99_ms']:.1f}",
                    None,
                ),
            ]
        else:
            rows.append((f"(d) serve FAILED: {v['error']}", None, None))
    if "train" in result:
        t = result["train"]
        if t["ok"]:
            f = t["cv_figures"]
            rows += [
                (f"(e) `assistant train` on train.jsonl, {t['runs']} runs: median s", t["median_s"], TARGETS["train_s"]),
                ("    min / max s", f"{t['min_s']:.1f} / {t['max_s']:.1f}", None),
                (
                    f"    ({f['n_labelled']} complaints + {f['n_library']} library examples; CV top1 {f['top1']}, "
                    f"escalation P/R {f['precision']}/{f['recall']})",
                    None,
                    None,
                ),
            ]
        else:
            rows.append((f"(e) train FAILED: {t['error']}", None, None))
    print(f"{'measurement':<58}{'value':>12}  {'target':>9}  verdict")
    for label, value, target in rows:
        if value is None:
            print(label)
            continue
        shown = f"{value:>12}" if isinstance(value, (int, str)) else f"{value:>12.3f}"
        verdict = "" if target is None else ("ok" if value <= target else "MISSED")
        print(f"{label:<58}{shown}  {'' if target is None else f'<= {target:g}':>9}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test, not figures to report)")
    parser.add_argument("--passes", type=int, default=5, help="passes over the texts, shipped library (default 5)")
    parser.add_argument("--synthetic-passes", type=int, default=3, help="passes, 5,000-template library (default 3)")
    parser.add_argument("--cli-runs", type=int, default=7, help="cold `assistant suggest` runs (default 7)")
    parser.add_argument("--serve-runs", type=int, default=3, help="servers started for the memory figure (default 3)")
    parser.add_argument("--requests", type=int, default=200, help="suggest requests per server (default 200)")
    parser.add_argument("--train-runs", type=int, default=3, help="`assistant train` runs (default 3)")
    parser.add_argument(
        "--only",
        choices=["shipped", "synthetic", "cli", "serve", "train"],
        action="append",
        help="measure only these (repeatable; default all)",
    )
    args = parser.parse_args()
    if args.quick:
        args.passes, args.synthetic_passes, args.cli_runs, args.serve_runs, args.train_runs = 1, 1, 2, 1, 1
    only = set(args.only or ["shipped", "synthetic", "cli", "serve", "train"])
    texts, source = load_texts()
    result: dict = {"source": source, "texts": len(texts), "targets": TARGETS, "machine": machine()}
    if "shipped" in only:
        progress("(a) warm suggest, shipped library")
        engine = Engine.from_settings(Settings())
        result["shipped"] = warm_latency(engine, texts, args.passes, "shipped")
        result["shipped"]["templates"] = sum(t.kind == "intent" for t in engine.library.templates)
        del engine
    if "synthetic" in only:
        progress("(b) warm suggest, 5,000 templates")
        result["synthetic"] = synthetic_latency(texts, args.synthetic_passes)
    if "cli" in only:
        progress("(c) cold `assistant suggest`")
        result["cli_cold"] = cli_cold_start(args.cli_runs)
    if "serve" in only:
        progress("(d) `assistant serve` resident memory")
        result["serve"] = serve_memory(texts, args.serve_runs, args.requests)
    if "train" in only:
        progress("(e) `assistant train` wall time")
        result["train"] = train_time(args.train_runs)
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
