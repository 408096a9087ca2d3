"""The package's layers import one way: source → investigation → report → runs; load writes
databases and nothing analytical imports it; the vocabulary modules import no layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
# What each part of the package may import from the package (besides itself).
BASE = {"analysis.errors", "analysis.domain", "analysis.period"}
ALLOWED = {
    "errors": set(),
    "domain": set(),
    "period": {"analysis.errors", "analysis.domain"},
    "source": BASE,
    "investigation": BASE | {"analysis.source"},
    "report": BASE | {"analysis.source", "analysis.investigation"},
    "runs": BASE | {"analysis.source", "analysis.investigation", "analysis.report"},
    "load": BASE | {"analysis.source"},
}
TOP_LEVEL_FILES = {"__init__.py", "__main__.py", "cli.py", "errors.py", "domain.py", "period.py"}


def imports(path: Path) -> set[str]:
    """The analysis modules ``path`` imports (absolute imports: the package uses no others)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name.startswith("analysis.")}


def part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def allowed(name: str, rules: set[str]) -> bool:
    return any(name == rule or name.startswith(rule + ".") for rule in rules)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if part(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_one_way(path: Path) -> None:
    own = f"analysis.{part(path)}"
    wrong = sorted(
        name
        for name in imports(path)
        if not allowed(name, ALLOWED[part(path)] | {own}) and name != "analysis"
    )
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {wrong}"


def test_the_top_of_the_package_holds_the_layers_and_a_handful_of_files() -> None:
    files = {p.name for p in PACKAGE.glob("*.py")}
    assert files <= TOP_LEVEL_FILES
    layers = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert layers == {"source", "investigation", "report", "runs", "load"}


def test_nothing_analytical_imports_load() -> None:
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if part(p) not in ("load", "cli") and any(allowed(n, {"analysis.load"}) for n in imports(p))
    ]
    assert users == []
