"""Connecting to a database: which URL, opened read-only, and never shown with its password."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, quote_plus

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from analysis.errors import AnalysisError
from analysis.inspection import check_schema
from analysis.sql import register_sqlite_functions

URL_ENV = "ANALYSIS_DATABASE_URL"
SCHEMA_ENV = "ANALYSIS_DATABASE_SCHEMA"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_DB = PROJECT_ROOT / "data" / "demo.db"
CONNECT_TIMEOUT_SECONDS = 5


def demo_url() -> str:
    return f"sqlite:///{DEMO_DB}"


def resolve_url(explicit: str | None = None) -> str:
    """The database to read: ``explicit`` (``--db``), else ``$ANALYSIS_DATABASE_URL``, else
    the demo database."""
    return explicit or os.environ.get(URL_ENV) or demo_url()


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        # The raw text may hold a password, so it is not repeated.
        raise AnalysisError(
            "the database URL could not be parsed: write it as "
            "dialect://user:password@host:port/database, e.g. postgresql+psycopg://…"
        ) from None


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``: the only form that may be shown."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def scrub(text: str, url: str | None) -> str:
    """``text`` with ``url`` and its password (raw or URL-encoded) replaced: for messages and
    logs that might quote them (a driver's error, a traceback)."""
    if not url:
        return text
    text = text.replace(url, mask_url(url))
    try:
        password = make_url(url).password
    except ArgumentError:
        return text
    if password:
        for form in {str(password), quote(str(password), safe=""), quote_plus(str(password))}:
            text = text.replace(form, "***")
    return text


def describe_url(url: str | URL) -> str:
    """Which database, for reports: engine, host and database name; never user or password."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "unknown database"
    backend = parsed.get_backend_name()
    if backend in ("sqlite", "duckdb"):
        name = Path(parsed.database or "").name or "in-memory"
        return "demo database (demo.db)" if str(url) == demo_url() else f"{backend} file {name}"
    where = f"{parsed.host or 'localhost'}" + (f":{parsed.port}" if parsed.port else "")
    return f"{backend} database {parsed.database or ''} on {where}"


def _read_only_engine(url: URL) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = url.database
        if not path or path == ":memory:":
            raise AnalysisError(
                "a SQLite URL must name a database file, e.g. sqlite:///data/demo.db"
            )
        if not Path(path).is_file():
            raise AnalysisError(
                f"SQLite database {path} does not exist: run `make data` for the demo "
                "database, or pass --db with the path of an existing file"
            )
        # mode=ro: never created, never written.
        uri = f"file:{Path(path).resolve()}?mode=ro"
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
        _require_file(url.database, "DuckDB")
        return sa.create_engine(url, connect_args={"read_only": True})
    raise AnalysisError(
        f"database type {backend!r} is not supported: use a sqlite://, postgresql+psycopg:// "
        "or duckdb:// URL"
    )


def _require_file(database: str | None, kind: str) -> Path:
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


def resolve_schema(explicit: str | None = None) -> str | None:
    """The schema holding the platform's tables: ``explicit`` (``--schema``), else
    ``$ANALYSIS_DATABASE_SCHEMA``, else the connection's default."""
    return explicit or os.environ.get(SCHEMA_ENV) or None


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


def writable_engine(url: str, schema: str | None = None) -> Engine:
    """An engine that may write: only for loading data into a target (load-demo, snapshot,
    synth), never for the database being analysed."""
    parsed = parse_url(url)
    if parsed.get_backend_name() not in ("sqlite", "postgresql", "duckdb"):
        raise AnalysisError(
            f"database type {parsed.get_backend_name()!r} is not supported: use a sqlite://, "
            "postgresql+psycopg:// or duckdb:// URL"
        )
    args = (
        {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        if parsed.get_backend_name() == ("postgresql")
        else {}
    )
    engine = sa.create_engine(parsed, connect_args=args)
    return engine.execution_options(schema_translate_map={None: schema}) if schema else engine


def read_frame(conn: Connection, query: sa.Select) -> pd.DataFrame:
    """Run a built query and return its rows as a DataFrame with the query's column names."""
    result = conn.execute(query)
    columns = list(result.keys())
    # Plain tuples: handing pandas SQLAlchemy Rows makes it probe each for mapping keys.
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=columns)
