"""The command line: bad input gets one clear message, exit 2, and leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.cli import EXIT_BAD_INPUT, main
from analysis.period import Period
from analysis.runs.runner import NotebookFailed, run_report


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("start", "end", "zone", "message"),
    [
        ("2025-13-01", "2025-11-06", "UTC", "start date 2025-13-01: there is no month 13"),
        ("2025-11-31", "2025-12-06", "UTC", "start date 2025-11-31: November 2025 has 30 days"),
        ("2025-10-29", "06/11/2025", "UTC", "end date '06/11/2025' is not a date"),
        ("2025-11-06", "2025-10-29", "UTC", "ends (2025-10-29) before it starts (2025-11-06)"),
        ("2025-10-29", "2025-11-06", "Mars/Olympus", "time zone 'Mars/Olympus' is unknown"),
    ],
)
def test_bad_period(capsys, tmp_path: Path, start, end, zone, message) -> None:
    code, err = run_cli(
        capsys,
        "run",
        "--start",
        start,
        "--end",
        end,
        "--timezone",
        zone,
        "--out",
        str(tmp_path / "out"),
    )
    assert code == EXIT_BAD_INPUT
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_sqlite_file_is_not_created(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    code, err = run_cli(
        capsys,
        "run",
        "--start",
        "2025-10-29",
        "--end",
        "2025-11-06",
        "--db",
        f"sqlite:///{missing}",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == EXIT_BAD_INPUT
    assert "does not exist" in err and "make data" in err
    assert not missing.exists()
    assert not (tmp_path / "out").exists()


def test_unsupported_database(capsys, tmp_path: Path) -> None:
    code, err = run_cli(
        capsys,
        "run",
        "--start",
        "2025-10-29",
        "--end",
        "2025-11-06",
        "--db",
        "oracle://user:hunter2@host/db",
        "--out",
        str(tmp_path),
    )
    assert code == EXIT_BAD_INPUT
    assert "not supported" in err
    assert "hunter2" not in err


def test_failing_notebook_leaves_nothing(tmp_path: Path) -> None:
    notebook = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    params = nbformat.v4.new_code_cell("start_date = end_date = timezone = findings_path = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("raise ValueError('boom in cell')")]
    nbformat.write(nb, notebook)
    out = tmp_path / "reports"
    with pytest.raises(NotebookFailed, match="ValueError: boom in cell"):
        run_report(Period.parse("2025-10-29", "2025-11-06"), out, notebook=notebook)
    assert list(out.iterdir()) == []


def test_module_entry_point_exit_code(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "--start",
            "yesterday",
            "--end",
            "2025-11-06",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stderr.startswith("error: start date 'yesterday' is not a date")
    assert "Traceback" not in result.stderr


def test_top_must_list_something(capsys, tmp_path: Path) -> None:
    code, err = run_cli(
        capsys, "run", "--start", "2025-10-29", "--end", "2025-11-06", "--top", "0",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == EXIT_BAD_INPUT
    assert err.strip() == "error: --top 0 lists nothing: give 1 or more"
    assert not (tmp_path / "out").exists()


def test_top_reaches_the_report_and_findings_json(capsys, tmp_path: Path) -> None:
    import json

    code, _ = run_cli(
        capsys, "run", "--start", "2025-10-29", "--end", "2025-11-06", "--top", "2",
        "--out", str(tmp_path),
    )  # fmt: skip
    folder = tmp_path / "2025-10-29_2025-11-06"
    assert code == 0
    findings = json.loads((folder / "findings.json").read_text())
    assert len(findings["customers"]) == 2 and findings["customers_others"]["count"] == 1
    settings = json.loads((folder / "session_investigation.run.json").read_text())
    assert settings["parameters"] == {"top_n": 2}
    assert "1 other customer" in (folder / "session_investigation.html").read_text()
