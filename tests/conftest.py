import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engine import Engine

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
