"""How fast is ``Engine.suggest``, warm and cold?

Three measurements:

(a) warm, in-process latency on the shipped library: the engine is built once,
    warmed up, then every complaint of ``../shared/eval/dev.jsonl`` (or ~50
    built-in synthetic complaints when that file is absent) is suggested 5 times;
(b) the same on a synthetic library of 5,000 intent templates (5 example
    phrasings each, generated with a seeded RNG into a temporary folder, next to
    the shipped escalation rules, words.txt, offline templates and intent-level
    keywords and patterns), with the time to build the engine and the match index;
(c) cold start of the CLI: ``python -m assistant suggest ... --json`` run 5 times.

Run from the repository root:

    python bench/suggest_latency.py          # a readable table
    python bench/suggest_latency.py --json   # one JSON object with every figure
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine import Engine  # noqa: E402
from assistant.library import INTENTS  # noqa: E402
from assistant.match import MatchIndex  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
ROUNDS, WARMUP, CLI_RUNS = 5, 30, 5
SYNTHETIC_TEMPLATES = 5000
CLI_TEXT = "快递三天了还没到，客服也不回消息"
TARGETS = {"warm_p50_ms": 3.0, "warm_p99_ms": 15.0, "synthetic_p99_ms": 30.0, "cli_cold_s": 2.5}

FALLBACK_COMPLAINTS = [
    "快递一个星期还没到", "物流信息三天没更新了", "快递员不送上楼，让我自己去驿站拿", "显示已签收但我根本没收到",
    "买了不到一个月就坏了", "电饭煲用了两次就不加热了", "吹风机有很大的异响", "衣服洗一次就掉色起球",
    "收到的时候箱子都压扁了", "杯子到手就是碎的", "洗发水漏了一箱子", "包装被拆开过，封条都是破的",
    "我买的是黑色，发来的是白色", "少发了一个配件，充电器没有", "说好的赠品没有送", "尺码发错了，要L给了S",
    "实物和图片差太多了", "颜色色差严重，跟描述完全不符", "宣传说续航十小时，实际两小时不到", "面料根本不是纯棉的",
    "怀疑是假货，防伪码查不到", "包装像是二手翻新的，有使用痕迹", "专柜验了说不是正品",
    "刚买第二天就降价了，申请保价被拒", "优惠券用不了，结算没有减", "满减活动规则写得不清不楚",
    "退货申请提交一周了还没处理", "退款迟迟不到账", "要我自己出退货运费，凭什么", "客服态度太差了，爱理不理",
    "问了三次都没人回复，踢皮球", "客服答应给我回电，结果没有消息", "约好的安装师傅没来", "维修拖了半个月还没修好",
    "师傅上门乱收费", "牛奶收到就过期了", "水果一半都烂了", "面包里有头发，吃出异物", "充电的时候冒烟了，差点起火",
    "孩子用了以后皮肤过敏红肿", "插上电就漏电，手被电了一下", "买完就接到各种骚扰电话，我的信息被泄露了",
    "账号被盗了还被下了单", "同一笔订单扣了两次钱", "发票一直没开，开出来抬头还是错的", "说明书看不懂，不知道怎么设置",
    "这个怎么连接手机，找不到蓝牙", "太差了，不推荐", "再也不会买了，一星", "已经投诉到12315了，你们看着办",
    "不解决我就发微博曝光", "要求假一赔三，否则起诉",
]

# Word pools for the synthetic library (b).
PRODUCTS = ["电热水壶", "电饭煲", "吹风机", "空气炸锅", "扫地机器人", "洗衣机", "冰箱", "空调", "手机", "平板", "耳机",
            "充电宝", "羽绒服", "牛仔裤", "运动鞋", "洗发水", "面霜", "奶粉", "坚果礼盒", "猕猴桃", "台灯", "床垫"]
TIMES = ["刚收到", "用了三天", "买了一周", "才用两次", "到手第二天", "等了五天", "下单半个月", "昨天晚上", "今天早上",
         "用了不到一个月", "双十一买的", "上周末"]
EMOTIONS = ["太失望了", "气死我了", "真的无语", "非常生气", "让人心寒", "再也不买了", "必须给个说法", "请尽快处理",
            "体验极差", "很不满意", "不是第一次了", "麻烦认真对待"]
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
ACKS = ["看到您说{{ product }}{{ issue }}，这确实是我们没做好，给您添麻烦了。",
        "您反映的{{ issue }}我们已经记下，{{ product }}出现这种情况是我们的责任。",
        "关于{{ order_id }}里{{ product }}的{{ issue }}，您说得对，我们先向您道歉。"]
ACTIONS = ["我们会在{{ deadline }}核实原因，并为您安排换新或退款，您选哪种都可以。",
           "请您拍一张照片发给我们，{{ deadline }}安排补发，运费由我们承担。",
           "已为您登记加急处理，{{ deadline }}由专人回电，告诉您处理结果。",
           "我们会在{{ deadline }}安排师傅上门检测，检测后直接维修或更换。"]
CLOSINGS = ["有任何进展我会第一时间告诉您。——{{ agent }}", "这件事由我跟到底，{{ agent }}。", ""]


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def load_texts() -> tuple[list[str], str]:
    """Complaint texts of dev.jsonl, or the built-in ones when it is absent; and where they came from."""
    if DEV.exists():
        with DEV.open(encoding="utf-8") as fp:
            return [json.loads(line)["text"] for line in fp if line.strip()], str(DEV)
    return list(FALLBACK_COMPLAINTS), "built-in synthetic complaints (dev.jsonl not found)"


def warm_latency(engine: Engine, texts: list[str]) -> dict:
    """Warm up, then time ``suggest`` on every text for ``ROUNDS`` rounds."""
    for text in texts[:WARMUP]:
        engine.suggest(text)
    times = []
    for _ in range(ROUNDS):
        for text in texts:
            start = time.perf_counter()
            engine.suggest(text)
            times.append((time.perf_counter() - start) * 1000)
    figures = {"p50_ms": statistics.median(times), "p99_ms": percentile(times, 99), "mean_ms": statistics.fmean(times), "max_ms": max(times)}
    return {"calls": len(times), **{k: round(v, 3) for k, v in figures.items()}}


def synthetic_body(rng: random.Random) -> str:
    """A reply body of 60-300 characters built from stock sentences with placeholders."""
    while True:
        body = rng.choice(OPENINGS) + rng.choice(ACKS) + "".join(rng.sample(ACTIONS, rng.randint(1, 2))) + rng.choice(CLOSINGS)
        if 60 <= len(body) <= 300:
            return body


def synthetic_example(rng: random.Random, intent: str) -> str:
    """One varied complaint phrasing: time, product, problem and emotion in a random shape."""
    time_, product, problem, emotion = rng.choice(TIMES), rng.choice(PRODUCTS), rng.choice(PROBLEMS[intent]), rng.choice(EMOTIONS)
    shapes = [f"{time_}的{product}{problem}，{emotion}", f"{product}{time_}就{problem}了，{emotion}！",
              f"{emotion}，{product}{problem}", f"我{time_}买的{product}，结果{problem}，{emotion}",
              f"{product}{problem}，{rng.choice(PROBLEMS[intent])}，{emotion}"]
    return rng.choice(shapes)


def write_synthetic_library(directory: Path, total: int = SYNTHETIC_TEMPLATES) -> None:
    """Copy the shipped rules, words, offline templates and intent-level keys; write ``total`` intent templates."""
    shipped = Settings().replies_dir
    shutil.copy(shipped / "escalation.yaml", directory)
    shutil.copy(shipped / "words.txt", directory)
    shutil.copytree(shipped / "offline", directory / "offline")
    rng = random.Random(1)
    intents = list(INTENTS)
    for k, intent in enumerate(intents):
        source = shipped / f"{intent}.yaml"
        doc = (yaml.safe_load(source.read_text(encoding="utf-8")) or {}) if source.exists() else {}
        doc.update({"intent": intent, "label": INTENTS[intent]})  # keep the shipped keywords and patterns
        count = total // len(intents) + (k < total % len(intents))
        templates = []
        for n in range(count):
            templates.append({
                "id": f"{intent}.s{n:04d}",
                "situation": f"{rng.choice(PRODUCTS)}{rng.choice(PROBLEMS[intent])}",
                "examples": [synthetic_example(rng, intent) for _ in range(5)],
                "keywords": rng.sample(PROBLEMS[intent], 2),
                "body": synthetic_body(rng),
            })
        doc["templates"] = templates
        (directory / f"{intent}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def synthetic_latency(texts: list[str]) -> dict:
    """Build an engine over the synthetic library, time the build and the match index alone, and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_synthetic_library(directory)
        start = time.perf_counter()
        engine = Engine.from_settings(Settings(replies_dir=directory))
        built = time.perf_counter()
        MatchIndex.build(engine.library, engine.segmenter)  # the index step of the build, timed on its own
        indexed = time.perf_counter()
        result = warm_latency(engine, texts)
    result.update({"templates": sum(t.kind == "intent" for t in engine.library.templates), "examples": len(engine.index.phrases),
                   "engine_build_s": round(built - start, 3), "index_build_s": round(indexed - built, 3)})
    return result


