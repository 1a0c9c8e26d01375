import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engine.core import Engine

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def engine():
    """The engine on the shipped library, built once (jieba and the index are expensive)."""
    return Engine.from_settings(Settings())


@pytest.fixture(scope="session")
def dev_records():
    if not DEV.exists():
        pytest.skip(f"labelled set not found at {DEV} (../shared is absent in this checkout)")
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def db():
    """A fresh in-memory outcome log with every migration applied."""
    from assistant.log.db import open_db

    database = open_db(":memory:")
    yield database
    database.close()


@pytest.fixture
def settings(tmp_path):
    return Settings(db_path=tmp_path / "data" / "assistant.db")


@pytest.fixture
def make_client(settings, engine):
    """Build a TestClient around a fresh app (sharing the session engine); returns (client, db)."""
    from contextlib import ExitStack

    from fastapi.testclient import TestClient

    from assistant.log.db import open_db
    from assistant.web.app import create_app

    stack = ExitStack()

    def make():
        client = stack.enter_context(TestClient(create_app(settings, engine=engine)))
        return client, open_db(settings.db_path)

    yield make
    stack.close()


@pytest.fixture
def site(make_client):
    """A fresh app with an agent, 小林, and a lead, 组长; returns (client, db, users by name with their one-time
    passwords). A module whose tests need other people defines its own ``site``."""
    from assistant.log.auth import add_user

    client, db = make_client()
    users = {name: add_user(db, name, role) for name, role in [("小林", "agent"), ("组长", "lead")]}
    return client, db, users
