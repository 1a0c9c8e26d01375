"""Options and helpers the command modules share."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.config import Settings
from assistant.errors import InvalidInput

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


def load_engine(replies_dir: Path | None):
    from assistant.engine.core import Engine

    return Engine.from_settings(Settings.from_env(replies_dir=replies_dir))


def show_progress(total: int, label: str):
    """A tqdm bar on stderr (only when stderr is a terminal), or None."""
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="条", file=sys.stderr, disable=None, leave=False)
