"""Connecting to the analysed database: opened read-only, checked, and never shown with its
password."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from analysis.domain import QUERY_TIMEOUT_SECONDS
from analysis.errors import AnalysisError
from analysis.source import spark
from analysis.source.dialect import (
    UNREADABLE,
    UNREADABLE_SIGN,
    attach_storage,
    register_sqlite_functions,
)
from analysis.source.inspection import check_schema
from analysis.source.storage import detect
from analysis.source.urls import mask_url, parse_url, resolve_schema, resolve_url, scrub

CONNECT_TIMEOUT_SECONDS = 5
SUPPORTED = ("sqlite", "postgresql", "duckdb", spark.BACKEND)
# Waits for a lock are cut a little before the statement's own limit, so that a locked table is
# named as the cause.
LOCK_SHARE = 0.9
# What a driver's error says when the server cancelled a statement for a limit set here, and
# what to call that limit.
TIMEOUT_SIGNS = {
    "canceling statement due to statement timeout": "ran over the {limit:g}-second limit "
    "(statement_timeout)",
    "canceling statement due to lock timeout": "waited {lock:g} seconds for a lock another "
    "session holds on a table (lock_timeout)",
    "database is locked": "waited {limit:g} seconds for another process's write lock "
    "(SQLite's busy timeout)",
}


class QueryTimeout(AnalysisError):
    """A statement ran over the query time limit, or waited that long for a lock."""


class UnreadableTimestamp(AnalysisError):
    """A stored timestamp the engine can't read, met by a query (SQLite text is sampled)."""


# Raised in a notebook's kernel, these are the source's or the user's limits, not the
# notebook's failure: the runner reports them as bad input (exit 2).
SOURCE_ERRORS = (QueryTimeout.__name__, UnreadableTimestamp.__name__)


def unsupported(backend: str) -> AnalysisError:
    return AnalysisError(
        f"database type {backend!r} is not supported: use a sqlite://, postgresql+psycopg://, "
        "duckdb:// or hive:// (Spark Thrift Server) URL"
    )


def _read_only_engine(url: URL, timeout: float = QUERY_TIMEOUT_SECONDS) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = require_file(url.database, "SQLite")
        # mode=ro: never created, never written. The path is percent-encoded so that a #, ?
        # or % in it is part of the name, not the URI's fragment or query (which would drop
        # mode=ro and create an empty file).
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: _sqlite_ro(uri, timeout))
    if backend == "postgresql":
        limit, lock = int(timeout * 1000), int(timeout * LOCK_SHARE * 1000)
        return sa.create_engine(
            url,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                # Read-only transactions; no JIT: compiling costs more than it saves on
                # these short aggregates (about 10 % of the findings at 1M requests). A
                # statement, or a wait for a lock, longer than the limit is cancelled.
                "options": (
                    "-c default_transaction_read_only=on -c jit=off "
                    f"-c statement_timeout={limit} -c lock_timeout={lock}"
                ),
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


def _sqlite_ro(uri: str, timeout: float) -> sqlite3.Connection:
    # ``timeout``: how long to wait for another process's write lock (SQLite's busy timeout).
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=timeout)
    register_sqlite_functions(connection)
    return connection


def _timeouts_named(engine: Engine, timeout: float) -> None:
    """Turn a statement cancelled for a time limit into one ``QueryTimeout`` line."""

    @sa.event.listens_for(engine, "handle_error")
    def _named(context: sa.engine.ExceptionContext) -> AnalysisError | None:
        message = str(context.original_exception)
        if UNREADABLE_SIGN in message and UNREADABLE:
            return UnreadableTimestamp(
                f"session_requests holds a timestamp SQLite can't read ({UNREADABLE[0]!r}): "
                "store every timestamp as ISO-8601 text (e.g. 2025-10-29 04:00:00 or "
                "2025-10-29T04:00:00Z) or epoch numbers, or take a DuckDB snapshot and "
                "convert it there"
            )
        for sign, what in TIMEOUT_SIGNS.items():
            if sign in message:
                statement = " ".join((context.statement or "").split())[:80]
                happened = what.format(limit=timeout, lock=timeout * LOCK_SHARE)
                return QueryTimeout(
                    f"a query {happened}: {statement}…; raise --query-timeout "
                    "(query_timeout=), report on a shorter period, or ask why the table is "
                    "locked"
                )
        return None


def open_engine(url: str | None = None, query_timeout: float | None = None) -> Engine:
    """A read-only engine for ``url`` (resolved as in ``resolve_url``), checked by connecting.
    Statements and waits for locks are limited to ``query_timeout`` seconds (None: the
    library's ``QUERY_TIMEOUT_SECONDS``) where the engine has such limits (PostgreSQL's
    statement and lock timeouts, SQLite's busy timeout)."""
    resolved = resolve_url(url)
    timeout = check_timeout(query_timeout)
    engine = _read_only_engine(parse_url(resolved), timeout)
    _timeouts_named(engine, timeout)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = scrub(str(getattr(exc, "orig", exc)).strip().splitlines()[0], resolved)
        raise AnalysisError(
            f"cannot connect to {mask_url(resolved)}: {reason}. "
            "Check the URL (--db or $ANALYSIS_DATABASE_URL), the server and the credentials"
        ) from None
    return engine


def check_timeout(query_timeout: float | None) -> float:
    """``query_timeout`` seconds (None: ``QUERY_TIMEOUT_SECONDS``), which must be above 0."""
    if query_timeout is None:
        return QUERY_TIMEOUT_SECONDS
    if not query_timeout > 0:
        raise AnalysisError(
            f"--query-timeout {query_timeout:g} is not a duration: give seconds above 0"
        )
    return float(query_timeout)


@contextmanager
def connect(
    url: str | None = None,
    schema: str | None = None,
    naive_timezone: str | None = None,
    query_timeout: float | None = None,
) -> Iterator[Connection]:
    """A read-only connection whose tables are checked before it is handed out.

    ``schema`` (see ``resolve_schema``) is applied to every table through SQLAlchemy's
    ``schema_translate_map``, so queries never name it. How the source stores timestamps,
    categories and ids is found first (``analysis.source.storage``) and the queries are
    compiled for it; naive timestamps are read as wall-clock time in ``naive_timezone``
    (None: UTC). ``query_timeout``: see ``open_engine``.
    """
    resolved, schema = resolve_url(url), resolve_schema(schema)
    engine = open_engine(resolved, query_timeout)
    try:
        with engine.connect() as conn:
            check_schema(conn, mask_url(resolved), schema)
            attach_storage(engine.dialect, detect(conn, schema, naive_timezone or "UTC"))
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
