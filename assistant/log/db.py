"""Open the outcome log: SQLite through sqlite-utils, WAL, busy timeout, migrations on open.

Migrations are applied in order by ``sqlite_utils.migrations.Migrations`` and
recorded in ``_sqlite_migrations``; an applied step is never edited, a schema
change is a new step. Connections are opened with ``check_same_thread=False``
because FastAPI may run a dependency and its route in different threads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import secrets
import sqlite3
import stat
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import sqlite_utils
from sqlite_utils.migrations import Migrations

from assistant.errors import InvalidInput, StorageUnavailable

log = logging.getLogger("assistant")
migrations = Migrations("assistant")


@migrations()
def m001_replies(db: sqlite_utils.Database) -> None:
    db.table("replies").create(
        {
            "id": int,
            "sent_at": str,  # ISO 8601, UTC
            "week": str,  # ISO week of sent_at in the configured time zone, e.g. 2026-W47
            "agent": str,
            "platform": str,
            "intent": str,  # the primary intent
            "intents": str,  # JSON list, best first
            "escalate": int,
            "reasons": str,  # JSON list of escalation reason ids
            "template_id": str,
            "complaint": str,  # redacted
            "drafted_text": str,  # redacted
            "sent_text": str,  # redacted
            "edit_ratio": float,  # 0 = sent as drafted, 1 = rewritten
            "sincerity": int,
            "customer_ref": str,  # keyed hash
            "order_ref": str,  # keyed hash
            "rating": int,  # rating of the review answered, when known
            "outcome": str,  # current outcome (latest recorded), denormalised for statistics
            "outcome_at": str,
            "rating_after": int,
        },
        pk="id",
        not_null={"sent_at", "week", "agent", "platform", "sent_text"},
    )
    db.table("replies").create_index(["week"])
    db.table("replies").create_index(["customer_ref"])
    db.table("replies").create_index(["order_ref"])
    db.table("replies").create_index(["template_id", "outcome"])


@migrations()
def m002_outcomes(db: sqlite_utils.Database) -> None:
    db.table("outcomes").create(
        {
            "id": int,
            "reply_id": int,
            "result": str,
            "rating_after": int,
            "note": str,
            "recorded_by": str,
            "recorded_at": str,
            "superseded": int,  # 1 once a later outcome replaces this one; history is kept
        },
        pk="id",
        foreign_keys=[("reply_id", "replies", "id")],
        not_null={"reply_id", "result", "recorded_at"},
        defaults={"superseded": 0},
    )
    db.table("outcomes").create_index(["reply_id"])


@migrations()
def m003_users(db: sqlite_utils.Database) -> None:
    db.table("users").create(
        {"name": str, "role": str, "password_hash": str, "token_hash": str, "created_at": str, "active": int},
        pk="name",
        not_null={"role", "password_hash", "token_hash"},
        defaults={"active": 1},
    )
    db.table("users").create_index(["token_hash"], unique=True)


@migrations()
def m004_platform_day_index(db: sqlite_utils.Database) -> None:
    # "texts sent on this platform today" is asked on every suggestion
    db.table("replies").create_index(["platform", "sent_at"])


@migrations()
def m005_revoked_sessions(db: sqlite_utils.Database) -> None:
    # Sessions live in signed cookies; signing out records the session's id so a copied cookie stops working.
    db.table("revoked_sessions").create({"sid": str, "revoked_at": float}, pk="sid")


@migrations()
def m006_shown_and_corrections(db: sqlite_utils.Database) -> None:
    # What the page showed is logged as shown (with the scores), the agent's own verdict beside the
    # assistant's (null when the agent was not asked: API callers that send no correction), and the
    # idempotency key that makes a second "mark as sent" of the same suggestion log nothing new.
    replies = db.table("replies")
    replies.add_column("intent_scores", str)  # JSON list of scores, parallel to intents
    replies.add_column("agent_intent", str)
    replies.add_column("agent_escalate", int)
    replies.add_column("agent_reasons", str)  # JSON list of escalation reason ids
    replies.add_column("idempotency_key", str)
    replies.create_index(["idempotency_key"], unique=True)  # NULLs (no key) may repeat


@migrations()
def m007_account_fields(db: sqlite_utils.Database) -> None:
    # Accounts: the name drafts sign with (the login name stays the key the log records), and a counter that a
    # password reset or a deactivation raises so every session signed in before it stops working at once.
    users = db.table("users")
    users.add_column("display_name", str)
    users.add_column("session_epoch", int, not_null_default=0)


@migrations()
def m008_agent_index(db: sqlite_utils.Database) -> None:
    # 我的回复 lists an agent's replies by result, newest first (agent = ? and outcome ..., order by id desc):
    # 90 ms a page at 100,000 replies without this index, under 1 ms with it.
    db.table("replies").create_index(["agent", "outcome"])


@migrations()
def m009_shared_state(db: sqlite_utils.Database) -> None:
    # State every worker process of `assistant serve --workers N` must share: failed sign-ins (the login
    # limiter) and stamps such as the reply library's version (a reload in one worker reaches the others).
    db.table("login_failures").create({"address": str, "name": str, "at": float}, not_null={"address", "name", "at"})
    db.table("login_failures").create_index(["address", "name"])
    db.table("login_failures").create_index(["at"])
    db.table("stamps").create({"name": str, "value": int}, pk="name", not_null={"value"})


@migrations()
def m010_triage_results(db: sqlite_utils.Database) -> None:
    # A ranked backlog's CSV, kept for its download link for an hour: in the log, not in one worker's memory, so
    # the link works whichever worker of `serve --workers N` answers it. Personal data is masked before it is kept.
    columns = {"id": str, "owner": str, "at": float, "csv": str}
    db.table("triage_results").create(columns, pk="id", not_null={"owner", "at", "csv"})
    db.table("triage_results").create_index(["at"])


@migrations()
def m011_must_change_password(db: sqlite_utils.Database) -> None:
    # 1 while an account signs in with a password someone handed out (a reset, an account made on the 账号管理 page or by
    # `assistant users add`, the first lead of `assistant serve`): the pages let it do nothing but choose its own.
    # Accounts already in an older log keep signing in as before.
    db.table("users").add_column("must_change_password", int, not_null_default=0)


@migrations()
def m012_known_sign_in_addresses(db: sqlite_utils.Database) -> None:
    # Where each name last signed in with its right password (an IPv6 /64 counts as one address): the account-wide
    # ceiling on failed sign-ins does not lock an owner out of the addresses they use (REVIEW11B #3).
    db.table("login_known").create({"name": str, "address": str, "at": float}, pk=("name", "address"), not_null={"at"})


@migrations()
def m013_replies_sent_despite(db: sqlite_utils.Database) -> None:
    # The severe problems (sincerity 0, review inducement) a reply was logged with anyway: confirmed on the page
    # (仍然发送) or already sent when an API client logged it. JSON list in Chinese; null when it had none.
    db.table("replies").add_column("sent_despite", str)


# How long a connection waits for another one's lock, in seconds: a request 5 s. Start-up keeps trying for a minute:
# several processes started at once on a fresh folder (`serve --workers N`, or two `serve`) turn the new file to WAL and
# migrate it one after the other, and where two of them would wait on each other SQLite refuses one at once ("database
# is locked", no busy wait): on CI the second of two servers started together then refused to start.
REQUEST_WAIT = 5.0
STARTUP_WAIT = 60.0


def open_db(path: Path | str, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the log at ``path`` or ":memory:", and apply pending migrations.

    The file, its -wal and -shm are kept private (``make_private``) before SQLite opens them. At start-up
    (``migrate``) a lock refused by another process starting at the same time is tried again, for up to
    ``STARTUP_WAIT`` seconds.

    :param migrate: False for per-request connections once start-up has migrated the file

    :raises StorageUnavailable: when the file cannot be opened or written (naming the read-only files)
    """
    deadline = time.monotonic() + STARTUP_WAIT
    while True:
        try:
            return _open(path, migrate)
        except sqlite3.OperationalError as e:
            if not (migrate and "locked" in str(e) and time.monotonic() < deadline):
                raise _unavailable(path, e) from None
            time.sleep(0.05 + random.random() * 0.2)  # apart, so two processes do not meet again
        except (sqlite3.Error, OSError) as e:
            raise _unavailable(path, e) from None


