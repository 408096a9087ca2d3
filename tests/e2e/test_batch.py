"""Batch runs: one report per period, skipping, failures, the index."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from runs import Run, analysis_cli, batch, personal_values, written_files

from analysis import investigate
from analysis.period import Period
from analysis.runs.layout import NOTEBOOK
from analysis.runs.runner import run_settings

WEEKS = [
    "2025-10-01_2025-10-05",
    "2025-10-06_2025-10-12",
    "2025-10-13_2025-10-19",
    "2025-10-20_2025-10-26",
    "2025-10-27_2025-11-02",
    "2025-11-03_2025-11-09",
    "2025-11-10_2025-11-16",
    "2025-11-17_2025-11-23",
    "2025-11-24_2025-11-30",
]


# --- the weekly batch over the demo database -----------------------------------------------


def test_one_report_per_week(weekly: Run) -> None:
    assert weekly.code == 0, weekly.stderr
    folders = sorted(p.name for p in weekly.out.iterdir() if p.is_dir() and p.name != "logs")
    assert folders == WEEKS
    for label in WEEKS:
        names = sorted(p.name for p in (weekly.out / label).iterdir())
        assert names == [
            "customers.csv",
            "findings.json",
            "flagged_requests.csv",
            "mechanics.csv",
            "session_investigation.html",
            "session_investigation.ipynb",
            "session_investigation.run.json",
        ]
        assert (weekly.out / "logs" / f"{label}.log").is_file()
    assert "9 periods: 9 written" in weekly.stdout
    assert not [p for p in weekly.out.iterdir() if p.name.startswith(".")]


def test_weekly_totals_add_up_to_the_reference_period(weekly: Run) -> None:
    totals: dict[str, int] = {}
    requests = 0
    for label in WEEKS:
        findings = json.loads((weekly.out / label / "findings.json").read_text())
        requests += findings["requests"]["total"]
        for status, n in findings["requests"]["by_status"].items():
            totals[status] = totals.get(status, 0) + n
    assert requests == 43
    assert totals == {"cancelled": 36, "completed": 6, "pending": 1}


def test_index_lists_every_week_with_headline_figures(weekly: Run) -> None:
    html = (weekly.out / "index.html").read_text()
    labels = re.findall(r'data-label="([^"]+)"', html)
    assert labels == WEEKS
    for label in WEEKS:
        assert f'href="{label}/session_investigation.html"' in html
    assert html.count("data:image/png;base64,") == 3  # requests, rates, response time
    assert not re.search(r"""(src|href)=["']https?://""", html)
    text = re.sub(r"<[^>]+>", " ", html)
    for figure in ("15", "28", "86.7 %", "82.1 %", "1.21", "6.21", "test data", "no requests"):
        assert figure in text
    assert "nan" not in text.lower().split()


def test_no_personal_data_in_any_output(weekly: Run) -> None:
    values = personal_values()
    assert "cust1@test.com" in values
    for path in written_files(weekly.out):
        data = path.read_bytes()
        leaked = [v for v in values if v.encode() in data]
        assert not leaked, f"{path.relative_to(weekly.out)} shows {leaked}"
    findings = json.loads((weekly.out / WEEKS[5] / "findings.json").read_text())
    assert findings["customers"][0]["customer"] == "c***1@test.com"


def test_rerun_skips_finished_periods(weekly: Run) -> None:
    before = (weekly.out / WEEKS[0] / "findings.json").stat().st_mtime_ns
    again = batch(weekly.out, "--start", "2025-10-01", "--end", "2025-10-12", "--every", "week")
    assert again.code == 0, again.stderr
    assert "2 periods: 0 written, 2 skipped" in again.stdout
    assert (weekly.out / WEEKS[0] / "findings.json").stat().st_mtime_ns == before


def test_rerun_with_other_settings_runs_again(weekly: Run, tmp_path: Path) -> None:
    """A report is reused only for the same settings: not unmasked, nor with other thresholds."""
    out = tmp_path / "reports"
    shutil.copytree(weekly.out / WEEKS[5], out / WEEKS[5])
    week = ("--start", "2025-11-03", "--end", "2025-11-09", "--every", "week")
    same = batch(out, *week)
    assert "1 periods: 0 written, 1 skipped" in same.stdout, same.stderr
    unmasked = batch(out, *week, "--no-redact")
    assert unmasked.code == 0, unmasked.stderr
    assert "1 periods: 1 written, 0 skipped" in unmasked.stdout
    record = json.loads((out / WEEKS[5] / "session_investigation.run.json").read_text())
    assert record["redact"] is False and record["notebook"] == "session_investigation"
    findings = json.loads((out / WEEKS[5] / "findings.json").read_text())
    assert "cust1@test.com" in {c["customer"] for c in findings["customers"]}
    stricter = batch(out, *week, "--no-redact", "--min-completed", "9")
    assert "1 periods: 1 written, 0 skipped" in stricter.stdout, stricter.stderr


