"""Running the package as a user does: ``python -m analysis …`` in a fresh process, batches
into a folder, and what they wrote."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

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


def tiny_notebook(folder: Path, body: str = "", name: str = "session_investigation") -> Path:
    """A notebook taking the runner's parameters whose work is ``body``, then writing a small
    ``findings_path``; named as the investigation by default (its outputs are findings.json
    and what the index reads). Runs in a second where the real one takes several."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "start_date = end_date = timezone = findings_path = None\nredact = True"
    )
    params.metadata["tags"] = ["parameters"]
    write = nbformat.v4.new_code_cell(
        "import json\n"
        "with open(findings_path, 'w') as f:\n"
        "    json.dump({'requests': {'total': 1, 'by_status': {'completed': 1}}}, f)"
    )
    nb.cells = [params, nbformat.v4.new_code_cell(body or "pass"), write]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def descendants(pid: int) -> set[int]:
    """Every process whose chain of parents leads to ``pid`` (Linux ``/proc``)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (zombies count as ended)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def hidden(folder: Path) -> list[str]:
    """What a run left half-written in ``folder`` (staging folders, temporary files)."""
    return (
        sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if folder.is_dir()
        else []
    )
