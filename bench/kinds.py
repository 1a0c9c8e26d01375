"""How many complaints the assistant reads as praise or as a plain question, which cross-validation cannot see.

``match.recognise_kind`` decides whether a text is a complaint, praise or a plain question; praise is thanked
(「谢谢您专门回来写这几句」) and a question answered (「您问的问题，我去确认准确答案」), without an apology. The kind scales
the intent scores but keeps their order, so the top1 and top3 figures of ``assistant train`` do not move when a
complaint is thanked as praise. This script counts it on texts that are all complaints:

- ``train``: the complaints of ``../shared/eval/train.jsonl`` whose intent is not ``other`` (``other`` also holds
  "text that is not really a complaint", TAXONOMY);
- ``library``: the example phrasings of the library's intent and offline-invitation templates, except ``other``'s;
  ``usage_question``'s are counted apart, since most of them are questions;

and, as the other side of the trade, the texts that must not be complaints: the praise and question examples of
``replies/not_a_complaint.yaml``. ``dev.jsonl`` is never read.

Run from the repository root; ``--show praise`` (or ``question``) lists the complaints read that way:

    python bench/kinds.py
    python bench/kinds.py --show praise
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.engine.load import load_library  # noqa: E402
from assistant.engine.match import recognise_kind  # noqa: E402
from assistant.engine.normalize import Segmenter, normalize  # noqa: E402
from assistant.taxonomy import COMPLAINT, KIND_TEMPLATES, OTHER, PRAISE, QUESTION  # noqa: E402

TRAIN = ROOT.parent / "shared" / "eval" / "train.jsonl"
USAGE = "usage_question"


def texts(library) -> dict[str, list[tuple[str, str]]]:
    """(source, text) per group: complaints by where they come from, and the praise and questions that are not."""
    groups: dict[str, list[tuple[str, str]]] = {"train": [], "library": [], f"library {USAGE}": []}
    groups |= {f"not a complaint: {kind}": [] for kind in KIND_TEMPLATES}
    if TRAIN.exists():
        for line in TRAIN.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["intent"] != OTHER:
                groups["train"].append((f"train {record['intent']}", record["text"]))
    by_template = {template: kind for kind, template in KIND_TEMPLATES.items()}
    for t in library.templates:
        for example in t.examples:
            if t.id in by_template:
                groups[f"not a complaint: {by_template[t.id]}"].append((t.id, example))
            elif t.group != OTHER:
                groups[f"library {USAGE}" if t.group == USAGE else "library"].append((t.id, example))
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=(PRAISE, QUESTION), help="list the complaints read as this kind")
    args = parser.parse_args()
    library = load_library(ROOT / "replies")
    segmenter = Segmenter(library.dictionary_words())
    if not TRAIN.exists():
        print(f"{TRAIN} not found: train.jsonl's complaints are left out", file=sys.stderr)
    print(f"{'texts':32s} {'n':>6s} {'complaint':>10s} {'praise':>8s} {'question':>9s}")
    for group, items in texts(library).items():
        kinds = Counter()
        for source, text in items:
            kind = recognise_kind(normalize(text, segmenter))
            kinds[kind] += 1
            if args.show == kind and not group.startswith("not a complaint"):
                print(f"  {source}: {text[:80]}")
        print(f"{group:32s} {len(items):6d} {kinds[COMPLAINT]:10d} {kinds[PRAISE]:8d} {kinds[QUESTION]:9d}")


if __name__ == "__main__":
    main()
