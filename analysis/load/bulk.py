"""Fast loading of rows into a target database, one native path per engine.

COPY on PostgreSQL, a registered DataFrame on DuckDB, large ``executemany`` batches on SQLite.
Used only to build targets (demo, snapshot, synthetic data), never on the analysed database.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.errors import AnalysisError
from analysis.source import spark
from analysis.source.engine import CONNECT_TIMEOUT_SECONDS, SUPPORTED, unsupported
from analysis.source.urls import mask_url, parse_url

SQLITE_BATCH = 50_000
COPY_ROWS = 100_000


def writable_engine(url: str, schema: str | None = None) -> sa.Engine:
    """An engine that may write: only for loading data into a target (load-demo, snapshot,
    synth), never for the database being analysed."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise unsupported(backend)
    args: dict[str, Any] = {}
    if backend == "postgresql":
        args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    elif backend == spark.BACKEND:
        spark.require_reachable(parsed, CONNECT_TIMEOUT_SECONDS, mask_url(url))
        args = spark.connect_args()
    engine = sa.create_engine(parsed, connect_args=args)
    return engine.execution_options(schema_translate_map={None: schema}) if schema else engine


def _records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values, missing values as None."""
    plain = frame.astype(object).where(frame.notna(), None)
    return list(plain.itertuples(index=False, name=None))


def create_tables(
    conn: Connection, metadata: sa.MetaData, schema: str | None, indexes: bool = True
) -> None:
    """Create ``metadata``'s tables in ``schema`` (created if needed), with their indexes
    unless ``indexes`` is False (then call ``create_indexes`` after loading: faster)."""
    if schema:
        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    translated = conn.execution_options(schema_translate_map={None: schema})
    # Explicit DDL with IF NOT EXISTS: Table.create would add the indexes too, and
    # duckdb-engine cannot reflect indexes for checkfirst.
    for table in metadata.sorted_tables:
        translated.execute(sa.schema.CreateTable(table, if_not_exists=True))
    if indexes:
        create_indexes(conn, metadata, schema)


def create_indexes(conn: Connection, metadata: sa.MetaData, schema: str | None) -> None:
    """The indexes the queries rely on (``session_requests.created_at``)."""
    translated = conn.execution_options(schema_translate_map={None: schema})
    for table in metadata.sorted_tables:
        for index in table.indexes:
            translated.execute(sa.schema.CreateIndex(index, if_not_exists=True))


def append(conn: Connection, table: sa.Table, frame: pd.DataFrame, schema: str | None) -> int:
    """Append ``frame`` (columns named as ``table``'s) to ``table``; returns rows written."""
    if frame.empty:
        return 0
    loaders = {"postgresql": _copy_postgres, "duckdb": _append_duckdb}
    loader = loaders.get(conn.dialect.name, _insert_many)
    loader(conn, table, frame, schema)
    return len(frame)


def _copy_postgres(
    conn: Connection, table: sa.Table, frame: pd.DataFrame, schema: str | None
) -> None:
    from psycopg import sql

    name = sql.Identifier(schema, table.name) if schema else sql.Identifier(table.name)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(statement) as copy:
        for row in _records(frame):
            copy.write_row(row)


def _append_duckdb(
    conn: Connection, table: sa.Table, frame: pd.DataFrame, schema: str | None
) -> None:
    duck = conn.connection.driver_connection
    preparer = conn.dialect.identifier_preparer
    target = preparer.quote(table.name)
    if schema:
        target = f"{preparer.quote_schema(schema)}.{target}"
    columns = ", ".join(preparer.quote(c) for c in frame.columns)
    duck.register("analysis_bulk_frame", frame)
    try:
        # Identifiers are quoted by the dialect; no value is spliced into the statement.
        duck.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM analysis_bulk_frame")
    finally:
        duck.unregister("analysis_bulk_frame")


def _insert_many(
    conn: Connection, table: sa.Table, frame: pd.DataFrame, schema: str | None
) -> None:
    columns = list(frame.columns)
    target = conn.execution_options(schema_translate_map={None: schema}) if schema else conn
    rows = _records(frame)
    for start in range(0, len(rows), SQLITE_BATCH):
        batch = [dict(zip(columns, r, strict=True)) for r in rows[start : start + SQLITE_BATCH]]
        target.execute(table.insert(), batch)


def clear_target(
    engine: sa.Engine, metadata: sa.MetaData, schema: str | None, replace: bool, where: str
) -> None:
    """Make room for ``metadata``'s tables: refuse if any exists, unless ``replace``, which
    drops them. ``where`` names the target (masked URL) in the message."""
    existing = set(sa.inspect(engine).get_table_names(schema=schema))
    clash = sorted(existing & set(metadata.tables))
    if clash and not replace:
        raise AnalysisError(
            f"{where} already has table(s) {', '.join(clash)}: pass --replace to drop and "
            "reload them, or choose another database or --schema"
        )
    if clash:
        with engine.begin() as conn:
            metadata.drop_all(conn.execution_options(schema_translate_map={None: schema}))
