"""Settings: one declarative table of name, default and help, read from the environment once."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Every knob of the assistant, each with a default and a help line."""

    replies_dir: Path = field(
        default=ROOT / "replies", metadata={"help": "Reply library folder (templates, escalation rules, words)"}
    )
    db_path: Path = field(default=Path("data/assistant.db"), metadata={"help": "SQLite file for the outcome log"})
    max_chars: int = field(default=5000, metadata={"help": "Longest complaint accepted, in characters"})
    week_timezone: str = field(default="Asia/Shanghai", metadata={"help": "Time zone for deadlines and ISO weeks"})
    cache_dir: Path = field(
        default=Path(tempfile.gettempdir()) / "assistant",
        metadata={"help": "Where the trimmed jieba dictionary and its cache are kept"},
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Read ``ASSISTANT_<NAME>`` variables, then apply explicit overrides (None values are ignored)."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f"ASSISTANT_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _coerce(type_name: str, raw: str):
    if type_name == "int":
        return int(raw)
    if type_name == "Path":
        return Path(raw)
    return raw
