"""The runner's pieces that need no kernel: retrying a kernel-start race, the settings record,
and refusing parameters a notebook doesn't take."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import papermill as pm
import pytest

from analysis.errors import AnalysisError
from analysis.period import Period
from analysis.runs import runner
from analysis.runs.kernel import KernelSession, read_notebook
from analysis.runs.layout import NOTEBOOK, NOTEBOOKS

WEEK = Period.parse("2025-11-03", "2025-11-09")


def test_a_kernel_start_race_is_tried_once_more(monkeypatch, tmp_path: Path) -> None:
    calls = []

    def execute(self, nb, *args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("ZMQError: Address already in use (addr='tcp://127.0.0.1:5')")
        return nb

    monkeypatch.setattr(KernelSession, "execute", execute)
    runner._execute(NOTEBOOK, tmp_path / "out.ipynb", {}, cwd=tmp_path)
    assert len(calls) == 2
    assert (tmp_path / "out.ipynb").is_file()


def test_the_race_is_retried_once_not_forever(monkeypatch, tmp_path: Path) -> None:
    calls = []

    def execute(self, *args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("Address already in use")

    monkeypatch.setattr(KernelSession, "execute", execute)
    with pytest.raises(RuntimeError):
        runner._execute(NOTEBOOK, tmp_path / "out.ipynb", {}, cwd=tmp_path)
    assert len(calls) == 2
    assert not (tmp_path / "out.ipynb").exists()


def test_parameters_are_injected_after_the_parameters_cell() -> None:
    nb = read_notebook(NOTEBOOK)
    runner.inject_parameters(nb, {"start_date": "2025-11-03", "redact": True, "x": [1]})
    tags = [c.metadata.get("tags", []) for c in nb.cells[:2]]
    assert tags == [["parameters"], ["injected-parameters"]]
    assert nb.cells[1].source == "# Parameters\nstart_date = '2025-11-03'\nredact = True\nx = [1]\n"


def test_settings_record_what_the_user_set(tmp_path: Path) -> None:
    now = datetime(2025, 12, 1, tzinfo=UTC)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    given = runner.run_settings(NOTEBOOK, WEEK, url, None, {"min_requests": 9}, True, "week", now)
    assert given["parameters"] == {"min_requests": 9} and given["every"] == "week"
    assert runner.run_settings(NOTEBOOK, WEEK, url, None, {}, True, None, now) != given


def test_a_parameter_the_notebook_lacks_is_refused(tmp_path: Path) -> None:
    audit = NOTEBOOKS / "profile_audit.ipynb"
    with pytest.raises(AnalysisError, match="has no parameter min_requests"):
        runner.run_report(WEEK, tmp_path, notebook=audit, parameters={"min_requests": 3})
    assert not any(tmp_path.iterdir())


def test_notebook_parameters_default_to_the_library() -> None:
    """Every parameter but the period, the masking and the output path is None in the
    committed notebooks: the library's defaults decide."""
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        for name, parameter in pm.inspect_notebook(str(notebook)).items():
            if name in ("start_date", "end_date", "timezone", "redact", "findings_path"):
                continue
            assert parameter["default"] == "None", (notebook.name, name)