def cli_cold_start() -> dict:
    """Run the CLI ``CLI_RUNS`` times in fresh processes; wall seconds, or the first failure."""
    command = [sys.executable, "-m", "assistant", "suggest", CLI_TEXT, "--json"]
    times = []
    for _ in range(CLI_RUNS):
        start = time.perf_counter()
        try:
            proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": "timed out after 60 s"}
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"]
            return {"ok": False, "error": f"exit code {proc.returncode}: {lines[-1]}"}
        try:
            json.loads(proc.stdout)
        except json.JSONDecodeError:
            return {"ok": False, "error": "output is not JSON"}
    return {"ok": True, "runs": len(times), "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def print_table(result: dict) -> None:
    shipped, synthetic, cold = result["shipped"], result["synthetic"], result["cli_cold"]
    print(f"complaints: {result['source']} ({result['texts']} texts x {ROUNDS} rounds)")
    print(f"{'measurement':<48}{'value':>10}  {'target':>9}  verdict")
    rows = [
        (f"(a) shipped library, {shipped['templates']} templates: p50 ms", shipped["p50_ms"], TARGETS["warm_p50_ms"]),
        ("    p99 ms", shipped["p99_ms"], TARGETS["warm_p99_ms"]),
        ("    mean ms", shipped["mean_ms"], None),
        ("    calls", shipped["calls"], None),
        (f"(b) synthetic, {synthetic['templates']} templates: p50 ms", synthetic["p50_ms"], None),
        ("    p99 ms", synthetic["p99_ms"], TARGETS["synthetic_p99_ms"]),
        ("    engine build s (load + jieba + index)", synthetic["engine_build_s"], None),
        ("    of which match index build s", synthetic["index_build_s"], None),
    ]
    if cold["ok"]:
        rows += [(f"(c) CLI cold start, {cold['runs']} runs: median s", cold["median_s"], TARGETS["cli_cold_s"]),
                 ("    max s", cold["max_s"], None)]
    for label, value, target in rows:
        shown = f"{value:>10}" if isinstance(value, int) else f"{value:>10.2f}"
        print(f"{label:<48}{shown}  {'' if target is None else f'<= {target:g}':>9}  {'' if target is None else ('ok' if value <= target else 'MISSED')}")
    if not cold["ok"]:
        print(f"(c) CLI cold start: FAILED ({cold['error']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    texts, source = load_texts()
    engine = Engine.from_settings(Settings())
    shipped = warm_latency(engine, texts)
    shipped["templates"] = sum(t.kind == "intent" for t in engine.library.templates)
    result = {"source": source, "texts": len(texts), "rounds": ROUNDS, "targets": TARGETS, "shipped": shipped,
              "synthetic": synthetic_latency(texts), "cli_cold": cli_cold_start()}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
