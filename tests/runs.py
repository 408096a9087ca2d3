"""Running the package as a user does: ``python -m analysis …`` in a fresh process, batches
into a folder, and what they wrote."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from analysis.load.demo import DEMO_CSV_DIR

# October–November 2025 by week: 9 periods, all but two of them empty (the demo data is
# 29 Oct – 6 Nov). Two workers: the test machine has two cores.
WEEKLY = ("--start", "2025-10-01", "--end", "2025-11-30", "--every", "week", "--workers", "2")


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    out: Path


def analysis_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m analysis …`` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, check=False
    )


def batch(out: Path, *args: str) -> Run:
    result = analysis_cli("batch", *args, "--out", str(out), "--quiet")
    return Run(result.returncode, result.stdout, result.stderr, out)


def personal_values() -> set[str]:
    """Every e-mail and person's name in the demo data: none may reach a shared output."""
    wanted = {
        "mechanics.csv": ("email", "name"),
        "profiles.csv": ("email", "full_name"),
        "session_requests.csv": ("customer_email",),
    }
    values: set[str] = set()
    for name, columns in wanted.items():
        with (DEMO_CSV_DIR / name).open(newline="") as handle:
            for row in csv.DictReader(handle):
                values |= {row[c].strip() for c in columns if row.get(c, "").strip()}
    return values


def written_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]