def _open(path: Path | str, migrate: bool) -> sqlite_utils.Database:
    """One attempt of ``open_db``; the connection is closed when it fails."""
    conn = None
    try:
        if str(path) != ":memory:":
            make_private(Path(path), folder=migrate)  # the folder once, at start-up
        wait = STARTUP_WAIT if migrate else REQUEST_WAIT
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=wait)
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            db.enable_wal()
        if migrate and migrations.pending(db):
            # The write lock taken up front makes processes that start together migrate one after the other, and the
            # ones that wait find nothing left to do. A deferred transaction would fail at once with "database is locked".
            with write_transaction(db):
                migrations.apply(db)
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return db


def _unavailable(path: Path | str, e: Exception) -> StorageUnavailable:
    fault = read_only_files(Path(path)) if str(path) != ":memory:" else ""
    return StorageUnavailable(f"cannot open the log at {path}: {e}" + (f" ({fault})" if fault else ""))


def open_to_read(path: Path, key_path: Path) -> tuple[sqlite_utils.Database, bytes]:
    """The log at ``path`` and its HMAC key (``key_path``, ``Settings.secret_path``), for a command that only reads them
    (``assistant suggest --db``): no key is created, and the file is neither migrated, tightened nor switched to WAL
    (``PRAGMA query_only``), so a copy (``assistant backup`` writes the log alone) is left as it was.

    :raises InvalidInput: when there is no key beside the log (a new one would match none of its buyer and order
        references: a repeat contact would go unseen), or when the log needs migrations this version would apply
    """
    try:
        key = bytes.fromhex(key_path.read_text().strip())
    except FileNotFoundError:
        raise InvalidInput(
            f"no {key_path.name} beside the log at {path}: without the key it was written with, an earlier reply to the "
            f"same buyer or order cannot be found; copy that {key_path.name} beside it, or leave out --db"
        ) from None
    except (OSError, ValueError) as e:
        raise InvalidInput(f"cannot read {key_path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False, timeout=5.0))
        db.execute("PRAGMA query_only = ON")
        waiting = migrations.pending(db)
    except sqlite3.Error as e:
        raise StorageUnavailable(f"cannot open the log at {path}: {e}") from None
    if waiting:
        db.close()
        raise InvalidInput(
            f"the log at {path} is from an older version ({len(waiting)} migration(s) to apply); "
            "`assistant serve` with this --db applies them"
        )
    return db, key


def companions(path: Path) -> list[Path]:
    """The log file and the -wal and -shm files SQLite keeps beside it in WAL mode."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def make_private(path: Path, *, folder: bool = True) -> None:
    """Keep the log readable by its owner only: folder 0700, file, -wal and -shm 0600, created so before SQLite does.

    SQLite gives a new -wal or -shm the mode of the database file, so a log made read-only (0444) leaves them
    read-only after its mode is put back: they are made writable again here once the file itself is writable.
    Only files this user owns are changed, and an existing folder only when it holds nothing but the log and
    its keys (a log kept in the working directory or /tmp leaves that folder as it is).

    :param folder: also create or tighten the folder
    """
    if folder:
        _private_folder(path.parent)
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass  # another process made it first
    database_writable = os.access(path, os.W_OK)
    for file in companions(path):
        _tighten(file, 0o600, heal=database_writable and file != path)


_OWN_FILES = re.compile(r"[^/]*\.db(-wal|-shm|-journal)?|secret\.key|session\.key|.*\.tmp")


def _private_folder(folder: Path) -> None:
    """Create the log's folder 0700, or take group and other permissions off it when it is the log's own folder."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif stat.S_IMODE(folder.stat().st_mode) & 0o077 and all(_OWN_FILES.fullmatch(p.name) for p in folder.iterdir()):
        _tighten(folder, 0o700)


def _tighten(path: Path, mode: int, *, heal: bool = False) -> None:
    """Take group and other permissions off a file or folder this user owns (and, with ``heal``, give back the owner's)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_uid != os.getuid() or st.st_mode & stat.S_ISVTX:
        return
    current = stat.S_IMODE(st.st_mode)
    wanted = mode if heal else current & ~0o077
    if current != wanted and (heal or current & 0o077):
        if heal and current & 0o200 == 0:
            log.warning("%s was read-only (mode %o, left from a permission fault): made writable again", path.name, current)
        path.chmod(wanted)


def read_only_files(path: Path) -> str:
    """Which of the log's files this process cannot write, by name and mode ("" when none): what an operator must fix."""
    names = []
    for file in companions(path):
        try:
            if file.exists() and not os.access(file, os.W_OK):
                names.append(f"{file.name} (mode {stat.S_IMODE(file.stat().st_mode):o})")
        except OSError:
            continue
    try:  # a folder that is missing or cannot be (a file stands in its path) is not read-only: the open's error says so
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            names.append(f"the folder {path.parent} (mode {stat.S_IMODE(path.parent.stat().st_mode):o})")
    except OSError:
        pass
    return "read-only: " + ", ".join(names) if names else ""


def load_or_create_secret(path: Path) -> bytes:
    """The HMAC key kept beside the database (mode 0600, in a 0700 folder), created on first use; a looser mode is tightened.

    Several processes may create it at once (`serve --workers N`): each writes a complete candidate
    to its own file and links it to ``path``, which fails if the file exists; whoever loses reads the
    winner's key, so every process ends up with the same one.
    """
    if path.exists():
        _tighten(path, 0o600)
        return bytes.fromhex(path.read_text().strip())
    _private_folder(path.parent)
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fp:
            fp.write(secrets.token_bytes(32).hex())
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
    finally:
        os.unlink(partial)
    return bytes.fromhex(path.read_text().strip())


def backup(db: sqlite_utils.Database, out: Path) -> int:
    """Copy the log to ``out`` with SQLite's online backup (consistent while the server writes); returns pages copied.

    The copy is one self-contained file (no -wal beside it), checked with ``pragma integrity_check``
    before it takes its name.

    :raises InvalidInput: when ``out`` exists (a backup never overwrites a file) or its folder cannot be written
    :raises StorageUnavailable: when the copy fails its integrity check
    """
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new file for the backup")
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # private like the log: password hashes
    except OSError as e:
        raise InvalidInput(f"cannot write {out}: {e.strerror}") from None
    try:
        target = sqlite3.connect(str(partial))
        try:
            db.conn.backup(target)
            pages = target.execute("pragma page_count").fetchone()[0]
            target.execute("pragma journal_mode = delete")  # one self-contained file, no -wal beside it
            integrity = target.execute("pragma integrity_check").fetchone()[0]
        finally:
            target.close()
        if integrity != "ok":
            raise StorageUnavailable(f"the backup failed its integrity check: {integrity}")
        partial.replace(out)
    except BaseException:  # a disk full or a failed check: no half copy (with password hashes) is left behind
        partial.unlink(missing_ok=True)
        raise
    return pages


def insert(db: sqlite_utils.Database, table: str, record: dict) -> int:
    """Insert one row into a rowid table and return its id."""
    return cast(int, db.table(table).insert(record).last_pk)  # a rowid table's last_pk is the new row's integer id


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE).

    A deferred transaction that reads first and writes later cannot wait for a
    concurrent writer: SQLite answers "database is locked" at once instead of using
    the busy timeout. Taking the lock up front lets the timeout do its job.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def all_or_nothing(db: sqlite_utils.Database):
    """``write_transaction``, or a savepoint inside the caller's transaction when there is one (``assistant serve``
    adds the first lead inside its own)."""
    return db.atomic() if db.conn.in_transaction else write_transaction(db)


def read_stamp(db: sqlite_utils.Database, name: str) -> int:
    """A shared counter's value (0 if never bumped): one indexed read, cheap enough to poll."""
    row = db.execute("select value from stamps where name = ?", [name]).fetchone()
    return row[0] if row else 0


def bump_stamp(db: sqlite_utils.Database, name: str) -> int:
    """Increase a shared counter by one and return its new value (for example the reply library's version)."""
    with write_transaction(db):
        db.execute("insert into stamps (name, value) values (?, 1) on conflict (name) do update set value = value + 1", [name])
        return read_stamp(db, name)
