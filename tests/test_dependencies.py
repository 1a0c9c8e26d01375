"""`pip install -e .` is enough to run the service: every package the service's modules import is a declared dependency.

The README's first command installs the base dependencies only. 批量分拣's .xlsx reader imported openpyxl, which only
the test extra installed, so `assistant serve` failed on a fresh machine while every test passed."""

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Training alone may use the `train` extra (the CLI imports it only for `assistant train`).
TRAINING = {"engine/train.py", "engine/selection.py", "engine/crossval.py"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_canonical(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in project["dependencies"]}


def _installed_with(declared: set[str]) -> set[str]:
    """The declared distributions and what they require (their own dependencies, not their extras), transitively:
    what `pip install -e .` puts in the environment (pydantic and starlette come with fastapi)."""
    seen, todo = set(), list(declared)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [_canonical(re.split(r"[<>=!~\[; (]", r, maxsplit=1)[0]) for r in needs if "extra ==" not in r]
    return seen


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_package_the_service_imports_is_a_base_dependency():
    declared, distributions = _installed_with(_declared()), packages_distributions()
    missing = {}
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        module = path.relative_to(ROOT / "assistant").as_posix()
        if module in TRAINING:
            continue
        for name in _imported(path) - set(sys.stdlib_module_names) - {"assistant", "__future__"}:
            owners = {_canonical(d) for d in distributions.get(name, [name])}
            if not owners & declared:
                missing.setdefault(name, []).append(module)
    assert not missing, f"imported by the service but installed by no [project] dependency: {missing}"
