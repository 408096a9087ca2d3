"""Faults end cleanly: Ctrl-C, kill -9, a full or read-only reports folder, damaged reports,
an earlier run made with other masking. Each: the exit code, one line, nothing half-written,
no process left behind. Most use a tiny notebook (tests/runs.py), so they take seconds."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from runs import analysis_cli, batch, descendants, hidden, running, tiny_notebook

DAYS = ("--start", "2025-11-03", "--end", "2025-11-06", "--every", "day")
SLEEPS = "import time\ntime.sleep(120)"


def start(*args: str) -> subprocess.Popen[str]:
    """``python -m analysis …`` in the background, as a user starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def kernels_busy(out: Path, count: int) -> bool:
    """``count`` periods are being written (their staging folders exist)."""
    return len([n for n in hidden(out) if not n.endswith(".old")]) >= count


def all_gone(pids: set[int], seconds: float = 15.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while running(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return running(pids)


# --- Ctrl-C and kill -9 -----------------------------------------------------------------------


def test_kill_9_of_a_batch_leaves_no_worker_or_kernel(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    notebook = tiny_notebook(tmp_path / "nb", SLEEPS)
    process = start(
        "batch", *DAYS, "--workers", "2", "--notebook", str(notebook), "--out", str(out), "--quiet"
    )
    try:
        wait_for(lambda: kernels_busy(out, 2))
        wait_for(lambda: len(descendants(process.pid)) >= 4)  # 2 workers, 2 kernels
        children = descendants(process.pid)
        process.kill()
        process.wait()
        assert all_gone(children) == set()
    finally:
        process.kill()
    assert hidden(out)  # what the killed workers were writing …
    quick = tiny_notebook(tmp_path / "quick")
    again = batch(out, *DAYS, "--workers", "2", "--notebook", str(quick))
    assert again.code == 0, again.stderr
    assert hidden(out) == []  # … is removed by the next run
    assert "4 periods: 4 written" in again.stdout


def test_ctrl_c_of_a_batch(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    notebook = tiny_notebook(tmp_path / "nb", SLEEPS)
    process = start(
        "batch", *DAYS, "--workers", "2", "--notebook", str(notebook), "--out", str(out), "--quiet"
    )
    try:
        wait_for(lambda: kernels_busy(out, 2))
        wait_for(lambda: len(descendants(process.pid)) >= 4)
        children = descendants(process.pid)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.count("\n") == 1 and stderr.startswith("error: interrupted: 0 periods written")
    assert "4 periods: 0 written" in stdout
    assert all_gone(children) == set()
    assert hidden(out) == []
    assert (out / "index.html").is_file()


def test_ctrl_c_of_a_run(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    notebook = tiny_notebook(tmp_path / "nb", SLEEPS)
    process = start(
        "run",
        "--start",
        "2025-11-03",
        "--end",
        "2025-11-03",
        "--notebook",
        str(notebook),
        "--out",
        str(out),
    )
    try:
        wait_for(lambda: kernels_busy(out, 1))
        wait_for(lambda: len(descendants(process.pid)) >= 1)
        children = descendants(process.pid)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.count("\n") == 1 and stderr.startswith("error: interrupted")
    assert all_gone(children) == set()
    assert hidden(out) == [] and not (out / "2025-11-03_2025-11-03").exists()


# --- a reports folder that can't be written -----------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 kB tmpfs (root only): the demo's report needs more than a megabyte."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode:
        pytest.skip("mounting a small tmpfs needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_exit_2(small_disk: Path) -> None:
    out = small_disk / "reports"
    result = analysis_cli("run", "--start", "2025-10-29", "--end", "2025-11-06", "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "is full" in result.stderr
    assert "Traceback" not in result.stderr
    assert hidden(out) == [] and not (out / "2025-10-29_2025-11-06").exists()


def test_a_full_disk_in_a_batch_keeps_the_summary(small_disk: Path) -> None:
    out = small_disk / "reports"
    result = analysis_cli(
        "batch",
        "--start",
        "2025-10-27",
        "--end",
        "2025-11-09",
        "--every",
        "week",
        "--workers",
        "1",
        "--out",
        str(out),
        "--quiet",
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "is full" in result.stderr
    assert "2 periods:" in result.stdout
    assert hidden(out) == []
    index = out / "index.html"
    if index.exists():  # written if it fitted, else removed rather than left stale
        assert "2025-10-27_2025-11-02" in index.read_text()


def test_a_read_only_folder_is_one_line_and_exit_2(small_disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (("run",), ("batch", "--every", "week", "--quiet")):
        result = analysis_cli(
            *command,
            "--start",
            "2025-10-29",
            "--end",
            "2025-11-06",
            "--out",
            str(small_disk / "reports"),
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "is read-only" in result.stderr


# --- what a folder held before ------------------------------------------------------------------


def test_a_masked_run_drops_an_earlier_unmasked_runs_files(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    folder = out / "2025-11-03_2025-11-03"
    audit = tiny_notebook(tmp_path / "nb", name="profile_audit")
    investigation = tiny_notebook(tmp_path / "nb")
    day = ("--start", "2025-11-03", "--end", "2025-11-03", "--out", str(out))
    first = analysis_cli("run", *day, "--notebook", str(audit), "--no-redact")
    assert first.returncode == 0, first.stderr
    (folder / "profile_audit.png").write_bytes(b"screenshot")
    (folder / "session_investigation.png").write_bytes(b"an older page's screenshot")
    masked = analysis_cli("run", *day, "--notebook", str(investigation))
    assert masked.returncode == 0, masked.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "findings.json",
        "session_investigation.html",
        "session_investigation.ipynb",
        "session_investigation.run.json",
    ]
    assert "note: removed profile_audit.html, profile_audit.ipynb" in masked.stderr
    # the same masking: the other notebook's outputs are kept
    again = analysis_cli("run", *day, "--notebook", str(audit))
    assert again.returncode == 0, again.stderr
    assert {"findings.json", "profile_audit.json"} <= {p.name for p in folder.iterdir()}


def test_a_damaged_report_is_made_again(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    notebook = tiny_notebook(tmp_path / "nb")
    day = (
        "--start",
        "2025-11-03",
        "--end",
        "2025-11-03",
        "--every",
        "day",
        "--notebook",
        str(notebook),
    )
    assert batch(out, *day).code == 0
    assert "1 skipped" in batch(out, *day).stdout
    findings = out / "2025-11-03_2025-11-03" / "findings.json"
    findings.write_text('{"requests": {"total": 1')  # cut short
    assert "1 written" in batch(out, *day).stdout
    findings.write_text(json.dumps({"requests": {"total": 999}}))  # not what the run wrote
    assert "1 written" in batch(out, *day).stdout
    assert json.loads(findings.read_text())["requests"]["total"] == 1


def test_each_period_log_keeps_what_its_kernel_wrote(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    notebook = tiny_notebook(
        tmp_path / "nb",
        "import sys, os\n"
        "for i in range(200):\n"
        "    print(f'kernel line {i} of', start_date, file=sys.__stderr__, flush=True)\n"
        "os.write(2, f'fd-level line of {start_date}\\n'.encode())",
    )
    run = batch(out, *DAYS, "--workers", "1", "--notebook", str(notebook))
    assert run.code == 0, run.stderr
    for day in ("2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06"):
        log = (out / "logs" / f"{day}_{day}.log").read_text()
        lines = log.splitlines()
        assert log.endswith("\n")
        assert sum(f"of {day}" in line for line in lines) == 201, day
        assert not [line for line in lines if "kernel line" in line and day not in line]
        assert "report written to" in lines[-1]
