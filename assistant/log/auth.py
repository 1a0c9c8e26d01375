"""Users, passwords and API tokens.

Passwords are hashed with Argon2id (argon2-cffi); API tokens are random
32-byte strings stored as SHA-256 digests (a token is already high-entropy, so
a fast hash is enough and lookups stay one indexed query). Both are shown once,
when the user is created; ``new_token`` replaces a token (shown once too).
A password one person hands to another (a reset, an account made on the 账号管理 page or by
`assistant users add`, the first lead `assistant serve` prints) is marked ``must_change_password`` until the person
chooses their own; the pages let such a session do nothing else.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.errors import InvalidInput, NotFound
from assistant.log.db import all_or_nothing, insert, write_transaction

ROLES = ("agent", "lead")
_USER_COLUMNS = "name, role, display_name, session_epoch, must_change_password"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A signed-in person: an agent sends replies, a lead also reads statistics and exports."""

    name: str
    role: str
    display_name: str | None = None  # the name drafts sign with; the login name when not set
    epoch: int = 0  # the account's session epoch: a session signed in under an older one no longer works
    must_change_password: bool = False  # signed in with a handed-out password: must choose a new one first

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @property
    def shown_name(self) -> str:
        """The name the pages show for the account: the display name, else the login name."""
        return self.display_name or self.name

    @property
    def signature(self) -> str | None:
        """The name a customer reads in a draft (「我是…」): the display name, else the login name when it is Chinese
        (「小林」); None for a login name such as 「agent2」, and drafts sign as the library's 「负责售后的客服」."""
        return self.display_name or (self.name if _CJK.search(self.name) else None)


_CJK = re.compile(r"[\u3400-\u9fff]")


class AccountDeactivated(Exception):
    """The password was right, but the account has been deactivated."""


@dataclass(frozen=True)
class NewUser:
    """A just-created user with the one-time password and API token."""

    name: str
    role: str
    password: str
    token: str

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "password": self.password, "token": self.token}


def add_user(
    db: sqlite_utils.Database, name: str, role: str, display_name: str | None = None, *, must_change_password: bool = False
) -> NewUser:
    """Create a user and return the one-time password and token.

    :param display_name: the name drafts sign with (「我是…」); the login name when empty
    :param must_change_password: the password is handed to the person by someone else (a lead on the 账号管理 page, a
        terminal's `assistant users add` or the first lead of `assistant serve`): the pages ask for a new one at the
        first sign-in
    :raises InvalidInput: for an empty or taken name (or one differing from a taken one only in case, width or spaces),
        an unknown role or a display name over 32 characters
    """
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("user name must be 1-64 characters")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of: {', '.join(ROLES)}")
    display_name = _display_name(display_name)
    password = secrets.token_urlsafe(12)
    token = secrets.token_urlsafe(32)
    password_hash = _hasher.hash(password)  # before the write lock: hashing takes a while
    with all_or_nothing(db):  # two leads adding "Xiaolin" and "xiaolin" at once: the second is refused
        if db.execute("select 1 from users where name = ?", [name]).fetchone():
            raise InvalidInput(f"user {name!r} already exists")
        # "Xiaolin" beside "xiaolin" would share its sign-in limit (login_key) and be told apart by nobody reading a list.
        key = login_key(name)
        twin = next((n for (n,) in db.execute("select name from users") if login_key(n) == key), None)
        if twin is not None:
            raise InvalidInput(f"user {name!r} differs from {twin!r} only in case, width or spaces")
        insert(
            db,
            "users",
            {
                "name": name,
                "role": role,
                "password_hash": password_hash,
                "token_hash": _token_hash(token),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "active": 1,
                "display_name": display_name,
                "must_change_password": int(must_change_password),
            },
        )
    return NewUser(name, role, password, token)


def user_for_token(db: sqlite_utils.Database, token: str) -> User | None:
    """The active user owning an API token, or None."""
    row = db.execute(f"select {_USER_COLUMNS} from users where token_hash = ? and active = 1", [_token_hash(token)]).fetchone()
    return _user(row) if row else None


def check_password(db: sqlite_utils.Database, name: str, password: str) -> User | None:
    """The active user if the password is right, else None (the same time is spent either way).

    :raises AccountDeactivated: when the password is right but a lead has deactivated the account
    """
    row = db.execute(f"select password_hash, active, {_USER_COLUMNS} from users where name = ?", [name]).fetchone()
    stored = row[0] if row else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if not row[1]:
        raise AccountDeactivated(f"account {name!r} is deactivated")
    return _user(row[2:])


