"""Documentation is tested like code: settings, commands and placeholders must be documented."""

import hashlib
import re
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


def test_vendored_static_files_are_listed_with_their_hashes_and_never_edited():
    """web/static/README.md names every vendored file with its SHA-256: a file edited in place (or swapped for another
    version under the same name) no longer matches, and a vendored file not listed is found."""
    static = ROOT / "web" / "static"
    listed = dict(re.findall(r"^\| `([^`]+)` \| [^|]+ \| `([0-9a-f]{64})` \|$", (static / "README.md").read_text("utf-8"), re.M))
    assert "htmx-2.0.11.min.js" in listed and "flatpickr-4.6.13.min.js" in listed
    for name, digest in listed.items():
        assert hashlib.sha256((static / name).read_bytes()).hexdigest() == digest, name
    ours = {"README.md", "app.css", "app.js", "favicon.ico"}
    assert {p.name for p in static.iterdir()} - ours == set(listed)
