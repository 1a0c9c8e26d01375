"""The ``assistant`` command: a thin shell over the engine.

Each command parses its input, calls one engine, service or log function and
formats the result; ``AssistantError`` becomes a one-line ``Error: ...`` and exit
code 1.

Commands import what they use inside their own bodies, on purpose: the engine,
FastAPI, uvicorn and scikit-learn take seconds to load, and ``assistant --help``
(or one command's ``--help``) should not wait for them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from assistant import __version__
from assistant.config import Settings
from assistant.errors import AssistantError, InvalidInput

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
# Said under every password the CLI prints: whoever read it may hand it on, so the person must choose their own.
MUST_CHANGE = (
    "This password is one-time: it must be changed at the first sign-in (until then the pages open only 我的账号). "
    "The API token is not affected."
)


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a readable summary.")(fn)


def db_option(fn):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="SQLite file of the outcome log (default: data/assistant.db or $ASSISTANT_DB_PATH).",
    )(fn)


def existing_log(db_path: Path | None) -> Path:
    """The outcome log's path for a command that reads it or changes what is in it: a mistyped --db is refused
    (opening it would create an empty log, and the command would report zeros).

    :raises InvalidInput: when there is no log at that path
    """
    path = Settings.from_env(db_path=db_path).db_path
    if not path.is_file():
        raise InvalidInput(f"no outcome log at {path} (`assistant serve` creates it; or give --db)")
    return path


def writable_parent(path: Path) -> None:
    """Make the folder an output file goes into, as the other commands' --out do.

    :raises InvalidInput: when it cannot be made
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInput(f"cannot write {path}: {e.strerror}") from None


def replies_option(fn):
    return click.option(
        "--replies",
        "replies_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Reply library folder (default: the bundled replies/).",
    )(fn)


