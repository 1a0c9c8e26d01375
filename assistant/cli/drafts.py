"""Commands over complaints and replies: ``suggest``, ``triage``, ``check``, ``lint``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.cli.common import db_option, existing_log, json_option, load_engine, replies_option, show_progress, writable_parent
from assistant.config import Settings
from assistant.errors import InvalidInput


@click.command()
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
    again, and measured conversion shifts the order of templates. The log is
    only read, with the secret.key beside it (copy it with a backup's copy).

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
    from assistant.log.db import open_to_read

    engine = load_engine(replies_dir)
    fields = replying.Fields(platform=platform, customer=customer, product=product, order_id=order_id, buyer_id=buyer_id)
    if db_path:  # with a log, only read (a copy is neither migrated nor given a key): what it knows of the customer
        settings = Settings.from_env(db_path=existing_log(db_path))
        db, key = open_to_read(settings.db_path, settings.secret_path)
        s = replying.suggest(engine, text, fields, agent=agent, db=db, key=key, tz=settings.tz)
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


@click.command()
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

    FILE is CSV (the complaint in a column headed text or as shop exports
    head it: 评价内容, 评价, 留言...; a 追评 column is read after it; other
    columns are kept), JSONL (the same names as fields) or plain text (one
    complaint a line). Bad rows are reported on
    stderr with their line number and skipped.

    Example:

        assistant triage backlog.csv --out triaged.csv
    """
    from assistant.engine import triage as t

    parsed = t.read_rows(file)
    rows, skipped = parsed.rows, parsed.skipped
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


@click.command()
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


@click.command()
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
