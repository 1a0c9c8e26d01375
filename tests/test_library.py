import shutil
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from assistant.engine.lint import lint_library
from assistant.engine.load import load_library
from assistant.errors import LibraryError
from assistant.taxonomy import INTENTS, REASONS

SHIPPED = Path(__file__).resolve().parent.parent / "replies"


@pytest.fixture
def library_copy(tmp_path):
    target = tmp_path / "replies"
    shutil.copytree(SHIPPED, target)
    return target


def test_shipped_library_lints_clean():
    report = lint_library(SHIPPED)
    assert report.problems == ()


def test_every_intent_and_reason_is_covered():
    report = lint_library(SHIPPED)
    assert {i: n for i, n in report.by_intent.items() if n < 5} == {}
    assert {r: n for r, n in report.by_reason.items() if n < 2} == {}
    assert set(report.by_intent) == set(INTENTS) and set(report.by_reason) == set(REASONS)


def test_every_offline_template_has_a_private_script():
    library = load_library(SHIPPED)
    assert all(t.private for t in library.templates if t.kind == "offline")


def _append(path: Path, text: str) -> int:
    """Append a template to a library file; return the line it starts on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines) + "\n" + text, encoding="utf-8")
    return len(lines) + 1


BAD_PLACEHOLDER = """  - id: other.broken
    situation: 测试
    examples: [太差了]
    body: "{{ customer }}您好，{{ coupon_code }}"
"""


def test_unknown_placeholder_is_reported_with_file_and_line(library_copy):
    line = _append(library_copy / "other.yaml", BAD_PLACEHOLDER)
    with pytest.raises(LibraryError) as info:
        load_library(library_copy)
    assert info.value.file == "replies/other.yaml"
    assert info.value.line == line + 3
    assert "coupon_code" in info.value.message


def test_template_cannot_reach_python_objects(library_copy):
    _append(library_copy / "other.yaml", BAD_PLACEHOLDER.replace("{{ coupon_code }}", "{{ ''.__class__.__mro__ }}"))
    library = load_library(library_copy)
    template = next(t for t in library.templates if t.id == "other.broken")
    with pytest.raises(SecurityError, match="__class__"):
        library.render(template, {"customer": ""})


def test_yaml_syntax_error_names_the_line(library_copy):
    (library_copy / "other.yaml").write_text("intent: other\ntemplates:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(LibraryError) as info:
        load_library(library_copy)
    assert info.value.file.endswith("other.yaml") and info.value.line >= 3


def test_unknown_intent_is_rejected(library_copy):
    (library_copy / "other.yaml").write_text("intent: weather\ntemplates: []\n", encoding="utf-8")
    with pytest.raises(LibraryError, match="'intent' must be one of"):
        load_library(library_copy)


def test_lint_reports_an_insincere_template(library_copy):
    _append(library_copy / "other.yaml", BAD_PLACEHOLDER.replace("{{ coupon_code }}", "给您带来不便深表歉意，改好评返现。"))
    report = lint_library(library_copy)
    assert any("other.broken" in p.message and "sincerity" in p.message for p in report.problems)