def _user(row: tuple) -> User:
    """A ``User`` from a row of ``_USER_COLUMNS``."""
    name, role, display_name, epoch, must_change = row
    return User(name, role, display_name, epoch, bool(must_change))


def has_users(db: sqlite_utils.Database) -> bool:
    return db.execute("select 1 from users limit 1").fetchone() is not None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown names, so timing does not reveal which names exist."""
    return _hasher.hash(secrets.token_urlsafe(12))


def list_users(db: sqlite_utils.Database) -> list[dict]:
    """Every account (name, display_name, role, created_at, active, must_change_password), oldest first, for the accounts page."""
    columns = "name, display_name, role, created_at, active, must_change_password"
    return list(db.query(f"select {columns} from users order by created_at"))


def display_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Every account's login name -> the name its drafts sign with (the login name when it has none), as pages show agents."""
    return {name: display or name for name, display in db.execute("select name, display_name from users")}


def user_for_session(db: sqlite_utils.Database, name: str | None, sid: str, epoch: int = 0) -> User | None:
    """The active user a page session names, or None: no such user, deactivated, revoked, or signed in before a reset."""
    row = db.execute(f"select {_USER_COLUMNS} from users where name = ? and active = 1", [name]).fetchone() if name else None
    if row is None or row[3] != epoch or db.execute("select 1 from revoked_sessions where sid = ?", [sid]).fetchone():
        return None
    return _user(row)


def set_display_name(db: sqlite_utils.Database, name: str, display_name: str | None) -> None:
    """Change the name an account's drafts sign with (empty: the login name).

    :raises InvalidInput: for a display name over 32 characters
    :raises NotFound: for an unknown account
    """
    _update(db, name, "display_name = ?", [_display_name(display_name)])


def reset_password(db: sqlite_utils.Database, name: str) -> str:
    """Give an account a new one-time password and return it; its sessions signed in before stop working at once.

    The account must choose a new password at its next sign-in (``must_change_password``): whoever handed this one
    on knows it. The API token is a separate credential and is left as it is.

    :raises NotFound: for an unknown account
    """
    password = secrets.token_urlsafe(12)
    assignments = "password_hash = ?, session_epoch = session_epoch + 1, must_change_password = 1"
    _update(db, name, assignments, [_hasher.hash(password)])
    return password


def new_token(db: sqlite_utils.Database, name: str) -> str:
    """Give an account a new API token and return it (shown once); the old token stops working at once.

    The way to replace a token someone else has seen (printed next to a handed-out password) or that was lost.
    Sessions and the password are left as they are.

    :raises NotFound: for an unknown account
    """
    token = secrets.token_urlsafe(32)
    _update(db, name, "token_hash = ?", [_token_hash(token)])
    return token


PASSWORD_CHARS = (10, 128)  # the shortest and longest password a person may choose


def change_password(db: sqlite_utils.Database, name: str, new_password: str) -> int:
    """Set a password the person chose (the caller has checked the current one); return the account's new session epoch.

    Every other session of the account stops working; the caller moves its own session to the returned epoch. The
    account no longer has to change its password (``must_change_password`` is cleared).

    :raises InvalidInput: for a password shorter or longer than ``PASSWORD_CHARS``
    :raises NotFound: for an unknown account
    """
    shortest, longest = PASSWORD_CHARS
    if not shortest <= len(new_password) <= longest:
        raise InvalidInput(f"password must be {shortest}-{longest} characters")
    assignments = "password_hash = ?, session_epoch = session_epoch + 1, must_change_password = 0"
    # The new epoch is read in the same statement: a lead's reset landing in between must still end this session.
    return _update(db, name, assignments, [_hasher.hash(new_password)], returning="session_epoch")


def set_active(db: sqlite_utils.Database, name: str, active: bool) -> None:
    """Deactivate (its sessions and API token stop working at once; its replies stay) or reactivate an account.

    :raises NotFound: for an unknown account
    """
    _update(db, name, "active = ?, session_epoch = session_epoch + 1", [int(active)])


def _update(db: sqlite_utils.Database, name: str, assignments: str, values: list, returning: str = "name"):
    """Update one account in a transaction of its own; the column ``returning`` names, as the update left it."""
    with write_transaction(db):
        row = db.execute(f"update users set {assignments} where name = ? returning {returning}", [*values, name]).fetchone()
    if row is None:
        raise NotFound(f"user {name!r} not found")
    return row[0]


