"""Databases on the engines for tests: SQLite and DuckDB files, PostgreSQL schemas, Spark
databases.

PostgreSQL runs when ``ANALYSIS_TEST_POSTGRES_URL`` names an (empty, throwaway) database;
``.ci/run`` creates one per run. Spark runs when ``ANALYSIS_TEST_SPARK_URL`` names a Spark
Thrift Server (``hive://127.0.0.1:10000/default``; ``make spark`` starts one, ``.ci/run``
too): each test gets its own Spark database, its tables Parquet files under
``.spark/tables``. Set but unreachable is a failure, never a skip.
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

from analysis.errors import AnalysisError
from analysis.load import bulk, spark_tables
from analysis.load.demo import load_tables
from analysis.source import schema

PG_ENV = "ANALYSIS_TEST_POSTGRES_URL"
SPARK_ENV = "ANALYSIS_TEST_SPARK_URL"
ENGINES = ("sqlite", "duckdb", "postgresql")
WITH_SPARK = (*ENGINES, "spark")
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


SPARK_HOW_TO_ENABLE = (
    f"Spark tests skipped: run `make spark`, then set {SPARK_ENV}=hive://127.0.0.1:10000/default "
    "to run them (`make spark-down` stops the server)"
)


def spark_url() -> str:
    """The Spark Thrift Server of ``$ANALYSIS_TEST_SPARK_URL``: skip when unset, fail when
    set and unreachable."""
    url = os.environ.get(SPARK_ENV)
    if not url:
        pytest.skip(SPARK_HOW_TO_ENABLE)
    try:
        engine = bulk.writable_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except (AnalysisError, sa.exc.DBAPIError) as exc:
        pytest.fail(f"{SPARK_ENV} is set but the Spark Thrift Server can't be reached: {exc}")
    return url


@contextmanager
def database(engine_name: str, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """An empty database on ``engine_name``: yields ``(url, schema)``; cleaned up after."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.db'}", None
    elif engine_name == "duckdb":
        yield f"duckdb:///{tmp_path / f'{uuid.uuid4().hex[:8]}.duckdb'}", None
    elif engine_name == "spark":
        url, name = spark_url(), f"test_{uuid.uuid4().hex[:10]}"
        try:
            yield url, name
        finally:
            engine = bulk.writable_engine(url)
            spark_tables.drop_database(engine, name)
            engine.dispose()
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
    engine = bulk.writable_engine(url)
    try:
        load_tables(engine, schema_name=schema_name)
    finally:
        engine.dispose()


def load_requests(url: str, schema_name: str | None, requests: pd.DataFrame) -> None:
    """Create every table and fill session_requests with ``requests`` (others empty)."""
    engine = bulk.writable_engine(url)
    try:
        if engine.dialect.name == "hive":
            frames = {
                t: [requests if t is schema.session_requests else pd.DataFrame()]
                for t in schema.metadata.sorted_tables
            }
            spark_tables.load_frames(engine, frames, schema_name, replace=True)
            return
        with engine.begin() as conn:
            bulk.create_tables(conn, schema.metadata, schema_name)
            bulk.append(conn, schema.session_requests, requests, schema_name)
    finally:
        engine.dispose()