def test_a_report_without_its_settings_record_is_made_again(weekly: Run, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    shutil.copytree(weekly.out / WEEKS[0], out / WEEKS[0])
    (out / WEEKS[0] / "session_investigation.run.json").unlink()
    again = batch(out, "--start", "2025-10-01", "--end", "2025-10-05", "--every", "week")
    assert "1 periods: 1 written, 0 skipped" in again.stdout, again.stderr


def test_settings_tell_sources_periods_and_notebooks_apart(tmp_path: Path) -> None:
    week = Period.parse("2025-11-03", "2025-11-09")
    now = datetime(2025, 11, 20, tzinfo=UTC)

    def settings(url: str, period: Period = week, notebook: Path = NOTEBOOK) -> dict:
        return run_settings(notebook, period, url, None, {}, True, None, now)

    one, other = tmp_path / "a" / "p.duckdb", tmp_path / "b" / "p.duckdb"
    assert settings(f"duckdb:///{one}")["source"] == settings(f"duckdb:///{other}")["source"]
    assert settings(f"duckdb:///{one}")["source_id"] != settings(f"duckdb:///{other}")["source_id"]
    assert settings(f"duckdb:///{one}") == settings(f"duckdb:///{one}")
    pg = settings("postgresql+psycopg://analyst:hunter2-pw@db.example.org:5432/prod")
    assert "hunter2-pw" not in json.dumps(pg) and "analyst" not in json.dumps(pg)
    assert settings(f"duckdb:///{one}")["period_complete"] is True
    under_way = Period.parse("2025-11-17", "2025-11-23")
    assert settings(f"duckdb:///{one}", under_way)["period_complete"] is False
    edited = tmp_path / "session_investigation.ipynb"
    edited.write_bytes(NOTEBOOK.read_bytes() + b"\n")
    assert settings(f"duckdb:///{one}", notebook=edited) != settings(f"duckdb:///{one}")


def test_a_range_in_the_future_is_bad_input(tmp_path: Path) -> None:
    run = batch(tmp_path / "out", "--start", "2999-01-01", "--end", "2999-03-31", "--every", "week")
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and "entirely in the future" in run.stderr
    assert not (tmp_path / "out").exists()


def test_periods_after_today_are_left_out(tmp_path: Path) -> None:
    # "today" as the batch sees it: in the default time zone, America/Toronto
    this_month = datetime.now(ZoneInfo("America/Toronto")).date().replace(day=1)
    end = (this_month + timedelta(days=62)).replace(day=1) - timedelta(days=1)
    run = batch(tmp_path / "out", "--start", str(this_month), "--end", str(end), "--every", "month")
    assert run.code == 0, run.stderr
    assert "1 periods: 1 written" in run.stdout
    assert "1 period(s) starting after today left out" in run.stderr


# --- failures -------------------------------------------------------------------------------


def failing_notebook(folder: Path) -> Path:
    """The real notebook with one extra cell: raises for the week of 27 Oct, hangs for the
    week of 3 Nov (so the time limit ends it)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    hook = nbformat.v4.new_code_cell(
        "import time\n"
        "if start_date == '2025-10-27':\n"
        "    raise RuntimeError('made to fail for the test')\n"
        "if start_date == '2025-11-03':\n"
        "    time.sleep(120)\n"
    )
    nb.cells.insert(1, hook)
    # Named as the investigation, whose outputs (findings.json) the index reads.
    path = folder / "session_investigation.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("failing")
    notebook = failing_notebook(folder)
    return batch(
        folder / "reports",
        *("--start", "2025-10-20", "--end", "2025-11-09", "--every", "week", "--workers", "2"),
        *("--continue-on-error", "--timeout", "12", "--notebook", str(notebook)),
    )


def test_continue_on_error_finishes_the_others(failing: Run) -> None:
    assert failing.code == 1
    assert (failing.out / "2025-10-20_2025-10-26" / "findings.json").is_file()
    for label in ("2025-10-27_2025-11-02", "2025-11-03_2025-11-09"):
        assert not (failing.out / label).exists()
        assert (failing.out / f"{label}.failed.json").is_file()
    assert "3 periods: 1 written, 0 skipped (report exists), 2 failed" in failing.stdout


def test_each_failed_period_is_named_with_its_reason(failing: Run) -> None:
    lines = failing.stderr.strip().splitlines()
    assert any(
        "period 2025-10-27_2025-11-02 failed" in line
        and "RuntimeError: made to fail for the test" in line
        for line in lines
    )
    assert any(
        "period 2025-11-03_2025-11-09 failed" in line and "did not finish within 12 seconds" in line
        for line in lines
    )
    assert "Traceback" not in failing.stderr
    record = json.loads((failing.out / "2025-10-27_2025-11-02.failed.json").read_text())
    assert "made to fail" in record["error"]
    log = (failing.out / "logs" / "2025-10-27_2025-11-02.log").read_text()
    assert "made to fail for the test" in log


def test_index_marks_failed_periods(failing: Run) -> None:
    html = (failing.out / "index.html").read_text()
    rows = {
        label: cls for cls, label in re.findall(r'<tr class="(\w+)" data-label="([^"]+)"', html)
    }
    assert rows == {
        "2025-10-20_2025-10-26": "ok",
        "2025-10-27_2025-11-02": "failed",
        "2025-11-03_2025-11-09": "failed",
    }
    assert (
        "failed: the notebook session_investigation.ipynb failed in cell 3: "
        "RuntimeError: made to fail" in html
    )
    assert "2 failed" in html


def test_a_failure_stops_the_batch_without_continue_on_error(tmp_path: Path) -> None:
    notebook = failing_notebook(tmp_path)
    run = batch(
        tmp_path / "reports",
        *("--start", "2025-10-27", "--end", "2025-11-16", "--every", "week", "--workers", "1"),
        *("--notebook", str(notebook)),
    )
    assert run.code == 1
    assert "period 2025-10-27_2025-11-02 failed" in run.stderr
    assert "period 2025-11-03_2025-11-09 not run: stopped after a failure" in run.stderr
    assert not (run.out / "2025-11-03_2025-11-09").exists()


def test_success_clears_an_old_failure_and_force_reruns(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    stale = out / "2025-11-06_2025-11-06.failed.json"
    stale.write_text('{"error": "an earlier failure"}')
    args = ("--start", "2025-11-06", "--end", "2025-11-06", "--every", "day", "--workers", "1")
    first = batch(out, *args)
    assert first.code == 0, first.stderr
    assert not stale.exists()
    assert "an earlier failure" not in (out / "index.html").read_text()
    before = (out / "2025-11-06_2025-11-06" / "findings.json").stat().st_mtime_ns
    forced = batch(out, *args, "--force")
    assert "1 periods: 1 written" in forced.stdout
    assert (out / "2025-11-06_2025-11-06" / "findings.json").stat().st_mtime_ns > before


# --- bad input: one line, exit 2, nothing written --------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--every", "week", "--workers", "0"), "--workers 0 is not a number of processes"),
        (("--every", "week", "--timeout", "-5"), "--timeout -5 is not a duration"),
        (("--every", "week", "--db", "sqlite:///nowhere/x.db"), "does not exist"),
        (("--every", "week", "--timezone", "Mars/Base"), "time zone 'Mars/Base' is unknown"),
    ],
)
def test_bad_batch_input(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "out"
    result = analysis_cli(
        "batch", "--start", "2025-10-01", "--end", "2025-10-31", *args, "--out", str(out)
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_relative_paths_work_from_the_folder_they_are_relative_to(tmp_path: Path) -> None:
    """``--out reports`` and ``--db sqlite:///data/x.db`` as a user types them: the kernel,
    reused from one period to the next, works in other folders than the command line."""
    import subprocess
    import sys

    from analysis.source.urls import DEMO_DB

    (tmp_path / "data").mkdir()
    shutil.copy(DEMO_DB, tmp_path / "data" / "x.db")
    db = ["--db", "sqlite:///data/x.db"]
    weeks = ["--start", "2025-10-27", "--end", "2025-11-09", "--every", "week"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "analysis", *args]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)

    done = cli("batch", *db, *weeks, "--workers", "1", "--out", "reports", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "2 periods: 2 written" in done.stdout
    run = cli("run", *db, "--start", "2025-10-29", "--end", "2025-11-06", "--out", "single")
    assert run.returncode == 0, run.stderr
    findings = json.loads((tmp_path / "single/2025-10-29_2025-11-06/findings.json").read_text())
    expected = investigate("2025-10-29", "2025-11-06", db=f"sqlite:///{tmp_path / 'data/x.db'}")
    assert findings["requests"]["total"] == expected.total > 0
