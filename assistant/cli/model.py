"""Commands over the recognition model: ``train`` and ``eval``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from assistant.cli.common import json_option, load_engine, replies_option, show_progress, writable_parent
from assistant.config import Settings
from assistant.errors import InvalidInput


@click.command()
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Labelled complaints, JSONL in the TAXONOMY format (repeatable).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Also learn from the intent and escalation corrections agents made in this outcome log.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Model file to write (default: model.npz in the reply library).",
)
@replies_option
@json_option
def train(data, db_path, out, replies_dir, as_json):
    """Train the intent and escalation models and print their cross-validated figures.

    Learns from the library's example phrasings plus labelled complaints
    (--data, --db); weights and thresholds are chosen by 5-fold
    cross-validation. The figures printed first score every labelled
    complaint as the service would decide it, with a model that never saw
    it. Deterministic; needs scikit-learn (pip install -e '.[train]').
    The service picks the new model up on library reload.

    Example:

        assistant train --data ../shared/eval/train.jsonl
    """
    try:
        from assistant.engine import train as training
    except ModuleNotFoundError as e:  # scikit-learn is an optional extra
        if not (e.name or "").startswith("sklearn"):
            raise
        raise click.ClickException("training needs scikit-learn: pip install -e '.[train]'") from None
    from assistant.engine.core import MODEL_FILE, library_hash
    from assistant.engine.escalate import load_rules
    from assistant.engine.load import RULES_FILE, load_library
    from assistant.engine.normalize import Segmenter

    started = time.perf_counter()
    settings = Settings.from_env(replies_dir=replies_dir)
    records = [r for path in data for r in training.read_records(path)]
    corrections: list[dict] = []
    if db_path:
        from assistant.log.db import open_db
        from assistant.log.sent import corrections as read_corrections

        corrections = read_corrections(open_db(db_path, migrate=False))
    if not records and not corrections:
        raise InvalidInput("nothing labelled to learn from: give --data FILE (and/or --db PATH with agents' corrections)")
    library = load_library(settings.replies_dir)
    rules = load_rules(settings.replies_dir / RULES_FILE)
    segmenter = Segmenter(library.dictionary_words(), cache_dir=settings.cache_dir)
    bars: list = []

    def progress(stage: str, total: int):
        bars.append(show_progress(total, stage))
        return bars[-1].update

    try:
        model, figures = training.train(library, segmenter, rules, records + corrections, progress=progress)
    finally:
        for bar in bars:
            bar.close()
    figures["n_corrections"] = len(corrections)
    figures["inputs_hash"] = training.inputs_hash(settings.replies_dir, list(data), corrections)
    figures["library_hash"] = library_hash(settings.replies_dir)
    figures["data"] = [p.name for p in data]
    model = training.with_meta(model, figures)
    target = out or settings.replies_dir / MODEL_FILE
    writable_parent(target)
    try:
        model.save(target)
    except OSError as e:
        raise InvalidInput(f"cannot write {target}: {e.strerror}") from None
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["model"] = str(target)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"learned from {figures['n_labelled']} labelled complaints ({len(corrections)} agents' corrections) "
        f"and {figures['n_library']} library examples in {figures['seconds']} s"
    )
    path = figures["whole_path"]
    click.echo("cross-validated, each complaint decided as the service decides it (its fold's model, run-time guards included):")
    click.echo(
        f"  top1={path['top1']:.3f}  top3={path['top3']:.3f}  "
        f"escalation precision={path['precision']:.3f}  recall={path['recall']:.3f}"
    )
    weakest = sorted(path["recall_per_intent"].items(), key=lambda kv: kv[1])[:3]
    click.echo(f"  recall per intent: mean {path['macro_recall']:.3f}, lowest " + ", ".join(f"{i} {r:.3f}" for i, r in weakest))
    click.echo("model level (the combination the weights were chosen on, without the run-time guards):")
    click.echo(
        f"  top1={figures['top1']:.3f}  top3={figures['top3']:.3f}  "
        f"(model alone {figures['model_top1']:.3f}, keywords alone {figures['evidence_top1']:.3f})"
    )
    weakest = sorted(figures["recall_per_intent"].items(), key=lambda kv: kv[1])[:3]
    lowest = ", ".join(f"{i} {r:.3f}" for i, r in weakest)
    click.echo(f"  recall per intent: mean {figures['macro_recall']:.3f}, lowest {lowest}")
    click.echo(
        f"  escalation precision={figures['precision']:.3f}  recall={figures['recall']:.3f}  "
        f"(rules alone {figures['rules_precision']:.3f} / {figures['rules_recall']:.3f})"
    )
    click.echo(f"wrote {target}  inputs {figures['inputs_hash'][:12]}")


@click.command(name="eval")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@replies_option
@json_option
def eval_(file, replies_dir, as_json):
    """Measure accuracy and latency on a labelled JSONL file (TAXONOMY format).

    Example:

        assistant eval ../shared/eval/dev.jsonl --json
    """
    from assistant.engine.evaluate import predict, read_labelled, summarize

    records = read_labelled(file)
    engine = load_engine(replies_dir)
    with show_progress(len(records), "eval") as bar:
        result = summarize(predict(engine, records, progress=bar.update))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    esc = result["escalation"]
    click.echo(f"n={result['n']}  top1={result['top1']:.3f}  top3={result['top3']:.3f}")
    click.echo(f"escalation  precision={esc['precision']:.3f}  recall={esc['recall']:.3f}  f1={esc['f1']:.3f}")
    click.echo(f"latency ms  p50={result['latency_ms']['p50']:.2f}  p99={result['latency_ms']['p99']:.2f}")
    click.echo(f"{'intent':<22}{'n':>5}{'precision':>11}{'recall':>8}")
    for intent, v in sorted(result["per_intent"].items(), key=lambda kv: -kv[1]["n"]):
        click.echo(f"{intent:<22}{v['n']:>5}{v['precision']:>11.2f}{v['recall']:>8.2f}")
