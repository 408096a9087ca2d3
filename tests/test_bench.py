"""The benchmark script runs: --help, and the whole pipeline at a tiny size on DuckDB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def test_help() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "--sizes" in done.stdout and "--reload" in done.stdout


def test_tiny_run_writes_results(tmp_path) -> None:
    out = tmp_path / "results.md"
    command = [sys.executable, str(BENCH), "--sizes", "2000", "--engines", "duckdb"]
    command += ["--runs", "1", "--skip-notebook", "--data-dir", str(tmp_path), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text()
    assert "## Targets" in text and "| duckdb | 2,000 |" in text
    assert "| yes |" in text  # the findings and the pandas numbers agree
