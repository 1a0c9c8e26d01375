import shutil
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from assistant.engine.escalate import load_rules
from assistant.engine.lint import lint_library
from assistant.engine.load import load_library, make_environment
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
    with pytest.raises(LibraryError, match="__class__") as info:  # refused on load: the sandbox will never render it
        load_library(library_copy)
    assert info.value.message.startswith("template 'other.broken': cannot render:")
    env = make_environment()
    with pytest.raises(SecurityError, match="__class__"):
        env.from_string("{{ ''.__class__.__mro__ }}").render()


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


DONE_CLAIM = """  - id: other.claims_done
    situation: 测试
    examples: [东西坏了一直没人管]
    body: |
      {{ customer }}您好，我是{{ agent }}。您说的{{ issue }}，聊天记录我已经调出，已经找财务加急，
      {{ deadline }}给您回电，补发的新品{{ policy.resend_deadline }}寄出，{{ policy.return_shipping }}，有任何问题直接找我。
"""


def test_lint_fails_a_template_that_claims_a_done_action(library_copy, capsys):
    line = _append(library_copy / "other.yaml", DONE_CLAIM)
    report = lint_library(library_copy)
    claims = [p for p in report.problems if "other.claims_done" in p.message and "未做的事不要写成已做" in p.message]
    assert claims and claims[0].file.endswith("other.yaml") and claims[0].line == line
    assert "「已经调出」" in claims[0].message and "「已经找」" in claims[0].message

    from click.testing import CliRunner

    from assistant.cli import cli

    result = CliRunner().invoke(cli, ["lint", str(library_copy)])
    assert result.exit_code == 1
    assert f"other.yaml:{line}: other.claims_done: 未做的事不要写成已做" in result.output


def test_lint_fails_a_private_script_that_claims_a_done_action(library_copy):
    private = DONE_CLAIM.replace("聊天记录我已经调出，已经找财务加急，", "我现在就去查，") + (
        '    private: "（私信）{{ customer }}您好，我是{{ agent }}。给您申请了一张20元无门槛券，已经发到账户里。"\n'
    )
    line = _append(library_copy / "other.yaml", private)
    report = lint_library(library_copy)
    assert {p.line for p in report.problems if "other.claims_done (private)" in p.message and "未做的事" in p.message} == {line}
    assert not any(p.message.startswith("other.claims_done:") for p in report.problems)  # the body itself is clean


def test_no_shipped_template_or_private_script_claims_a_done_action():
    from assistant.engine.library import PLACEHOLDERS
    from assistant.engine.lint import _SAMPLE
    from assistant.engine.sincerity import done_claims

    library = load_library(SHIPPED)
    found = {}
    for t in library.templates:
        issue = f"“{(t.examples[0] if t.examples else t.situation)[:14]}”这个问题"
        texts = [library.render(t, {**_SAMPLE, "issue": issue}), library.render(t, PLACEHOLDERS)]
        if t.private:
            texts.append(library.render(t, {**_SAMPLE, "issue": issue}, private=True))
        claims = [c for text in texts for c in done_claims(text)]
        if claims:
            found[t.id] = claims
    assert found == {}


SECOND_GENERAL = """
  - id: other.another_general
    situation: 另一条通用回复
    general: true
    body: |
      {{ customer }}您好，我是{{ agent }}。您说的{{ issue }}我们很重视，{{ deadline }}我会联系您，核实后给您退款或换新。
"""


def test_a_second_general_template_in_one_intent_is_refused(library_copy):
    _append(library_copy / "other.yaml", SECOND_GENERAL)
    report = lint_library(library_copy)
    assert any("two general templates" in p.message for p in report.problems)


def test_general_must_be_true_or_false(library_copy):
    _append(library_copy / "other.yaml", SECOND_GENERAL.replace("general: true", "general: 是"))
    report = lint_library(library_copy)
    assert any("'general' must be true or false" in p.message for p in report.problems)


def test_only_a_general_template_may_have_no_examples(library_copy):
    _append(library_copy / "other.yaml", SECOND_GENERAL.replace("    general: true\n", ""))
    report = lint_library(library_copy)
    assert any("needs at least one example complaint" in p.message for p in report.problems)


def test_an_intent_left_without_templates_is_linted_and_still_gets_drafts(library_copy, tmp_path):
    """A lead who empties an intent's file: lint names the intent, and its complaints still get the other drafts
    (they crashed the draft page with a 500)."""
    path = library_copy / "counterfeit.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\ntemplates:")] + "\ntemplates: []\n", encoding="utf-8")
    report = lint_library(library_copy)
    assert any("counterfeit has no templates" in p.message for p in report.problems)

    from assistant.config import Settings
    from assistant.engine.core import Engine

    engine = Engine.from_settings(Settings(replies_dir=library_copy, cache_dir=tmp_path / "c"))
    suggestion = engine.suggest("收到的鞋是假货，鞋标都是歪的，专柜验过了不是正品")
    assert suggestion.intents[0].id == "counterfeit"
    assert suggestion.drafts and all(not d.template_id.startswith("counterfeit.") for d in suggestion.drafts)


def test_a_severity_that_is_not_a_number_is_a_library_error_naming_its_line(library_copy):
    path = library_copy / "escalation.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.strip().startswith("severity:"))
    lines[n] = lines[n].split("severity:")[0] + "severity: 高\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(LibraryError, match="severity' must be a whole number") as caught:
        load_rules(path)
    assert caught.value.line == n + 1
    assert [(p.file, p.line) for p in lint_library(library_copy).problems] == [("escalation.yaml", n + 1)]
