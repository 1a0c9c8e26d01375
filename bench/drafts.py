"""The drafts the assistant gives every complaint of ``../shared/eval/train.jsonl``, to read them by source and to see
what a change to drafting changes.

Recognition is measured by cross-validation; drafting is not, and since session 21 most of what an agent would have to
rewrite has been in the drafts, not in the recognised intent. Three steps, run from the repository root:

    python bench/drafts.py dump /tmp/before.json        # every complaint's intents, escalation and drafts
    python bench/drafts.py review /tmp/before.json /tmp/review   # one text file per category, for a reader
    (change drafting, then)
    python bench/drafts.py dump /tmp/after.json
    python bench/drafts.py diff /tmp/before.json /tmp/after.json   # the drafts that changed, and counts by category

``dump --as-shops`` drafts each complaint of a source that is one kind of purchase (fruit, takeaway meals, hotels…) as a
shop of that kind would, with ``policy.yaml``'s ``shop_kind`` set to it (``SOURCE_SHOPS``); a diff against a plain dump
shows what telling the assistant what the shop sells changes.

``docs/draft_review.md`` has the instructions the review files were read with. The model has seen these complaints, so
the recognised intent is nearly always right here: what the files show is the drafting. ``dev.jsonl`` is never read.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.cli.common import show_progress  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.engine.core import Engine  # noqa: E402

TRAIN = ROOT.parent / "shared" / "eval" / "train.jsonl"
QUOTE = re.compile(r"“[^”]*”")
# Every dump drafts as at this moment (a morning, in the service's time zone): a deadline says 「今天18:00前」 before 15:00
# and 「明天12:00前」 after, so dumps made at different hours would differ in every draft.
NOW = datetime(2026, 12, 1, 10, 0)
# train.jsonl's sources that are one kind of purchase -> the ``shop_kind`` of a shop selling it
SOURCE_SHOPS = {
    "外卖": "外卖餐饮",
    "水果": "生鲜水果",
    "蒙牛": "食品饮料",
    "洗发水": "美妆个护",
    "书籍": "图书",
    "酒店": "酒店民宿",
    "微博客服投诉-在线旅游": "旅行票务",
    "微博客服投诉-软件App": "软件应用",
    "微博客服投诉-通信运营商": "通信运营商",
    "微博客服投诉-自动售货": "自助售货机",
}


def dump(out: Path, *, as_shops: bool = False) -> None:
    engine = Engine.from_settings(Settings(replies_dir=ROOT / "replies"))
    general = engine.library
    libraries = {  # the library as each kind of shop has it: the same templates, its policy saying what it sells
        kind: dataclasses.replace(general, policy=dataclasses.replace(general.policy, shop_kind=kind))
        for kind in SOURCE_SHOPS.values()
    }
    records = [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    bar = show_progress(len(records), "起草")
    for r in records:
        kind = SOURCE_SHOPS.get(r.get("category", "")) if as_shops else None
        engine.library = libraries[kind] if kind else general
        s = engine.suggest(r["text"], now=NOW)
        rows.append(
            {
                "id": r["id"],
                "category": r.get("category") or "未标注",
                "intent": r["intent"],
                "reasons": r.get("reasons", []),
                "predicted": [(m.id, round(m.score, 2)) for m in s.intents[:3]],
                "escalated": [x.id for x in s.escalation.reasons] if s.escalation.escalate else [],
                "text": r["text"],
                "drafts": [(d.template_id, d.text) for d in s.drafts],
            }
        )
        if bar:
            bar.update()
    if bar:
        bar.close()
    out.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    print(f"{len(rows)} complaints -> {out}")


def review(dumped: Path, folder: Path) -> None:
    by_category: dict[str, list[dict]] = defaultdict(list)
    for row in json.loads(dumped.read_text(encoding="utf-8")):
        by_category[row["category"]].append(row)
    folder.mkdir(parents=True, exist_ok=True)
    for category, rows in by_category.items():
        lines = []
        for r in rows:
            lines.append(f"## {r['id']} gold={r['intent']} esc_gold={r['reasons']} pred={r['predicted']} esc={r['escalated']}")
            lines.append(r["text"])
            lines += [f"  [{n}] {template}: {text}" for n, (template, text) in enumerate(r["drafts"], 1)]
            lines.append("")
        name = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", category).strip("_")
        (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(by_category)} files -> {folder}")


def diff(before: Path, after: Path) -> None:
    old = {r["id"]: r for r in json.loads(before.read_text(encoding="utf-8"))}
    first_text, first_template, any_draft = Counter(), Counter(), 0
    for r in json.loads(after.read_text(encoding="utf-8")):
        was = old.get(r["id"])
        if was is None or was["drafts"] == r["drafts"]:
            continue
        any_draft += 1
        for n, (a, b) in enumerate(zip(was["drafts"], r["drafts"], strict=False)):
            if a != b:
                template = a[0] if a[0] == b[0] else f"{a[0]} -> {b[0]}"
                print(r["id"], n, template, QUOTE.findall(a[1]), "->", QUOTE.findall(b[1]), "|", r["text"][:60])
                break
        else:
            print(r["id"], "drafts", [t for t, _ in was["drafts"]], "->", [t for t, _ in r["drafts"]])
        if was["drafts"][:1] != r["drafts"][:1]:
            first_text[r["category"]] += 1
            if was["drafts"] and r["drafts"] and was["drafts"][0][0] != r["drafts"][0][0]:
                first_template[r["category"]] += 1
    print(
        f"\n{any_draft} complaints' drafts changed; first draft's text {sum(first_text.values())}, template "
        f"{sum(first_template.values())}"
    )
    for category, n in first_text.most_common():
        print(f"  {category}: first draft {n}, its template {first_template[category]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--as-shops", action="store_true", help="draft each source as a shop selling only its kind would")
    r = sub.add_parser("review")
    r.add_argument("dumped", type=Path)
    r.add_argument("folder", type=Path)
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        if not TRAIN.exists():
            print(f"bench/drafts.py: {TRAIN} not found (../shared beside the repository)", file=sys.stderr)
            return 2
        dump(args.out, as_shops=args.as_shops)
    elif args.command == "review":
        review(args.dumped, args.folder)
    else:
        diff(args.before, args.after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
