"""Loading tables into Spark SQL: Parquet files registered as tables, not row-by-row inserts.

Each table's rows are written (by DuckDB, in the chunks they arrive in) as Parquet files in
one folder per table, ``<location>/<database>/<table>/part-NNNNN.parquet``, and registered with
``CREATE TABLE … USING parquet LOCATION …``. The folder must be one the Spark server reads:
the local server of ``make spark`` reads this machine's disk (the default location is
``.spark/tables`` in the project); a cluster needs a path every node sees. ``--replace`` drops
the tables and their folders, then writes and registers them again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from analysis.errors import AnalysisError
from analysis.source.urls import PROJECT_ROOT

DEFAULT_LOCATION = PROJECT_ROOT / ".spark" / "tables"


def _types(column: sa.Column[Any]) -> tuple[str, str]:
    """The column's (DuckDB, Spark) types: the Parquet file and the table must agree."""
    kind = column.type
    from analysis.source.schema import UTCDateTime

    if isinstance(kind, UTCDateTime):
        return "TIMESTAMPTZ", "TIMESTAMP"
    if isinstance(kind, sa.Boolean):
        return "BOOLEAN", "BOOLEAN"
    if isinstance(kind, sa.Integer):
        return "BIGINT", "BIGINT"
    if isinstance(kind, sa.Float):
        return "DOUBLE", "DOUBLE"
    return "VARCHAR", "STRING"


def database_of(engine: sa.Engine, schema_name: str | None) -> str:
    """The Spark database the tables go in: ``schema_name``, else the URL's, else default."""
    return schema_name or engine.url.database or "default"


def table_folder(location: Path, database: str, table: sa.Table) -> Path:
    return Path(location).resolve() / database / table.name


def write_parquet(frames: Iterable[pd.DataFrame], table: sa.Table, folder: Path) -> int:
    """Write ``frames`` (columns named as ``table``'s; missing ones become NULL) as Parquet
    files in ``folder`` (emptied first), typed per the schema; rows written."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    duck = duckdb.connect()
    written, part = 0, 0
    try:
        for frame in frames:
            if frame.empty and (part or frame.columns.empty):
                continue  # an empty table: one empty file of the right types, or none
            columns = []
            for column in table.columns:
                duck_type = _types(column)[0]
                value = f'"{column.name}"' if column.name in frame.columns else "NULL"
                columns.append(f'CAST({value} AS {duck_type}) AS "{column.name}"')
            duck.register("analysis_spark_frame", frame)
            target = folder / f"part-{part:05d}.parquet"
            # Names come from the schema declaration and paths from the package: no value
            # is spliced into the statement.
            duck.execute(
                f"COPY (SELECT {', '.join(columns)} FROM analysis_spark_frame) "
                f"TO '{target}' (FORMAT parquet)"
            )
            duck.unregister("analysis_spark_frame")
            written += len(frame)
            part += 1
    finally:
        duck.close()
    return written


def register(conn: sa.Connection, table: sa.Table, database: str, folder: Path) -> None:
    """``CREATE TABLE database.table (…) USING parquet LOCATION 'folder'``."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(f"{quote(c.name)} {_types(c)[1]}" for c in table.columns)
    location = str(folder).replace("\\", "\\\\").replace("'", "\\'")
    conn.execute(
        sa.text(
            f"CREATE TABLE {quote(database)}.{quote(table.name)} ({columns}) "
            f"USING parquet LOCATION '{location}'"
        )
    )


def existing_tables(engine: sa.Engine, database: str) -> set[str]:
    with engine.connect() as conn:
        databases = {r[0] for r in conn.execute(sa.text("SHOW DATABASES"))}
        if database not in databases:
            return set()
        return set(sa.inspect(conn).get_table_names(schema=database))


def load_frames(
    engine: sa.Engine,
    frames: Mapping[sa.Table, Iterable[pd.DataFrame]],
    schema_name: str | None = None,
    replace: bool = False,
    location: Path | None = None,
    where: str = "the Spark server",
) -> dict[str, int]:
    """Write and register each table of ``frames``; rows written per table. Refuses existing
    tables unless ``replace``, which drops them (and their folders) first."""
    database = database_of(engine, schema_name)
    location = Path(location or DEFAULT_LOCATION)
    clash = sorted(existing_tables(engine, database) & {t.name for t in frames})
    if clash and not replace:
        raise AnalysisError(
            f"{where} already has table(s) {', '.join(clash)} in database {database}: pass "
            "--replace to drop and reload them, or choose another --schema"
        )
    quote = engine.dialect.identifier_preparer.quote
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS {quote(database)}"))
        for table, parts in frames.items():
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {quote(database)}.{quote(table.name)}"))
            folder = table_folder(location, database, table)
            counts[table.name] = write_parquet(parts, table, folder)
            register(conn, table, database, folder)
    return counts


def drop_database(engine: sa.Engine, database: str, location: Path | None = None) -> None:
    """Drop ``database`` with its tables, and the Parquet folders written for it."""
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(database)} CASCADE"))
    shutil.rmtree(Path(location or DEFAULT_LOCATION).resolve() / database, ignore_errors=True)
