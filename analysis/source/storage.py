"""How a source stores the columns whose storage changes the SQL: timestamps, enums, ids.

Found once per connection, before any query (``detect``), from a few rows and the column
types; the findings' SQL is then compiled for it (``analysis.source.dialect.Storage``).
Timestamps with a time zone are used as they are; naive timestamps are wall-clock time in a
named zone (UTC unless told otherwise); ISO-8601 text and epoch numbers are converted. A
column in no form the package can compare correctly is refused with one message, never
counted wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.errors import AnalysisError
from analysis.source import spark
from analysis.source.dialect import (
    AWARE,
    EPOCH_MILLISECONDS,
    EPOCH_SECONDS,
    NAIVE,
    TEXT,
    Storage,
    default_time,
)
from analysis.source.schema import OPTIONAL_COLUMNS

TABLE = "session_requests"
TIME_COLUMNS = ("created_at", "accepted_at", "expires_at")
CATEGORY_COLUMNS = ("status", "session_type", "routing_type")
# Id columns compared across tables (request ids, customers, mechanics, workshops).
ID_COLUMNS = {
    "session_requests": (
        "id",
        "customer_id",
        "mechanic_id",
        "workshop_id",
        "preferred_workshop_id",
    ),
    "mechanics": ("id", "workshop_id"),
    "profiles": ("id",),
    "organizations": ("id",),
}
SAMPLE_ROWS = 200
# Every ISO-8601 spelling the package reads: date, space or T, hours and minutes, optional
# seconds and fraction, optional Z or ±HH:MM (or ±HHMM, ±HH).
ISO_TEXT = re.compile(
    r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?$", re.IGNORECASE
)
PG_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
# Epoch numbers at or above this are milliseconds (1e11 s is the year 5138, 1e11 ms 1973).
MILLISECONDS_FROM = 1e11
TEXT_TYPES = ("text", "character varying", "character", "varchar", "string")


def check_zone(zone: str) -> str:
    """``zone`` if it is an IANA time zone name, else one AnalysisError."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AnalysisError(
            f"--naive-timezone {zone!r} is not a time zone: give an IANA name such as UTC or "
            "America/Toronto"
        ) from None
    return zone


def _table(name: str, columns: Iterable[str], schema: str | None) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns), schema=schema)


def _refuse(column: str, value: Any, why: str) -> AnalysisError:
    return AnalysisError(
        f"{TABLE}.{column} {why} (e.g. {value!r}): the package reads timestamps with a time "
        "zone, naive timestamps (UTC, or --naive-timezone), ISO-8601 text (e.g. "
        "2025-10-29 04:00:00, 2025-10-29T04:00:00Z, 2025-10-29T00:00:00-04:00) or epoch "
        "seconds/milliseconds; store the column in one of those forms (or a view that "
        "converts it) and point --db/--schema at it"
    )


def _kind_of(value: Any) -> str | None:
    if isinstance(value, datetime):
        return NAIVE if value.tzinfo is None else AWARE
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return EPOCH_MILLISECONDS if abs(float(value)) >= MILLISECONDS_FROM else EPOCH_SECONDS
    if isinstance(value, str):
        return TEXT if ISO_TEXT.match(value.strip()) else None
    return None


def _sample(conn: Connection, column: str, schema: str | None) -> list[Any]:
    table = _table(TABLE, [column], schema)
    query = sa.select(table.c[column]).where(table.c[column].is_not(None)).limit(SAMPLE_ROWS)
    return [row[0] for row in conn.execute(query)]


