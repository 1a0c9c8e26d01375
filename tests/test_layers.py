"""The layers: the engine pulls in neither the log, the web shell, the CLI nor the services;
only assistant/log/ runs SQL; no shell imports another."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
# Every module of assistant/engine/, and the shared top-level modules everything imports.
ENGINE = [f"engine.{p.stem}" for p in sorted((PACKAGE / "engine").glob("*.py")) if p.stem != "__init__"]
ENGINE += ["taxonomy", "errors", "config"]
FOREIGN = ["sqlite_utils", "fastapi", "starlette", "click", "xlsxwriter", "sklearn"]
FOREIGN += ["assistant.log", "assistant.web", "assistant.cli", "assistant.replying", "assistant.reporting"]


@pytest.mark.parametrize("module", ENGINE)
def test_an_engine_module_imports_nothing_from_the_log_or_the_shells(module):
    # Training alone may load scikit-learn (the CLI imports it only for `assistant train`).
    foreign = [m for m in FOREIGN if not (module in ("engine.train", "engine.selection", "engine.crossval") and m == "sklearn")]
    probe = f"import sys, assistant.{module}; print(' '.join(m for m in {foreign!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


SHELLS = {
    "web.api",
    "web.pages",
    "web.pages_compose",
    "web.pages_backlog",
    "web.pages_triage",
    "web.pages_lead",
    "cli",
}  # each parses, calls a service, engine or log function, and formats
SQL = re.compile(r"\b(select|insert|update|delete)\b.+\b(from|into|set)\b", re.IGNORECASE | re.DOTALL)


def _strings(tree: ast.AST) -> list[str]:
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_log_modules_hold_sql(path):
    if path.parent.name == "log":  # assistant/log/ owns SQLite
        return
    sql = [s for s in _strings(ast.parse(path.read_text(encoding="utf-8"))) if SQL.search(s)]
    assert sql == []


def test_the_sql_check_sees_sql():
    assert SQL.search("select id from replies where week = ?") and SQL.search("UPDATE replies SET outcome = ?")
    assert not SQL.search("Select a template and send it")


def _imported_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n.removeprefix("assistant.") for n in names if n.startswith("assistant.")}


def _shell_files(shell: str) -> list[Path]:
    """A shell's source: one module, or every module of a package (the CLI)."""
    path = PACKAGE / shell.replace(".", "/")
    return sorted(path.glob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_no_shell_imports_another_shell(shell):
    imported = set().union(*(_imported_modules(ast.parse(f.read_text(encoding="utf-8"))) for f in _shell_files(shell)))
    others = SHELLS - {shell}
    assert {m for m in imported if any(m == o or m.startswith(f"{o}.") for o in others)} == set()


@pytest.mark.parametrize("path", sorted((PACKAGE / "log").glob("*.py")), ids=lambda p: p.stem)
def test_the_log_imports_neither_the_shells_nor_the_services(path):
    imported = _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    assert {m for m in imported if m.split(".")[0] in {"web", "cli", "replying", "reporting"}} == set()


def test_every_package_folder_is_installed():
    """A folder missing from pyproject's package list works in an editable install and is absent from a wheel."""
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")}
    assert folders == listed


@pytest.mark.parametrize("service", ["replying", "reporting"])
def test_a_service_gives_no_second_name_to_a_log_function(service):
    """A service function is the service's own: an alias of a log function (``export = export_file``) or a function
    that only calls one (``weekly`` → ``weekly_stats``) gives it two names for no reason (review 10 #12)."""
    import importlib
    import inspect

    module = importlib.import_module(f"assistant.{service}")
    aliases, passthrough = [], []
    for node in ast.parse(Path(module.__file__).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            if inspect.isfunction(vars(module).get(node.value.id)):  # name = function
                aliases += [t.id for t in node.targets if isinstance(t, ast.Name)]
        body = node.body[1:] if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) else getattr(node, "body", [])
        if isinstance(node, ast.FunctionDef) and len(body) == 1 and isinstance(body[0], ast.Return):
            call = body[0].value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in vars(module):
                if getattr(vars(module)[call.func.id], "__module__", "").startswith("assistant.log."):
                    passthrough.append(node.name)
    assert (aliases, passthrough) == ([], [])
