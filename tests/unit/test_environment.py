"""environment.yml (conda) and pyproject.toml (pip) name the same dependencies and bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _split(requirement: str) -> tuple[str, str]:
    """``"pandas>=2.2"`` → ``("pandas", ">=2.2")``; extras and spaces dropped."""
    name = re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0]
    bound = re.sub(r"\[.*?\]", "", requirement.strip())[len(name) :].replace(" ", "")
    return name.lower(), bound


def test_conda_and_pip_dependencies_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = dict(map(_split, project["dependencies"] + project["optional-dependencies"]["dev"]))
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_deps = dict(_split(d) for d in conda if isinstance(d, str))
    conda_deps.pop("python")
    conda_deps.pop("pip")
    assert conda_deps == pip_deps
