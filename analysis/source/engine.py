"""Connecting to the analysed database: opened read-only, checked, and never shown with its
password."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from analysis.errors import AnalysisError
from analysis.source import spark
from analysis.source.dialect import register_sqlite_functions
from analysis.source.inspection import check_schema
from analysis.source.urls import mask_url, parse_url, resolve_schema, resolve_url

CONNECT_TIMEOUT_SECONDS = 5
SUPPORTED = ("sqlite", "postgresql", "duckdb", spark.BACKEND)


def unsupported(backend: str) -> AnalysisError:
    return AnalysisError(
        f"database type {backend!r} is not supported: use a sqlite://, postgresql+psycopg://, "
        "duckdb:// or hive:// (Spark Thrift Server) URL"
    )


def _read_only_engine(url: URL) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = require_file(url.database, "SQLite")
        # mode=ro: never created, never written.
        uri = f"file:{path.resolve()}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: _sqlite_ro(uri))
    if backend == "postgresql":
        return sa.create_engine(
            url,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                # Read-only transactions; no JIT: compiling costs more than it saves on
                # these short aggregates (about 10 % of the findings at 1M requests).
                "options": "-c default_transaction_read_only=on -c jit=off",
            },
        )
    if backend == "duckdb":
        require_file(url.database, "DuckDB")
        return sa.create_engine(url, connect_args={"read_only": True})
    if backend == spark.BACKEND:
        # Spark has no read-only sessions: the package sends only SELECT (see spark.py).
        spark.require_reachable(url, CONNECT_TIMEOUT_SECONDS, mask_url(url))
        engine = sa.create_engine(url, connect_args=spark.connect_args())
        spark.first_contact(engine, CONNECT_TIMEOUT_SECONDS, url)
        return engine
    raise unsupported(backend)


def require_file(database: str | None, kind: str) -> Path:
    """The database file of a file-based engine, which must exist: reading never creates one."""
    if not database or database == ":memory:":
        raise AnalysisError(
            f"a {kind} URL must name a database file, e.g. {kind.lower()}:///data/demo.db"
        )
    path = Path(database)
    if not path.is_file():
        raise AnalysisError(
            f"{kind} database {path} does not exist: run `make data` for the demo database, "
            "or pass --db with the path of an existing file"
        )
    return path


def _sqlite_ro(uri: str) -> sqlite3.Connection:
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    register_sqlite_functions(connection)
    return connection


def open_engine(url: str | None = None) -> Engine:
    """A read-only engine for ``url`` (resolved as in ``resolve_url``), checked by connecting."""
    resolved = resolve_url(url)
    engine = _read_only_engine(parse_url(resolved))
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        password = parse_url(resolved).password
        if password:
            reason = reason.replace(str(password), "***")
        raise AnalysisError(
            f"cannot connect to {mask_url(resolved)}: {reason}. "
            "Check the URL (--db or $ANALYSIS_DATABASE_URL), the server and the credentials"
        ) from None
    return engine


@contextmanager
def connect(url: str | None = None, schema: str | None = None) -> Iterator[Connection]:
    """A read-only connection whose tables are checked before it is handed out.

    ``schema`` (see ``resolve_schema``) is applied to every table through SQLAlchemy's
    ``schema_translate_map``, so queries never name it.
    """
    resolved, schema = resolve_url(url), resolve_schema(schema)
    engine = open_engine(resolved)
    try:
        with engine.connect() as conn:
            check_schema(conn, mask_url(resolved), schema)
            yield conn.execution_options(schema_translate_map={None: schema})
    finally:
        engine.dispose()


def read_frame(conn: Connection, query: sa.Select) -> pd.DataFrame:
    """Run a built query and return its rows as a DataFrame with the query's column names."""
    result = conn.execute(query)
    columns = list(result.keys())
    # Plain tuples: handing pandas SQLAlchemy Rows makes it probe each for mapping keys.
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=columns)


def read_frames(conn: Connection, query: sa.Select, rows: int) -> Iterator[pd.DataFrame]:
    """Run a built query and return its rows ``rows`` at a time, as DataFrames with the
    query's column names (at least one, empty when there are no rows): a large result never
    sits in memory twice (as driver rows and as a frame)."""
    result = conn.execution_options(yield_per=rows).execute(query)
    columns = list(result.keys())
    empty = True
    for part in result.partitions():
        empty = False
        yield pd.DataFrame([tuple(row) for row in part], columns=columns)
    if empty:
        yield pd.DataFrame([], columns=columns)
