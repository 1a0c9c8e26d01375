"""``assistant users``: the accounts, for an operator at the server's terminal."""

from __future__ import annotations

import json

import click

from assistant.cli.common import MUST_CHANGE, db_option, existing_log, json_option
from assistant.config import Settings


@click.group()
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
