"""The ``assistant`` command: a thin shell over the engine.

Each command parses its input, calls one engine, service or log function and
formats the result; ``AssistantError`` becomes a one-line ``Error: ...`` and exit
code 1.

Commands import what they use inside their own bodies, on purpose: the engine,
FastAPI, uvicorn and scikit-learn take seconds to load, and ``assistant --help``
(or one command's ``--help``) should not wait for them.

The commands live by what they work on: ``drafts`` (suggest, triage, check, lint),
``model`` (train, eval), ``service`` (serve, backup, export, import-outcomes) and
``users``; ``common`` holds the options they share.
"""

from __future__ import annotations

import click

from assistant import __version__
from assistant.cli import drafts, model, service, users
from assistant.cli.common import CONTEXT_SETTINGS
from assistant.errors import AssistantError


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


for command in (
    drafts.suggest,
    drafts.triage,
    drafts.check,
    drafts.lint,
    model.train,
    model.eval_,
    service.serve,
    service.backup,
    service.export,
    service.import_outcomes,
    users.users,
):
    cli.add_command(command)
