"""Faults: a read-only or full log, a template broken while running, a bad log file at start, secrets on disk."""

import shutil
import sqlite3
import stat

import pytest
from click.testing import CliRunner
from helpers import free_port

import assistant.web.deps
from assistant.cli import cli
from assistant.config import Settings
from assistant.log.auth import add_user
from assistant.log.db import open_db

REPLY = {"complaint": "快递一个星期还没到", "sent_text": "您好，今天18:00前回电说明物流进度。", "platform": "jd"}


@pytest.fixture
def lead_api(make_client):
    client, db = make_client()
    token = add_user(db, "组长", "lead").token
    return client, {"Authorization": f"Bearer {token}"}


def _faulty(pragma: str | None = None, read_only: bool = False):
    """An open_db replacement whose connections are read-only or cannot grow: a real SQLite failure."""
    real = assistant.web.deps.open_db

    def open_faulty(path, *, migrate=True):
        if read_only:
            import sqlite_utils

            return sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))
        db = real(path, migrate=migrate)
        db.execute(pragma)
        return db

    return open_faulty


@pytest.mark.parametrize("fault", ["read_only", "full"])
def test_a_read_only_or_full_log_gives_503_then_recovers(lead_api, monkeypatch, fault):
    client, lead = lead_api
    assert client.post("/api/v1/replies", json=REPLY, headers=lead).status_code == 201
    if fault == "read_only":
        monkeypatch.setattr(assistant.web.deps, "open_db", _faulty(read_only=True))
    else:
        pages = client.app.state.settings.db_path.stat().st_size // 4096
        monkeypatch.setattr(assistant.web.deps, "open_db", _faulty(f"PRAGMA max_page_count = {pages}"))
    failed = client.post("/api/v1/replies", json={**REPLY, "sent_text": "长" * 4000}, headers=lead)
    assert failed.status_code == 503
    assert failed.json()["detail"].startswith("the outcome log is unavailable: ")
    assert "readonly" in failed.json()["detail"] or "full" in failed.json()["detail"]
    monkeypatch.undo()
    assert client.post("/api/v1/replies", json=REPLY, headers=lead).status_code == 201


def test_a_page_that_cannot_write_the_log_says_so_in_chinese_without_sqlites_words(make_client, monkeypatch):
    """The 503 page showed SQLite's own English (「attempt to write a readonly database」)."""
    from helpers import sign_in

    client, db = make_client()
    lead = add_user(db, "组长", "lead")
    csrf = sign_in(client, "组长", lead.password)
    monkeypatch.setattr(assistant.web.deps, "open_db", _faulty(read_only=True))
    page = client.post("/users", data={"csrf": csrf, "name": "xiaozhou", "role": "agent"})
    assert page.status_code == 503 and "记录数据库暂时不可用" in page.text
    assert "readonly" not in page.text and "attempt" not in page.text


def test_a_template_broken_while_running_is_reported_and_the_last_good_library_serves(tmp_path, settings, engine):
    replies = tmp_path / "replies"
    shutil.copytree(engine.settings.replies_dir, replies)
    live = Settings(db_path=settings.db_path, replies_dir=replies)
    from fastapi.testclient import TestClient

    from assistant.web.app import create_app

    with TestClient(create_app(live, engine=engine)) as client:
        token = add_user(open_db(live.db_path), "组长", "lead").token
        lead = {"Authorization": f"Bearer {token}"}
        (replies / "other.yaml").write_text("intent: other\ntemplates:\n  - id: [broken\n", encoding="utf-8")
        response = client.post("/api/v1/library/reload", headers=lead)
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert detail.startswith("replies/other.yaml:") and "YAML" in detail
        assert client.post("/api/v1/suggest", json={"text": "太差了，不推荐"}, headers=lead).json()["intents"][0]["id"] == "other"
        shutil.copy(engine.settings.replies_dir / "other.yaml", replies / "other.yaml")
        assert client.post("/api/v1/library/reload", headers=lead).json()["templates"] == len(engine.library.templates)


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        ("intent: other\ntemplates:\n  - id: [broken\n", "YAML 格式不对"),
        ("intent: other\ntemplatez: []\n", "不认识的字段“templatez”"),
        ("intent: other\ntemplates:\n  - id: other.x\n    situation: 测试\n    body: 您好\n", "至少要有一条示例投诉"),
    ],
)
def test_a_leads_reload_of_a_broken_library_says_what_is_wrong_in_chinese(tmp_path, settings, engine, broken, said):
    """重新载入 said 「…other.yaml:2: unknown key 'templatez'」: the file and line stay, the rest is said in Chinese."""
    import re

    from fastapi.testclient import TestClient
    from helpers import sign_in

    from assistant.web.app import create_app

    replies = tmp_path / "replies"
    shutil.copytree(engine.settings.replies_dir, replies)
    live = Settings(db_path=settings.db_path, replies_dir=replies)
    with TestClient(create_app(live, engine=engine)) as client:
        lead = add_user(open_db(live.db_path), "组长", "lead")
        csrf = sign_in(client, "组长", lead.password)
        (replies / "other.yaml").write_text(broken, encoding="utf-8")
        page = client.post("/library/reload", headers={"X-CSRF-Token": csrf})
        assert "载入失败" in page.text and said in page.text and re.search(r"other\.yaml 第 \d+ 行", page.text)
        assert "unknown key" not in page.text and "needs at least" not in page.text


def test_a_corrupt_log_file_at_start_is_one_line_naming_the_path(tmp_path):
    path = tmp_path / "assistant.db"
    path.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(cli, ["serve", "--port", free_port(), "--db", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot open the log at {path}: file is not a database\n"


def test_an_unusable_log_location_at_start_is_one_line_naming_the_path(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    path = blocker / "assistant.db"
    result = CliRunner().invoke(cli, ["serve", "--port", free_port(), "--db", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot open the log at {path}: ")
    assert result.output.count("\n") == 1


def test_secrets_are_created_owner_only(lead_api):
    client, _ = lead_api
    folder = client.app.state.settings.db_path.parent
    for name in ("secret.key", "session.key"):
        mode = stat.S_IMODE((folder / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
