"""Shared fixtures: hand-built SQLite databases whose answers are known, and batch runs
through the real command line."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from analysis import schema
from analysis.demo import DEMO_CSV_DIR

Rows = dict[str, list[dict[str, Any]]]


def at(text: str) -> datetime:
    """``"2025-11-03 10:00"`` as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def request(rid: str, **fields: Any) -> dict[str, Any]:
    """A session_requests row: defaults for everything the test doesn't care about."""
    row = {
        "id": rid,
        "created_at": at("2025-11-03 15:00"),
        "customer_id": "cust-1",
        "customer_email": "a@real.ca",
        "mechanic_id": None,
        "session_type": "chat",
        "status": "cancelled",
        "accepted_at": None,
        "workshop_id": None,
        "preferred_workshop_id": None,
        "routing_type": "broadcast",
    }
    return row | fields


def fill(path: Path, rows: Rows, metadata: sa.MetaData = schema.metadata) -> str:
    """Create ``metadata``'s tables in a new SQLite file, insert ``rows``; return its URL."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            if table_rows:
                full = [
                    {c.name: None for c in metadata.tables[name].columns} | r for r in table_rows
                ]
                conn.execute(metadata.tables[name].insert(), full)
    engine.dispose()
    return url


@pytest.fixture
def make_db(tmp_path: Path) -> Iterator[Callable[..., str]]:
    counter = iter(range(1000))

    def build(rows: Rows, metadata: sa.MetaData = schema.metadata) -> str:
        return fill(tmp_path / f"db{next(counter)}.db", rows, metadata)

    yield build


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


@pytest.fixture(scope="session")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The weekly batch over October–November 2025 on the demo database (redacted)."""
    return batch(tmp_path_factory.mktemp("weekly"), *WEEKLY)


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
