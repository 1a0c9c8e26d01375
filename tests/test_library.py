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


def test_lint_fails_checking_told_as_done_in_a_body_and_a_private_script(library_copy):
    """「之前的记录我都看过了」, 「同批次的货我们正在排查」 and 「…逐条核实了一遍」 passed lint in shipped templates
    (REVIEW12 #4)."""
    body = DONE_CLAIM.replace("聊天记录我已经调出，已经找财务加急，", "之前的记录我都看过了，同批次的货我们正在排查，") + (
        '    private: "（私信）{{ customer }}您好，我是{{ agent }}。我把之前几位同事的答复和记录逐条核实了一遍，今天给您回电。"\n'
    )
    line = _append(library_copy / "other.yaml", body)
    problems = [p.message for p in lint_library(library_copy).problems if p.line == line and "未做的事不要写成已做" in p.message]
    assert any(m.startswith("other.claims_done:") and "「都看过了」" in m and "「正在排查」" in m for m in problems), problems
    assert any(m.startswith("other.claims_done (private):") and "「核实了一遍」" in m for m in problems), problems


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


# REVIEW11 #3: a library file that cannot be read as UTF-8 text (words.txt saved as GBK by Notepad's "ANSI", a file
# renamed away or replaced by a folder) gave tracebacks in lint and suggest, 500 on 重新载入, and killed a worker's
# reload-follow loop. Each is now a LibraryError naming the file (and the line of the first bad byte).
def _gbk_words(directory: Path) -> int:
    """Append a GBK-encoded word to words.txt; the line it is on."""
    path = directory / "words.txt"
    data = path.read_bytes()
    path.write_bytes(data + "电饭煲内胆 5 product\n".encode("gbk"))
    return data.count(b"\n") + 1


def _break(directory: Path, case: str) -> str:
    """Break a library copy the way ``case`` says; the line lint prints for it."""
    if case == "words.txt in GBK":
        return f"replies/words.txt:{_gbk_words(directory)}: file is not UTF-8"
    if case == "a template file in GBK":
        path = directory / "other.yaml"
        path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))  # line 1 is ASCII, line 2 the first Chinese
        return "replies/other.yaml:2: file is not UTF-8"
    name = case.split()[0]
    (directory / name).unlink()
    if case.endswith("missing"):
        return f"{name}:0: file not found"
    (directory / name).mkdir()
    where = name if name == "escalation.yaml" else f"replies/{name}"
    return f"{where}:0: a folder where a file should be"


UNREADABLE = [
    "words.txt in GBK",
    "a template file in GBK",
    "escalation.yaml missing",
    "escalation.yaml a folder",
    "policy.yaml a folder",
]


@pytest.mark.parametrize("case", UNREADABLE)
def test_lint_of_an_unreadable_library_file_prints_one_file_line_message(library_copy, case):
    from click.testing import CliRunner

    from assistant.cli import cli

    expected = _break(library_copy, case)
    result = CliRunner().invoke(cli, ["lint", str(library_copy)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output == expected + "\n"


@pytest.mark.parametrize("case", UNREADABLE)
def test_suggest_on_an_unreadable_library_file_says_which_in_one_line(library_copy, tmp_path, case, monkeypatch):
    from click.testing import CliRunner

    from assistant.cli import cli

    where, message = _break(library_copy, case).split(": ", 1)
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli, ["suggest", "快递一个星期还没到", "--replies", str(library_copy)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert message in result.output and Path(where.split(":")[0]).name in result.output


def test_a_reload_with_words_txt_in_gbk_says_so_in_chinese_and_keeps_the_last_good_library(library_copy, settings, engine):
    from fastapi.testclient import TestClient
    from helpers import sign_in

    from assistant.config import Settings
    from assistant.log.auth import add_user
    from assistant.log.db import open_db
    from assistant.web.app import create_app

    live = Settings(db_path=settings.db_path, replies_dir=library_copy, cache_dir=settings.db_path.parent / "cache")
    with TestClient(create_app(live, engine=engine)) as client:
        lead = add_user(open_db(live.db_path), "组长", "lead")
        csrf = sign_in(client, "组长", lead.password)
        line = _gbk_words(library_copy)
        page = client.post("/library/reload", headers={"X-CSRF-Token": csrf})
        assert page.status_code == 200
        assert f"载入失败，继续使用上一版模板库：replies/words.txt 第 {line} 行：文件不是 UTF-8 编码" in page.text
        assert client.app.state.engine is engine and client.app.state.library_version == 0
        drafts = client.post("/compose/suggest", data={"text": "收到的杯子碎了两个", "csrf": csrf})
        assert drafts.status_code == 200 and "damaged_delivery" in drafts.text


class _State:
    pass


class _App:
    def __init__(self, settings, engine):
        self.state = _State()
        self.state.settings, self.state.engine, self.state.library_version = settings, engine, 0


@pytest.mark.parametrize(
    "failure", [UnicodeDecodeError("utf-8", b"\xc8", 0, 1, "invalid continuation byte"), RuntimeError("boom"), None]
)
def test_the_follow_check_keeps_the_last_good_engine_whatever_the_reload_raises(
    library_copy, settings, engine, monkeypatch, failure, caplog
):
    """A second worker that sees the version move while the library cannot be loaded keeps serving the engine it has,
    and takes the next version (after the file is fixed and reloaded again)."""
    from assistant import reporting
    from assistant.config import Settings
    from assistant.web import app as web_app

    live = Settings(db_path=settings.db_path, replies_dir=library_copy, cache_dir=settings.db_path.parent / "cache")
    state = _App(live, engine)
    monkeypatch.setattr(reporting, "library_version", lambda _settings: 2)
    if failure is None:
        _gbk_words(library_copy)  # the real thing: reloading it raises a LibraryError
    else:
        monkeypatch.setattr(reporting, "reload_engine", lambda _settings: (_ for _ in ()).throw(failure))
    web_app.follow_library_version(state)  # never raises
    assert state.state.engine is engine and state.state.library_version == 2
    assert "keeping the last good one" in caplog.text


def test_the_follow_loop_survives_a_check_that_fails(monkeypatch, caplog):
    import anyio

    from assistant.web import app as web_app

    calls = []
    failures = [RuntimeError("boom"), UnicodeDecodeError("utf-8", b"\xc8", 0, 1, "invalid continuation byte")]

    def check(_app):
        calls.append(1)
        if failures:
            raise failures.pop(0)

    monkeypatch.setattr(web_app, "follow_library_version", check)

    async def main():
        with anyio.move_on_after(5):
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(web_app.follow_library_reloads, object(), 0.01)
                while len(calls) < 4:
                    await anyio.sleep(0.01)
                tasks.cancel_scope.cancel()

    anyio.run(main)
    assert len(calls) >= 4  # two failures, then the loop went on checking
    assert caplog.text.count("the library version check failed") == 2


def test_a_control_character_in_a_template_file_names_its_line(library_copy):
    path = library_copy / "other.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].rstrip("\n") + "\x07\n"  # a bell pasted from a chat window
    path.write_text("".join(lines), encoding="utf-8")
    assert [(p.file, p.line, p.message) for p in lint_library(library_copy).problems] == [
        ("replies/other.yaml", 6, "control character U+0007 is not allowed")
    ]
