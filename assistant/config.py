"""Settings: one declarative table of name, default and help, read from the environment once."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.errors import InvalidInput

ROOT = Path(__file__).resolve().parent.parent


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/assistant``, else ``~/.cache/assistant``: the user's own, never a fixed name in the shared temp
    folder (another local account could create that first and plant what the engine reads back from it)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is invalid and ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory known: a per-user name (the engine checks its owner before use)
            return Path(tempfile.gettempdir()) / f"assistant-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    return Path(base) / "assistant"


@dataclass(frozen=True)
class Settings:
    """Every knob of the assistant, each with a default and a help line."""

    replies_dir: Path = field(
        default=ROOT / "replies", metadata={"help": "Reply library folder (templates, escalation rules, words)"}
    )
    db_path: Path = field(default=Path("data/assistant.db"), metadata={"help": "SQLite file for the outcome log"})
    max_chars: int = field(default=5000, metadata={"help": "Longest complaint accepted, in characters"})
    week_timezone: str = field(default="Asia/Shanghai", metadata={"help": "Time zone for deadlines and ISO weeks"})
    max_body_bytes: int = field(default=64 * 1024, metadata={"help": "Largest request body accepted (413 above)"})
    max_import_bytes: int = field(
        default=10 * 1024 * 1024, metadata={"help": "Largest upload for outcome imports and backlog triage"}
    )
    host: str = field(
        default="127.0.0.1", metadata={"help": "Bind address of `assistant serve`; 127.0.0.1 keeps it on this machine"}
    )
    port: int = field(default=8000, metadata={"help": "Port of `assistant serve`"})
    behind_https: bool = field(
        default=False,
        metadata={"help": "The service is reached over HTTPS (a reverse proxy): cookies get Secure, responses HSTS"},
    )
    public_origin: str = field(
        default="",
        metadata={
            "help": "The address agents use, e.g. https://assist.example.com (bookmarklet, links); default http://host:port"
        },
    )
    cache_dir: Path = field(
        default_factory=default_cache_dir,
        metadata={
            "help": "A private folder (yours, mode 0700) for the trimmed jieba dictionary and its caches; "
            "default $XDG_CACHE_HOME/assistant or ~/.cache/assistant"
        },
    )
    trusted_proxies: str = field(
        default="",
        metadata={
            "help": "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed "
            "(empty: none; the peer address is the client)"
        },
    )
    password_checks: int = field(
        default=2, metadata={"help": "Password verifications at once per worker process (each Argon2 check takes 64 MiB)"}
    )
    worker_header: bool = field(
        default=False, metadata={"help": "Name the answering worker process in an X-Assistant-Worker header (for tests)"}
    )

    @property
    def secret_path(self) -> Path:
        """The HMAC key for customer and order references, kept beside the database."""
        return self.db_path.parent / "secret.key"

    @property
    def origin(self) -> str:
        """Where agents reach the service: ``public_origin``, else this host and port (never a request's Host header)."""
        return self.public_origin.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.week_timezone)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Read ``ASSISTANT_<NAME>`` variables, then apply explicit overrides (None values are ignored)."""
        env: Mapping[str, str] = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f"ASSISTANT_{f.name.upper()}"
            raw = env.get(name)
            if raw is not None:
                try:
                    values[f.name] = _coerce(str(f.type), raw)  # with postponed annotations, f.type is the name
                except ValueError as e:
                    raise InvalidInput(f"{name}: {e}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)  # type: ignore[arg-type]  # values are coerced per field type above
        try:
            ZoneInfo(settings.week_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"ASSISTANT_WEEK_TIMEZONE: unknown time zone {settings.week_timezone!r} (e.g. Asia/Shanghai)"
            ) from None
        if not 1 <= settings.port <= 65535:
            raise InvalidInput(f"port {settings.port} is not between 1 and 65535 (--port or ASSISTANT_PORT)")
        return settings


def _coerce(type_name: str, raw: str) -> bool | int | Path | str:
    """A setting's value from its variable's text.

    :raises ValueError: saying what was expected
    """
    if type_name == "bool":
        if raw.strip().lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            raise ValueError(f"not a yes/no value: {raw!r}")
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if type_name == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"not a whole number: {raw!r}") from None
    if type_name == "Path":
        return Path(raw)
    return raw
