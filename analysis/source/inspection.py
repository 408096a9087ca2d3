"""Checking a database has what the analysis reads, before any query runs."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.errors import AnalysisError
from analysis.source.schema import OPTIONAL_COLUMNS, USED_COLUMNS, metadata


def column_names(conn: Connection, table: str, schema: str | None) -> set[str]:
    """The columns of an existing table, from a zero-row probe.

    A probe rather than ``Inspector.get_columns``: duckdb-engine's column reflection fails
    under SQLAlchemy 2.1, while a ``LIMIT 0`` result's keys work on every engine and read
    no rows.
    """
    probe = sa.select(sa.literal_column("*")).select_from(sa.table(table, schema=schema))
    return set(conn.execute(probe.limit(0)).keys())


def relation_names(conn: Connection, schema: str | None = None) -> set[str]:
    """The tables, views and materialized views of ``schema``: each can be read as a table."""
    inspector = sa.inspect(conn)
    names = set(inspector.get_table_names(schema=schema))
    names |= set(inspector.get_view_names(schema=schema))
    with contextlib.suppress(NotImplementedError):  # engines without materialized views
        names |= set(inspector.get_materialized_view_names(schema=schema))
    return names


def missing_schema(conn: Connection, schema: str | None = None) -> list[str]:
    """Every table and ``table.column`` in ``USED_COLUMNS`` that the database lacks (a view
    or materialized view of that name will do)."""
    tables = relation_names(conn, schema)
    missing: list[str] = []
    for table, columns in USED_COLUMNS.items():
        if table not in tables:
            missing.append(f"table {table}")
            continue
        present = column_names(conn, table, schema)
        missing += [f"column {table}.{c}" for c in columns if c not in present]
    return missing


def check_schema(conn: Connection, where: str, schema: str | None = None) -> None:
    """Raise one AnalysisError naming everything missing; ``where`` is the masked URL."""
    missing = missing_schema(conn, schema)
    if missing:
        in_schema = f" (schema {schema})" if schema else ""
        raise AnalysisError(
            f"{where}{in_schema} lacks what the analysis reads: {'; '.join(missing)}. "
            "Point --db at the platform's database (and --schema at the schema holding its "
            "tables, e.g. public), or load the demo data with `python -m analysis load-demo`"
        )


def optional_columns(conn: Connection, table: str = "session_requests") -> frozenset[str]:
    """The ``OPTIONAL_COLUMNS`` of ``table`` that the database has (a zero-row probe of the
    declared table, so the connection's schema translation applies)."""
    probe = sa.select(sa.literal_column("*")).select_from(metadata.tables[table]).limit(0)
    present = set(conn.execute(probe).keys())
    return frozenset(c for c in OPTIONAL_COLUMNS.get(table, ()) if c in present)
