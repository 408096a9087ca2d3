"""Databases on the three engines for tests: SQLite and DuckDB files, PostgreSQL schemas.

PostgreSQL runs when ``ANALYSIS_TEST_POSTGRES_URL`` names an (empty, throwaway) database;
``.ci/run`` creates one per run. Set but unreachable is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis.load import bulk
from analysis.load.demo import load_tables
from analysis.source import schema

PG_ENV = "ANALYSIS_TEST_POSTGRES_URL"
ENGINES = ("sqlite", "duckdb", "postgresql")
HOW_TO_ENABLE = (
    f"PostgreSQL tests skipped: set {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/<db> "
    "(an empty database you can throw away) to run them"
)


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(HOW_TO_ENABLE)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:  # set but unreachable: fail loudly
        pytest.fail(f"{PG_ENV} is set but PostgreSQL can't be reached: {exc.orig}")
    finally:
        engine.dispose()
    return url


@contextmanager
def database(engine_name: str, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """An empty database on ``engine_name``: yields ``(url, schema)``; cleaned up after."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.db'}", None
    elif engine_name == "duckdb":
        yield f"duckdb:///{tmp_path / f'{uuid.uuid4().hex[:8]}.duckdb'}", None
    else:
        url, name = postgres_url(), f"test_{uuid.uuid4().hex[:10]}"
        try:
            yield url, name
        finally:
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.execute(sa.schema.DropSchema(name, cascade=True, if_exists=True))
            engine.dispose()


def load_demo_into(url: str, schema_name: str | None) -> None:
    engine = sa.create_engine(url)
    try:
        load_tables(engine, schema_name=schema_name)
    finally:
        engine.dispose()


def load_requests(url: str, schema_name: str | None, requests: pd.DataFrame) -> None:
    """Create every table and fill session_requests with ``requests`` (others empty)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            bulk.create_tables(conn, schema.metadata, schema_name)
            bulk.append(conn, schema.session_requests, requests, schema_name)
    finally:
        engine.dispose()
