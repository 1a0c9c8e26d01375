"""Issue 12, ticks: a draft promises ("24小时内给您寄出一台新机"); once the agent has done it and ticks it on the
draft page, the sentence says it was done ("新机已经给您寄出"), and the sincerity check accepts that ticked claim."""

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from assistant.engine.lint import lint_library
from assistant.engine.sincerity import check_sincerity

SHIPPED = Path(__file__).resolve().parent.parent / "replies"
DOA = "刚收到的电热水壶插上电一点反应都没有，第一次用就坏了"
MORNING = datetime(2026, 11, 30, 10, 0)


@pytest.fixture
def library_copy(tmp_path):
    target = tmp_path / "replies"
    shutil.copytree(SHIPPED, target)
    return target


def test_a_draft_carries_its_ticks_with_the_promise_in_its_text(engine):
    draft = next(d for d in engine.suggest(DOA, now=MORNING).drafts if d.template_id == "quality_defect.dead_on_arrival")
    (tick,) = draft.ticks
    assert tick.label == "已寄出新机"
    assert tick.promise == "24小时内给您寄出一台新机" and tick.promise in draft.text  # policy.yaml: resend_hours: 24
    assert tick.done == "新机已经给您寄出"
    assert draft.to_dict()["ticks"] == [{"label": "已寄出新机", "promise": tick.promise, "done": tick.done}]


def test_the_ticked_text_is_a_done_claim_only_when_not_ticked(engine):
    draft = next(d for d in engine.suggest(DOA, now=MORNING).drafts if d.ticks)
    (tick,) = draft.ticks
    done_text = draft.text.replace(tick.promise, tick.done)
    assert any("未做的事" in f for f in check_sincerity(done_text, DOA).findings)
    assert not any("未做的事" in f for f in check_sincerity(done_text, DOA, done=[tick.done]).findings)


def test_the_sincerity_partial_accepts_the_ticked_phrases(make_client, engine):
    from helpers import sign_in

    from assistant.log.auth import add_user

    client, db = make_client()
    csrf = sign_in(client, "小林", add_user(db, "小林", "agent").password)
    draft = next(d for d in engine.suggest(DOA, now=MORNING).drafts if d.ticks)
    (tick,) = draft.ticks
    data = {"sent_text": draft.text.replace(tick.promise, tick.done), "complaint": DOA}
    headers = {"X-CSRF-Token": csrf}
    assert "未做的事" in client.post("/compose/sincerity", data=data, headers=headers).text
    assert "未做的事" not in client.post("/compose/sincerity", data={**data, "done": tick.done}, headers=headers).text


def test_the_draft_page_shows_the_tick_boxes(make_client):
    from helpers import sign_in

    from assistant.log.auth import add_user

    client, db = make_client()
    csrf = sign_in(client, "小林", add_user(db, "小林", "agent").password)
    html = client.post("/compose/suggest", data={"text": DOA, "platform": "taobao"}, headers={"X-CSRF-Token": csrf}).text
    assert 'class="tick"' in html and "已寄出新机" in html and 'data-done="新机已经给您寄出"' in html
    assert "hx-on" not in html.split('class="ticks"', 1)[1].split("</fieldset>", 1)[0]


def _add_tick(directory: Path, template_id: str, tick: str) -> None:
    path = next(p for p in directory.glob("*.yaml") if f"id: {template_id}\n" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    start = text.index(f"id: {template_id}\n")
    private = text.index("    private:", start)
    path.write_text(text[:private] + tick + text[private:], encoding="utf-8")


def test_a_tick_whose_promise_is_not_in_the_body_fails_lint(library_copy):
    _add_tick(
        library_copy,
        "quality_defect.noise_or_smell",
        '    ticks:\n      - label: 已补发\n        promise: "{{ deadline }}为您补发"\n        done: "已经为您补发"\n',
    )
    messages = [p.message for p in lint_library(library_copy).problems]
    assert any(m.startswith("quality_defect.noise_or_smell: tick 已补发: its promise") for m in messages), messages


def test_a_tick_whose_done_text_is_not_past_tense_fails_lint(library_copy):
    path = library_copy / "quality_defect.yaml"
    text = path.read_text(encoding="utf-8").replace('done: "新机已经给您寄出"', 'done: "新机马上寄出"')
    path.write_text(text, encoding="utf-8")
    messages = [p.message for p in lint_library(library_copy).problems]
    assert any("tick 已寄出新机: done「新机马上寄出」must say it was done" in m for m in messages), messages


def test_shipped_ticks_lint_clean_and_every_done_claim_in_the_library_is_behind_a_tick():
    assert lint_library(SHIPPED).problems == ()
