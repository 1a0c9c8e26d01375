"""Commands that run the service or work on its outcome log: ``serve``, ``backup``, ``export``, ``import-outcomes``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from assistant.cli.common import MUST_CHANGE, db_option, existing_log, replies_option, writable_parent
from assistant.config import Settings
from assistant.errors import InvalidInput


@click.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 8000).")
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
    from assistant.web.app import create_app
    from assistant.web.serving import check_address, uvicorn_options

    settings = Settings.from_env(host=host, port=port, db_path=db_path, replies_dir=replies_dir)
    check_address(settings.host, settings.port)
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


@click.command()
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


@click.command()
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
    from assistant.engine.load import load_library
    from assistant.log.db import open_db
    from assistant.log.export import export_file
    from assistant.log.stats import weekly_stats

    settings = Settings.from_env(db_path=existing_log(db_path))
    db = open_db(settings.db_path)
    titles = load_library(settings.replies_dir).situations if fmt == "xlsx" else None
    content, _, _ = export_file(db, week, fmt, table, template_titles=titles, tz=settings.tz)
    writable_parent(out)
    try:
        out.write_bytes(content)
    except OSError as e:
        raise InvalidInput(f"cannot write {out}: {e.strerror or e}") from None
    total = weekly_stats(db, week).total
    click.echo(f"wrote {out}: {total.sent} replies, {total.known} outcomes known", err=True)


@click.command(name="import-outcomes")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", default="import", help="Who recorded these outcomes.")
@db_option
def import_outcomes(file, by, db_path):
    """Import outcomes from CSV (reply_id,result[,rating_after][,note]) or 我的回复's filled-in sheet.

    Every row is checked first: if any is bad, every bad row is reported with its line and nothing changes. Otherwise
    the rows are recorded, but for two kinds: a row asking for the outcome its reply already has (or its result again,
    rating and note blank) is not recorded again, and a row whose reply got another outcome after 我的回复's sheet was
    downloaded is skipped, the newer outcome kept, and reported with its line. The last line says how many of each.

    Example:

        assistant import-outcomes outcomes.csv
    """
    from assistant.engine.triage import read_text
    from assistant.log.db import open_db
    from assistant.log.worksheet import ImportRejected
    from assistant.log.worksheet import import_outcomes as run_import

    content = read_text(file)
    db = open_db(existing_log(db_path))
    try:
        done = run_import(db, content, by=by)
    except ImportRejected as e:
        for problem in e.errors:
            click.echo(f"{file}:{problem.line}: {problem.message}", err=True)
        raise
    for problem in done.skipped:
        click.echo(f"{file}:{problem.line}: {problem.message}", err=True)
    said = [f"imported {done.recorded} outcome(s)"]
    if done.unchanged:
        said.append(f"{done.unchanged} already recorded")
    if done.skipped:
        said.append(f"{len(done.skipped)} skipped (changed after the sheet was downloaded)")
    click.echo("; ".join(said))