def _not_iso(c: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[bool]:
    """A non-null value of ``c`` that is not ISO-8601 text the engine reads exactly."""
    if dialect == "sqlite":
        # Text shaped like a date and time (julianday alone also reads bare day numbers and
        # times without a date) that julianday() reads; substr() is cheaper than GLOB.
        return sa.or_(
            sa.func.typeof(c) != "text",
            sa.func.length(c) < 16,
            sa.func.substr(c, 5, 1) != "-",
            sa.func.substr(c, 11, 1).not_in([" ", "T"]),
            sa.func.substr(c, 14, 1) != ":",
            sa.func.julianday(c).is_(None),
        )
    if dialect == "postgresql":
        return sa.cast(c, sa.Text).op("!~", is_comparison=True)(PG_PATTERN)
    if dialect == spark.BACKEND:  # Spark SQL: Java regular expressions, RLIKE
        return sa.not_(sa.cast(c, sa.String).op("RLIKE", is_comparison=True)(PG_PATTERN))
    return sa.not_(sa.func.regexp_full_match(sa.cast(c, sa.Text), PG_PATTERN))


def _text_outliers(
    conn: Connection, columns: list[str], schema: str | None
) -> dict[str, tuple[int, Any]]:
    """Per text column: how many non-null values are not ISO-8601 text the engine reads
    exactly, and the least of them; one pass over the table for all of them."""
    table = _table(TABLE, columns, schema)
    dialect = conn.dialect.name
    parts: list[sa.ColumnElement[Any]] = []
    for column in columns:
        c = table.c[column]
        bad = sa.and_(c.is_not(None), _not_iso(c, dialect))
        parts += [sa.func.count(sa.case((bad, c))), sa.func.min(sa.case((bad, c)))]
    row = conn.execute(sa.select(*parts)).one()
    return {c: (int(row[2 * i] or 0), row[2 * i + 1]) for i, c in enumerate(columns)}


def _extremes(conn: Connection, columns: list[str], schema: str | None) -> dict[str, tuple]:
    """The smallest and largest value of each column (an index answers for created_at)."""
    table = _table(TABLE, columns, schema)
    found = {}
    for column in columns:
        c = table.c[column]
        found[column] = _min_max(conn, c)
    return found


def _min_max(conn: Connection, c: sa.ColumnElement[Any]) -> tuple[Any, Any]:
    """min and max in two statements: SQLite answers a lone min() or max() from an index."""
    return (
        conn.execute(sa.select(sa.func.min(c))).scalar(),
        conn.execute(sa.select(sa.func.max(c))).scalar(),
    )


def _time_kind(
    conn: Connection, column: str, schema: str | None, naive_timezone: str
) -> str | None:
    """How ``column`` is stored (None: no values to tell from), or one AnalysisError."""
    dialect = conn.dialect.name
    values = _sample(conn, column, schema)
    if not values:
        return None
    kinds = {_kind_of(v) for v in values}
    if None in kinds:
        value = next(v for v in values if _kind_of(v) is None)
        raise _refuse(column, value, "holds values in no timestamp form the package reads")
    if TEXT in kinds and len(kinds) > 1:
        raise _refuse(column, values[0], "mixes text with numbers")
    if kinds <= {EPOCH_SECONDS, EPOCH_MILLISECONDS}:
        return _epoch_kind(conn, column, schema, dialect)
    if TEXT in kinds:
        if dialect == "sqlite" and naive_timezone != "UTC":
            raise AnalysisError(
                f"{TABLE}.{column} is SQLite text, whose offset-less times are read as UTC: "
                f"--naive-timezone {naive_timezone} can't apply to it. Drop the option, or "
                "take a DuckDB snapshot of the database and convert the column there"
            )
        return TEXT
    (kind,) = kinds  # AWARE or NAIVE: the engine's column type, the same for every row
    return kind


def _epoch_kind(conn: Connection, column: str, schema: str | None, dialect: str) -> str:
    """Epoch seconds or milliseconds, told by the smallest and largest value; refused when
    they disagree or (SQLite) text is mixed in."""
    table = _table(TABLE, [column], schema)
    c = table.c[column]
    low, high = _min_max(conn, c)
    kinds = {_kind_of(low), _kind_of(high)}
    if len(kinds) != 1 or None in kinds or TEXT in kinds:
        raise _refuse(
            column, high, "mixes epoch seconds, milliseconds or text, which can't be compared"
        )
    return kinds.pop()


def _column_types(conn: Connection, schema: str | None) -> dict[tuple[str, str], str]:
    """(table, column) → the type name the catalog gives, lower case (PostgreSQL and
    DuckDB; empty elsewhere)."""
    if conn.dialect.name not in ("postgresql", "duckdb"):
        return {}
    info = sa.table(
        "columns",
        sa.column("table_schema"),
        sa.column("table_name"),
        sa.column("column_name"),
        sa.column("data_type"),
        schema="information_schema",
    )
    tables = [TABLE, *ID_COLUMNS]
    query = sa.select(info.c.table_name, info.c.column_name, info.c.data_type).where(
        info.c.table_name.in_(tables)
    )
    query = query.where(info.c.table_schema == (schema or sa.func.current_schema()))
    return {(table, column): str(kind).lower() for table, column, kind in conn.execute(query)}


def _as_text(types: dict[tuple[str, str], str]) -> frozenset[str]:
    """Columns to compare as text: categories stored in another type (an enum), and every id
    column when some ids are text and others not (uuid compared with text)."""
    if not types:
        return frozenset()
    cast = {
        c for c in CATEGORY_COLUMNS if (TABLE, c) in types and types[(TABLE, c)] not in TEXT_TYPES
    }
    id_types = {
        types[(table, c)] for table, cs in ID_COLUMNS.items() for c in cs if (table, c) in types
    }
    if len(id_types) > 1:
        cast |= {c for cs in ID_COLUMNS.values() for c in cs}
    return frozenset(cast)


def detect(conn: Connection, schema: str | None = None, naive_timezone: str = "UTC") -> Storage:
    """How ``conn``'s source stores the request timestamps, categories and ids (the schema
    check has passed): a sample of each timestamp column, plus a scan of text ones for values
    in another form, and the catalog's column types."""
    check_zone(naive_timezone)
    present = _present(conn, schema)
    types = _column_types(conn, schema)
    times: dict[str, str] = {}
    for column in TIME_COLUMNS:
        if column not in present:
            continue
        kind = _time_kind(conn, column, schema, naive_timezone)
        times[column] = kind or _declared_kind(types.get((TABLE, column)), conn.dialect.name)
    # Text is checked whole where the engine's cast would fail on a bad value; SQLite's
    # queries stop at one themselves (``dialect.analysis_unreadable_time``), so there the
    # sample and the smallest and largest created_at (from its index) are enough.
    texts = [c for c, kind in times.items() if kind == TEXT]
    if conn.dialect.name == "sqlite":
        texts = [c for c in texts if c == "created_at"]
        extremes = _extremes(conn, texts, schema)
        for column, values in extremes.items():
            for value in values:
                if value is not None and _kind_of(value) != TEXT:
                    raise _refuse(column, value, "holds values in no timestamp form it can read")
        texts = []
    if texts:
        for column, (count, example) in _text_outliers(conn, texts, schema).items():
            if count:
                raise _refuse(
                    column, example, f"has {count} value(s) that are not ISO-8601 timestamps"
                )
    return Storage(times, naive_timezone, _as_text(types))


def _declared_kind(declared: str | None, dialect: str) -> str:
    """How an empty column is stored, from its declared type (the package's own storage
    when the catalog says nothing)."""
    if declared is None:
        return default_time(dialect)
    if declared in TEXT_TYPES:
        return TEXT
    if "without time zone" in declared or declared in ("timestamp", "timestamp_ns", "datetime"):
        return NAIVE
    if declared in ("bigint", "integer", "double precision", "numeric", "double", "real"):
        return EPOCH_SECONDS
    return AWARE


def _present(conn: Connection, schema: str | None) -> set[str]:
    probe = sa.select(sa.literal_column("*")).select_from(sa.table(TABLE, schema=schema))
    keys = set(conn.execute(probe.limit(0)).keys())
    return keys & {*TIME_COLUMNS, *OPTIONAL_COLUMNS.get(TABLE, ())}