class Shell(click.Group):
    """A click group that turns AssistantError into a one-line error."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AssistantError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=Shell, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="assistant")
def cli():
    """Reply assistant for e-commerce support agents.

    Recognises what a Chinese complaint is about, says when to take it
    offline, and drafts sincere, specific replies.
    """


def load_engine(replies_dir: Path | None):
    from assistant.engine.core import Engine

    return Engine.from_settings(Settings.from_env(replies_dir=replies_dir))


def show_progress(total: int, label: str):
    """A tqdm bar on stderr (only when stderr is a terminal), or None."""
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="条", file=sys.stderr, disable=None, leave=False)


@cli.command()
@click.argument("text")
@replies_option
@click.option("--customer", help="How the drafts address the customer, e.g. 王女士 (only a salutation, not an identity).")
@click.option("--buyer-id", help="The platform's buyer nickname or ID: with --order-id, what finds a returning customer.")
@click.option("--product", help="Product name, e.g. 电热水壶.")
@click.option("--order-id", help="Order number.")
@click.option("--agent", help="The agent's name, signed in drafts.")
@click.option("--platform", help="Where it was posted (taobao, jd, pdd, douyin…).")
@click.option("--explain", is_flag=True, help="Show each intent's closest example phrasing.")
@db_option
@json_option
def suggest(text, replies_dir, customer, buyer_id, product, order_id, agent, platform, explain, db_path, as_json):
    """Recognise one complaint and draft replies. TEXT may be - to read stdin.

    With --db, the outcome log adds what it knows: an earlier unresolved reply
    to the same buyer (--buyer-id) or order escalates, texts already sent are not offered
    again, and measured conversion shifts the order of templates.

    Example:

        assistant suggest "快递一个星期了还没到，客服也不回" --json
    """
    if text == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InvalidInput(f"stdin is not valid UTF-8 (byte {e.start})") from None
    from assistant import replying
    from assistant.log.db import load_or_create_secret, open_db

    engine = load_engine(replies_dir)
    fields = replying.Fields(platform=platform, customer=customer, product=product, order_id=order_id, buyer_id=buyer_id)
    if db_path:  # with a log: repeat contacts, texts already sent and measured conversion
        settings = Settings.from_env(db_path=existing_log(db_path))
        s = replying.suggest(
            engine,
            text,
            fields,
            agent=agent,
            db=open_db(settings.db_path),
            key=load_or_create_secret(settings.secret_path),
            tz=settings.tz,
        )
    else:
        s = replying.suggest(engine, text, fields, agent=agent)
    if as_json:
        data = s.to_dict()
        if explain:  # beside the contract's fields: the library example closest to the complaint
            for intent, m in zip(data["intents"], s.intents):
                intent["closest"] = m.closest
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for m in s.intents:
        click.echo(f"意图  {m.id:<20} {m.score:.2f}  {'、'.join(m.matched)}")
        if explain and m.closest:
            click.echo(f"      最接近的例句：{m.closest}")
    if s.escalation.escalate:
        reasons = "；".join(f"{r.id}（{'、'.join(r.evidence)}）" for r in s.escalation.reasons)
        click.echo(f"转线下  {reasons}")
        click.echo(f"建议    {s.escalation.action}")
    else:
        click.echo("转线下  否")
    for i, d in enumerate(s.drafts, start=1):
        click.echo(f"\n草稿 {i}  [{d.template_id}]  真诚度 {d.sincerity.score}")
        if d.note:
            click.echo(f"  ({d.note})")
        click.echo(f"  {d.text}")
        if d.private:
            click.echo(f"  私聊跟进：{d.private}")
        for finding in d.sincerity.findings:
            click.echo(f"  - {finding}")


@cli.command(name="eval")
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


@cli.command()
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
    cross-validation. Deterministic; needs scikit-learn (pip install -e '.[train]').
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
        from assistant.log.outcomes import corrections as read_corrections

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
    click.echo(
        f"cross-validated  top1={figures['top1']:.3f}  top3={figures['top3']:.3f}  "
        f"(model alone {figures['model_top1']:.3f}, keywords alone {figures['evidence_top1']:.3f})"
    )
    weakest = sorted(figures["recall_per_intent"].items(), key=lambda kv: kv[1])[:3]
    click.echo(f"recall per intent: mean {figures['macro_recall']:.3f}, lowest " + ", ".join(f"{i} {r:.3f}" for i, r in weakest))
    click.echo(
        f"escalation  precision={figures['precision']:.3f}  recall={figures['recall']:.3f}  "
        f"(rules alone {figures['rules_precision']:.3f} / {figures['rules_recall']:.3f})"
    )
    click.echo(f"wrote {target}  inputs {figures['inputs_hash'][:12]}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default=None,
    help="Output format (default: from --out's extension, else csv).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Output file (default: stdout).")
@replies_option
def triage(file, fmt, out, replies_dir):
    """Rank a backlog of complaints, most severe first, each with a draft.

    FILE is CSV (a 'text' column; other columns are kept), JSONL (a 'text'
    field) or plain text (one complaint a line). Bad rows are reported on
    stderr with their line number and skipped.

    Example:

        assistant triage backlog.csv --out triaged.csv
    """
    from assistant.engine import triage as t

    rows, skipped = t.read_rows(file)
    if out:  # a folder that cannot be made is said before the work, not after it
        writable_parent(out)
    engine = load_engine(replies_dir)
    with show_progress(len(rows), "triage") as bar:
        records, failed = t.triage(engine, rows, progress=bar.update)
    skipped = sorted(skipped + failed, key=lambda s: s.line)
    for s in skipped:
        click.echo(f"{file}:{s.line}: skipped: {s.reason}", err=True)
    fmt = fmt or ("jsonl" if out and out.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    if out:
        try:
            with open(out, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fp:
                t.write_records(records, fp, fmt)
        except OSError as e:
            raise InvalidInput(f"cannot write {out}: {e.strerror}") from None
    else:
        t.write_records(records, sys.stdout, fmt)
    click.echo(f"triaged {len(records)} complaint(s), skipped {len(skipped)}", err=True)


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@json_option
def lint(directory, as_json):
    """Check that every reply template loads and passes the sincerity check.

    Exits 0 when the library is clean; otherwise prints file:line: message
    lines and exits 1.

    Example:

        assistant lint replies/
    """
    from assistant.engine.lint import lint_library

    directory = directory or Settings.from_env().replies_dir
    report = lint_library(directory)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            click.echo(f"{p.file}:{p.line}: {p.message}")
        if not report.problems:
            click.echo(f"{report.templates} templates, no problems")
    sys.exit(1 if report.problems else 0)


@cli.command()
@click.argument("text")
@click.option("--complaint", help="The complaint the reply answers; the reply should pick up its words.")
@json_option
def check(text, complaint, as_json):
    """Score any reply text for sincerity (0-100) with findings.

    Example:

        assistant check "亲，给您带来不便深表歉意" --json
    """
    from assistant.engine.sincerity import check_sincerity

    if not text.strip():
        raise InvalidInput("reply text is empty")
    result = check_sincerity(text, complaint)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo(f"真诚度 {result.score}")
    for finding in result.findings:
        click.echo(f"- {finding}")


@cli.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True, help="Worker processes sharing the log.")
@db_option
@replies_option
def serve(host, port, workers, db_path, replies_dir):
    """Run the web API. On first start it creates a lead account and prints its password and token.

    That password is one-time: it must be changed at the first sign-in (the API token stays as it is).

    With --workers N, N processes answer on the same port; they share the log, and with it the
    sessions, the sign-in limiter and the library's version (a reload reaches every worker).

    Example:

        assistant serve --port 8000 --workers 2
    """
    import uvicorn

    from assistant.log.auth import add_user, has_users
    from assistant.log.db import open_db, write_transaction
    from assistant.web.app import create_app, uvicorn_options

    settings = Settings.from_env(host=host, port=port, db_path=db_path, replies_dir=replies_dir)
    db = open_db(settings.db_path)
    with write_transaction(db):  # two servers starting at once on a fresh log: only one creates the lead
        # Whoever reads the terminal (or the service's journal) knows this password: the lead must choose their own.
        lead = None if has_users(db) else add_user(db, "lead", "lead", display_name="组长", must_change_password=True)
    db.close()
    if lead:
        click.echo(f"Created the first lead account 'lead' (shown once):\n  password: {lead.password}\n  API token: {lead.token}")
        click.echo(MUST_CHANGE)
    click.echo(f"Serving on http://{settings.host}:{settings.port}  (API docs: /docs)")
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", **uvicorn_options())
        return
    # Each worker process builds its own app from the environment, so the options given here go there.
    os.environ["ASSISTANT_DB_PATH"] = str(settings.db_path.resolve())
    os.environ["ASSISTANT_REPLIES_DIR"] = str(settings.replies_dir.resolve())
    uvicorn.run(
        "assistant.web.app:create_app",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        **uvicorn_options(),
    )


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="New file to write.")
@db_option
def backup(out, db_path):
    """Copy the outcome log to a new file while the server keeps running (SQLite's online backup).

    Example:

        assistant backup --out backups/assistant-2026-11-30.db
    """
    from assistant.log.db import backup as backup_log
    from assistant.log.db import open_db

    db = open_db(existing_log(db_path), migrate=False)
    try:
        pages = backup_log(db, out)
    finally:
        db.close()
    click.echo(f"wrote {out}: {pages} pages, integrity checked", err=True)


@cli.command()
@click.option("--week", required=True, help="ISO week, e.g. 2026-W47.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", help="File format.")
@click.option("--table", type=click.Choice(["figures", "rows"]), default="figures", help="CSV only: the figures or the replies.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@db_option
def export(week, fmt, table, out, db_path):
    """Export a week's review-conversion statistics as CSV (UTF-8 with BOM) or XLSX.

    Example:

        assistant export --week 2026-W47 --format xlsx --out week47.xlsx
    """
    from assistant import reporting
    from assistant.engine.load import load_library
    from assistant.log.db import open_db

    settings = Settings.from_env(db_path=existing_log(db_path))
    db = open_db(settings.db_path)
    titles = load_library(settings.replies_dir).situations if fmt == "xlsx" else None
    content, _, _ = reporting.export(db, week, fmt, table, template_titles=titles, tz=settings.tz)
    try:
        out.write_bytes(content)
    except OSError as e:
        raise click.ClickException(f"无法写入 {out}（cannot write {out}: {e.strerror or e}）") from None
    total = reporting.weekly(db, week).total
    click.echo(f"wrote {out}: {total.sent} replies, {total.known} outcomes known", err=True)


@cli.command(name="import-outcomes")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", default="import", help="Who recorded these outcomes.")
@db_option
def import_outcomes(file, by, db_path):
    """Import outcomes from CSV (reply_id,result[,rating_after][,note]), all or nothing.

    Every bad row is reported with its line; if there is any, nothing changes.

    Example:

        assistant import-outcomes outcomes.csv
    """
    from assistant.engine.triage import read_text
    from assistant.log.db import open_db
    from assistant.log.outcomes import ImportRejected
    from assistant.log.outcomes import import_outcomes as run_import

    content = read_text(file)
    db = open_db(existing_log(db_path))
    try:
        count = run_import(db, content, by=by)
    except ImportRejected as e:
        for problem in e.errors:
            click.echo(f"{file}:{problem.line}: {problem.message}", err=True)
        raise
    click.echo(f"imported {count} outcome(s)")


@cli.group()
def users():
    """Manage user accounts."""


@users.command(name="add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["agent", "lead"]), required=True, help="agent sends replies; lead also sees statistics."
)
@click.option("--display-name", default=None, help="The name drafts sign with (「我是…」); default: NAME.")
@db_option
@json_option
def users_add(name, role, display_name, db_path, as_json):
    """Create a user and print a one-time password and an API token.

    The password must be changed at the first sign-in (the API token stays as it is).

    Example:

        assistant users add xiaolin --role agent --display-name 小林 --json
    """
    from assistant.log.auth import add_user
    from assistant.log.db import open_db

    user = add_user(open_db(Settings.from_env(db_path=db_path).db_path), name, role, display_name, must_change_password=True)
    if as_json:
        click.echo(json.dumps(user.to_dict(), ensure_ascii=False))
    else:
        click.echo(f"{user.name} ({user.role})\n  password: {user.password}\n  API token: {user.token}")
        click.echo(MUST_CHANGE)


@users.command(name="list")
@db_option
@json_option
def users_list(db_path, as_json):
    """List the accounts: name, display name, role, active, created, and whether a new password is still due."""
    from assistant.log.auth import list_users
    from assistant.log.db import open_db

    rows = list_users(open_db(existing_log(db_path)))
    if as_json:
        flags = [{"active": bool(r["active"]), "must_change_password": bool(r["must_change_password"])} for r in rows]
        click.echo(json.dumps([{**r, **f} for r, f in zip(rows, flags, strict=True)], ensure_ascii=False))
        return
    for r in rows:
        state = ("" if r["active"] else "  (deactivated)") + ("  (must change password)" if r["must_change_password"] else "")
        click.echo(f"{r['name']}\t{r['display_name'] or r['name']}\t{r['role']}\t{r['created_at']}{state}")


@users.command(name="reset-password")
@click.argument("name")
@db_option
@json_option
def users_reset_password(name, db_path, as_json):
    """Give NAME a new one-time password (printed once, to be changed at the first sign-in); the account's open sessions end.

    The way back in for a lead who lost the password, when no other lead can reset it on 账号管理.

    Example:

        assistant users reset-password lead
    """
    from assistant.log.auth import reset_password
    from assistant.log.db import open_db

    password = reset_password(open_db(existing_log(db_path)), name)
    if as_json:
        click.echo(json.dumps({"name": name, "password": password}, ensure_ascii=False))
    else:
        click.echo(f"{name}\n  password: {password}")
        click.echo(MUST_CHANGE)


@users.command(name="new-token")
@click.argument("name")
@db_option
@json_option
def users_new_token(name, db_path, as_json):
    """Give NAME a new API token (printed once); the old token stops working at once, sessions and password stay.

    For an operator replacing a token that was lost or seen by someone else; a signed-in person can do it on 我的账号.

    Example:

        assistant users new-token lead
    """
    from assistant.log.auth import new_token
    from assistant.log.db import open_db

    token = new_token(open_db(existing_log(db_path)), name)
    if as_json:
        click.echo(json.dumps({"name": name, "token": token}, ensure_ascii=False))
    else:
        click.echo(f"{name}\n  API token: {token}")
        click.echo("The old token no longer works.")


@users.command(name="deactivate")
@click.argument("name")
@db_option
def users_deactivate(name, db_path):
    """Stop NAME's sessions and API token at once (a leaver); their replies stay in the statistics."""
    _set_active(name, db_path, False)


@users.command(name="activate")
@click.argument("name")
@db_option
def users_activate(name, db_path):
    """Let a deactivated account sign in again (with its password; reset it if need be)."""
    _set_active(name, db_path, True)


def _set_active(name: str, db_path, active: bool) -> None:
    from assistant.log.auth import set_active
    from assistant.log.db import open_db

    set_active(open_db(existing_log(db_path)), name, active)
    click.echo(f"{'activated' if active else 'deactivated'} {name}")
