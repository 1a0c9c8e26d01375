"""The engine is a library: none of its modules pulls in the log, the web shell, the CLI or training."""

import subprocess
import sys

import pytest

ENGINE = ["normalize", "library", "evidence", "model", "match", "escalate", "draft", "sincerity", "engine", "evaluate", "triage", "taxonomy"]
FOREIGN = ["sqlite_utils", "fastapi", "starlette", "click", "xlsxwriter", "sklearn", "assistant.db", "assistant.outcomes"]


@pytest.mark.parametrize("module", ENGINE)
def test_an_engine_module_imports_nothing_from_the_log_or_the_shells(module):
    probe = f"import sys, assistant.{module}; print(' '.join(m for m in {FOREIGN!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
