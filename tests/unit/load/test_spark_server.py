"""The local Spark server's set-up: what it installs, where it keeps its files."""

from __future__ import annotations

import tomllib

from analysis.load import spark_server
from analysis.source.urls import PROJECT_ROOT


def test_spark_up_installs_the_spark_extra_by_name() -> None:
    """Not the project itself (``.[spark]``), which would replace an editable install."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert tuple(project["optional-dependencies"]["spark"]) == spark_server.SPARK_EXTRA


def test_the_server_lives_in_a_git_ignored_folder() -> None:
    assert spark_server.SPARK_DIR == PROJECT_ROOT / ".spark"
    assert ".spark/" in (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert spark_server.server_url(10010) == "hive://127.0.0.1:10010/default"
