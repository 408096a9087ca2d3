"""The new queries give the same answers on DuckDB as on SQLite (PostgreSQL: compiled only)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from analysis.investigation import quality, queries
from analysis.load.demo import load_tables
from analysis.period import Period
from analysis.source.engine import connect, read_frame

PERIOD = Period.parse("2025-10-29", "2025-11-06")
BUILDERS = (
    quality.anomaly_rows,
    queries.hour_weekday_counts,
    queries.participants,
    queries.unassigned_waits,
    queries.customers_without_profile,
    queries.customer_id_counts,
)


def _rows(url: str) -> list[list[tuple]]:
    with connect(url) as conn:
        return [
            sorted(map(tuple, read_frame(conn, b(PERIOD)).astype(str).values)) for b in BUILDERS
        ]


def test_duckdb_matches_sqlite(tmp_path: Path) -> None:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'demo.duckdb'}")
    load_tables(engine)
    engine.dispose()
    sqlite = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = sa.create_engine(sqlite)
    load_tables(engine)
    engine.dispose()
    assert _rows(f"duckdb:///{tmp_path / 'demo.duckdb'}") == _rows(sqlite)


def test_postgresql_compiles() -> None:
    for build in BUILDERS:
        assert "SELECT" in str(build(PERIOD).compile(dialect=postgresql.dialect()))
