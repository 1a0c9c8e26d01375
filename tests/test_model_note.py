"""The 模板库 page and its 重新载入 tell a team lead how well the model recognises complaints: the cross-validated
figures of the whole recognition path (each labelled complaint decided as the service decides it), or, for a model file
trained before those were recorded, the model-level figures, said to be only that."""

import shutil
from dataclasses import replace

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import sign_in

from assistant.config import Settings
from assistant.engine.core import MODEL_FILE, Engine
from assistant.log.auth import add_user
from assistant.log.db import open_db
from assistant.web.app import create_app

MODEL_LEVEL = {"top1": 0.61, "top3": 0.71, "precision": 0.51, "recall": 0.56}
WHOLE_PATH = {"top1": 0.83, "top3": 0.96, "precision": 0.87, "recall": 0.92, "macro_recall": 0.8, "recall_per_intent": {}}


def _meta(engine, **changes) -> dict:
    meta = {**engine.model.meta, **MODEL_LEVEL, "n_labelled": 1200, "whole_path": WHOLE_PATH, **changes}
    return {k: v for k, v in meta.items() if v is not None}


def _figures(top1, top3, precision, recall) -> list[str]:
    """How the note says each figure, so a label paired with another figure fails."""
    return [
        f"排第一的问题类型判对 {top1}",
        f"前三个里有正确类型 {top3}",
        f"该转线下的投诉找出 {recall}",
        f"建议转线下的投诉中 {precision} 确实该转",
    ]


@pytest.fixture
def lead_page(settings, engine):
    """A signed-in lead's client of an app whose engine's model file carries the given meta; returns the 模板库 page's
    model note."""

    def page(meta: dict) -> str:
        model = replace(engine.model, meta=meta)
        parts = (engine.library, engine.segmenter, engine.index, engine.rules, engine.settings, model, engine.library_digest)
        with TestClient(create_app(settings, engine=Engine(*parts))) as client:
            lead = add_user(open_db(settings.db_path), "组长", "lead")
            sign_in(client, lead.name, lead.password)
            response = client.get("/library")
            assert response.status_code == 200 and response.template.name == "library.html"
            return BeautifulSoup(response.text, "html.parser").select_one("#model-note").get_text()

    return page


def test_the_library_page_gives_the_whole_paths_figures(lead_page, engine):
    note = lead_page(_meta(engine))
    assert note.startswith("识别模型 · 交叉验证（整条识别流程）")
    assert "1200 条已标注的投诉" in note
    for said in _figures("83%", "96%", "87%", "92%"):
        assert said in note, (said, note)
    assert not any(f"{v:.0%}" in note for v in MODEL_LEVEL.values())  # not the model-level figures
    assert "仅模型本身" not in note


def test_a_model_file_without_whole_path_figures_gives_the_model_level_ones_said_as_such(lead_page, engine):
    note = lead_page(_meta(engine, whole_path=None))
    assert note.startswith("识别模型 · 交叉验证（仅模型本身，不含线上识别流程的规则）")
    for said in _figures("61%", "71%", "51%", "56%"):
        assert said in note, (said, note)
    assert "整条识别流程" in note and "assistant train" in note  # how to get the whole path's figures


def test_the_shipped_model_is_described_by_its_whole_path_figures(lead_page, engine):
    path = engine.model.meta["whole_path"]
    note = lead_page(engine.model.meta)
    assert note.startswith("识别模型 · 交叉验证（整条识别流程）")
    for said in _figures(*(f"{path[k]:.0%}" for k in ("top1", "top3", "precision", "recall"))):
        assert said in note, (said, note)


def test_a_reload_says_the_reloaded_models_figures_on_the_page_and_in_the_api(tmp_path, settings, engine):
    """A model file trained before the whole path was measured: 重新载入 and the API's reload give its model-level figures
    and say which they are."""
    replies = tmp_path / "replies"
    shutil.copytree(engine.settings.replies_dir, replies)
    replace(engine.model, meta=_meta(engine, whole_path=None)).save(replies / MODEL_FILE)
    live = Settings(db_path=settings.db_path, replies_dir=replies, cache_dir=settings.db_path.parent / "cache")
    with TestClient(create_app(live, engine=engine)) as client:
        lead = add_user(open_db(live.db_path), "组长", "lead")
        csrf = sign_in(client, "组长", lead.password)
        page = client.post("/library/reload", headers={"X-CSRF-Token": csrf})
        assert page.status_code == 200 and page.template.name == "_reload.html"
        said = BeautifulSoup(page.text, "html.parser").get_text()
        assert "识别模型 · 交叉验证（仅模型本身，不含线上识别流程的规则）" in said
        for figure in _figures("61%", "71%", "51%", "56%"):
            assert figure in said, (figure, said)
        api = client.post("/api/v1/library/reload", headers={"Authorization": f"Bearer {lead.token}"}).json()["model"]
        assert (api["cross_validation"], api["top1"], api["recall"]) == ("model_level", 0.61, 0.56)
        replace(engine.model, meta=_meta(engine)).save(replies / MODEL_FILE)
        api = client.post("/api/v1/library/reload", headers={"Authorization": f"Bearer {lead.token}"}).json()["model"]
        assert (api["cross_validation"], api["top1"], api["top3"], api["precision"], api["recall"]) == (
            "whole_path",
            0.83,
            0.96,
            0.87,
            0.92,
        )