def _display_name(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > DISPLAY_NAME_CHARS:
        raise InvalidInput(f"display name must be at most {DISPLAY_NAME_CHARS} characters")
    return value or None


def revoke_session(db: sqlite_utils.Database, sid: str, *, max_age: float, now: float | None = None) -> None:
    """Revoke a session id (a copy of its cookie stops working); forget revocations older than ``max_age`` seconds."""
    now = time.time() if now is None else now
    with write_transaction(db):
        db.execute("insert or ignore into revoked_sessions (sid, revoked_at) values (?, ?)", [sid, now])
        db.execute("delete from revoked_sessions where revoked_at < ?", [now - max_age])


NAME_CHARS = 64  # the longest user name add_user accepts; longer sign-in names are cut to this in the limiter
DISPLAY_NAME_CHARS = 32  # the longest display name (the name drafts sign with)
# The account forms' limits, as the checks here apply them (the pages' maxlength and minlength)
ACCOUNT_CHARS = {"name": NAME_CHARS, "display_name": DISPLAY_NAME_CHARS, "password": PASSWORD_CHARS}


def login_key(name: str) -> str:
    """The name a sign-in attempt is counted under: NFKC, stripped, case-folded, at most 64 characters.

    ``"frank "``, ``"Frank"`` and a full-width ``"ｆｒａｎｋ"`` share one bucket, so variants of a name the
    password check would accept (it strips the name) cannot each get their own allowance.
    """
    return unicodedata.normalize("NFKC", name.strip()[: 4 * NAME_CHARS]).strip().casefold()[:NAME_CHARS]


def address_group(address: str) -> str:
    """The address sign-in failures are counted under: an IPv6 address's /64, an IPv4 address itself.

    One client (a home line, a cloud host) holds a whole IPv6 /64 and can send every guess from a new address in it;
    an IPv4 address written inside IPv6 (``::ffff:192.0.2.1``) is that IPv4 address. Anything that is not an address
    (a test client's name) is counted as given.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


class LoginLimiter:
    """Failed sign-ins, kept in the log so that every worker process counts the same ones.

    Every limit is checked before any password is hashed, over the last ``window`` seconds, with addresses counted by
    ``address_group`` (an IPv6 /64 is one address): ``per_name`` failures of one name (as ``login_key``) from one
    address lock that name from that address; ``per_address`` failures from one address, whatever the names, lock the
    address; ``per_account`` failures of one name from all addresses together lock the name from every address it has
    not signed in from in the last ``known_days`` days, so that guesses spread over many addresses are bounded too while
    a flood of them cannot lock the owner out of the office (a known address keeps its own two limits). Each lock ends
    when its failures are older than the window (nothing is locked for good). Each recorded failure deletes the rows
    older than the window, and names are stored cut to 64 characters, so the table holds at most one window's failures
    however long the names sent.
    """

    def __init__(
        self, per_name: int = 5, per_address: int = 20, per_account: int = 20, window: float = 300.0, known_days: float = 30
    ):
        self.per_name, self.per_address, self.per_account, self.window = per_name, per_address, per_account, window
        self.known = known_days * 86400

    def refused(self, db: sqlite_utils.Database, address: str, name: str, now: float | None = None) -> bool:
        """Whether this address, this name from this address, or this name from anywhere has used up its failures."""
        since = (time.time() if now is None else now) - self.window
        group, key = address_group(address), login_key(name)
        by_name, by_address, by_account = db.execute(
            "select coalesce(sum(address = ? and name = ?), 0), coalesce(sum(address = ?), 0), coalesce(sum(name = ?), 0) "
            "from login_failures where at > ? and (address = ? or name = ?)",
            [group, key, group, key, since, group, key],
        ).fetchone()
        if by_name >= self.per_name or by_address >= self.per_address:
            return True
        return by_account >= self.per_account and not self._known(db, group, key, since + self.window)

    def _known(self, db: sqlite_utils.Database, group: str, key: str, now: float) -> bool:
        row = db.execute("select at from login_known where name = ? and address = ?", [key, group]).fetchone()
        return row is not None and row[0] > now - self.known

    def failed(self, db: sqlite_utils.Database, address: str, name: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with write_transaction(db):
            db.execute(
                "insert into login_failures (address, name, at) values (?, ?, ?)", [address_group(address), login_key(name), now]
            )
            db.execute("delete from login_failures where at <= ?", [now - self.window])

    def succeeded(self, db: sqlite_utils.Database, address: str, name: str) -> None:
        """A right password forgets this name's failures from this address, and makes the address a known one."""
        group, key, now = address_group(address), login_key(name), time.time()
        with write_transaction(db):
            db.execute("delete from login_failures where address = ? and name = ?", [group, key])
            db.execute(
                "insert into login_known (name, address, at) values (?, ?, ?) on conflict (name, address) do update set at = ?",
                [key, group, now, now],
            )
            db.execute("delete from login_known where at <= ?", [now - self.known])
