"""The benchmark script runs: --help, and the whole pipeline at a tiny size on DuckDB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


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


def test_query_profile_names_the_queries(tmp_path) -> None:
    """The per-query profile loads its data when missing and appends its table."""
    out = tmp_path / "results.md"
    out.write_text("# Benchmarks\n")
    command = [sys.executable, str(BENCH.with_name("query_profile.py")), "--size", "2000"]
    command += ["--engines", "duckdb", "--runs", "1", "--data-dir", str(tmp_path)]
    done = subprocess.run([*command, "--append", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text()
    assert text.startswith("# Benchmarks\n") and "### duckdb, 2k requests" in text
    assert "| `request_cube` |" in text and "| `anomaly_rows` |" in text
    assert "| `request_cube (previous period)` |" in text


def test_daily_batch_bench_writes_its_section(tmp_path) -> None:
    out = tmp_path / "results.md"
    out.write_text("# Benchmarks\n\n## Targets\n\nkept\n")
    command = [sys.executable, str(BENCH), "batch", "--days", "2", "--workers", "1"]
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text()
    assert "## Targets\n\nkept" in text and text.count("## Daily batch (demo database)") == 1
    assert "| 2 | 2 |" in text and "wall / findings" in text
    again = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True)
    assert again.returncode == 0 and out.read_text().count("## Daily batch") == 1
