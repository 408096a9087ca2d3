"""The command line is light to import: ``python -m analysis run`` starts its kernel before
anything heavy (pandas, matplotlib, nbconvert…) is imported, so the two overlap."""

from __future__ import annotations

import ast
import subprocess
import sys

HEAVY = ("pandas", "nbconvert", "nbclient", "matplotlib", "numpy")


def imported_by(module: str) -> list[str]:
    """The HEAVY modules a fresh interpreter holds after importing ``module``."""
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_imports_nothing_heavy() -> None:
    assert imported_by("analysis.cli") == []


def test_the_check_would_see_a_heavy_import() -> None:
    assert "pandas" in imported_by("analysis.runs.runner")
