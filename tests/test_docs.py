"""Documentation is tested like code: settings, commands and placeholders must be documented."""

from dataclasses import fields
from pathlib import Path

import pytest

from assistant.cli import cli
from assistant.config import Settings
from assistant.engine.library import PLACEHOLDERS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPLIES_README = (ROOT / "replies" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_settings_are_documented_and_have_help(name):
    assert f"`{name}`" in README
    assert next(f for f in fields(Settings) if f.name == name).metadata.get("help")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_commands_are_documented(name):
    assert f"assistant {name}" in README


@pytest.mark.parametrize("name", sorted(PLACEHOLDERS))
def test_placeholders_are_documented(name):
    assert f"{{{{ {name} }}}}" in REPLIES_README


def test_readme_keeps_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [block for block in setup.split("```bash")[1:]]
    assert len(commands) == 2
    assert "assistant serve" in commands[0] and "pytest" in commands[1]
