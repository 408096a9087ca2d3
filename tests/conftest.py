"""Shared fixtures: hand-built SQLite databases whose answers are known, and the weekly batch
run through the real command line (builders live in rows.py, runs.py and engines.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from rows import SYNTHETIC_MONTH, Rows, fill
from runs import WEEKLY, Run, batch

from analysis.load.synth import Plan, load_synthetic
from analysis.source import schema

# A month of synthetic traffic whose lists outgrow any table: thousands of customers in the
# period (rows.SYNTHETIC_MONTH), a hundred and fifty mechanics on record, incomplete profiles
# of both (``synthetic``).
SYNTHETIC_PLAN = Plan(
    requests=150_000,
    customers=30_000,
    mechanics=150,
    start=date.fromisoformat(SYNTHETIC_MONTH[0]),
    end=date.fromisoformat(SYNTHETIC_MONTH[1]),
    seed=3,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ is an end-to-end test (``-m e2e``, ``-m "not e2e"``)."""
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def make_db(tmp_path: Path) -> Iterator[Callable[..., str]]:
    counter = iter(range(1000))

    def build(rows: Rows, metadata: sa.MetaData = schema.metadata) -> str:
        return fill(tmp_path / f"db{next(counter)}.db", rows, metadata)

    yield build


@pytest.fixture(scope="session")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The weekly batch over October–November 2025 on the demo database (redacted)."""
    return batch(tmp_path_factory.mktemp("weekly"), *WEEKLY)


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a DuckDB file holding ``SYNTHETIC_PLAN`` (its period: rows.SYNTHETIC_MONTH)."""
    url = f"duckdb:///{tmp_path_factory.mktemp('synthetic') / 'month.duckdb'}"
    load_synthetic(url, SYNTHETIC_PLAN)
    return url
