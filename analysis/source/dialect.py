"""Everything dialect-specific, in one place: SQL constructs compiled per database.

What differs between SQLite, PostgreSQL and DuckDB for this analysis: turning a timestamp
into epoch seconds, comparing it with the period's bounds, flooring a number, taking a
median, and reading enum or uuid columns as text. Local dates are built from those with
portable SQL (a CASE over the period's UTC offsets), so every engine groups identically.

How a source stores its timestamps and ids is found once per connection
(``analysis.source.storage``) and kept on the engine's dialect, like the server version a
dialect detects when it first connects (``attach_storage``); the constructs below compile to
the SQL that reads that storage correctly. Each engine's SQL is one function per construct,
registered for that dialect's name: another engine gets its own functions beside them.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SECONDS_PER_DAY = 86_400
EPOCH_DATE = date(1970, 1, 1)

# How a timestamp column is stored (``Storage.times``):
AWARE = "timestamp with time zone"  # real timestamps that carry their zone: compared as they are
NAIVE = "timestamp without time zone"  # read as wall-clock time in ``Storage.naive_timezone``
TEXT = "ISO-8601 text"  # any ISO-8601 spelling; no offset: ``naive_timezone`` (UTC on SQLite)
EPOCH_SECONDS = "epoch seconds"  # numbers since 1970-01-01 UTC
EPOCH_MILLISECONDS = "epoch milliseconds"
# An ISO-8601 text ends with an offset when it matches this (PostgreSQL and DuckDB regex).
OFFSET_SUFFIX = r"(Z|[+-][0-9][0-9](:?[0-9][0-9])?)$"
# The widest UTC offset in use (Kiribati, +14:00): text times sort by local date within it.
MAX_OFFSET = timedelta(hours=14)


@dataclass(frozen=True)
class Storage:
    """How a source stores what the queries read, found by ``analysis.source.storage``.

    ``times``: column name → how that timestamp column is stored (``AWARE``, ``NAIVE``,
    ``TEXT``, ``EPOCH_SECONDS``, ``EPOCH_MILLISECONDS``); a column not named is stored as the
    package writes it (``default_time``). ``naive_timezone``: the zone naive timestamps are
    wall-clock time in. ``as_text``: columns compared and grouped as text (enum or uuid
    columns where ids of other tables are text). Column names are those of
    ``session_requests`` and the tables joined to it, which share no timestamp names that
    are stored differently in the package's own databases.
    """

    times: Mapping[str, str] = field(default_factory=dict)
    naive_timezone: str = "UTC"
    as_text: frozenset[str] = frozenset()

    def time_kind(self, column: str | None, dialect: str) -> str:
        return self.times.get(column or "", default_time(dialect))


def default_time(dialect: str) -> str:
    """How the package itself stores timestamps on ``dialect`` (SQLAlchemy writes ISO text to
    SQLite)."""
    return TEXT if dialect == "sqlite" else AWARE


_STORAGE = "analysis_storage"


def attach_storage(dialect: Dialect, storage: Storage) -> None:
    """Compile this engine's statements for ``storage``. The engine's dialect (one per engine)
    carries it, so statements compiled and cached for this engine fit its source."""
    setattr(dialect, _STORAGE, storage)


def storage_of(dialect: Dialect) -> Storage:
    """The storage attached to ``dialect``; the package's own (``default_time``) if none."""
    return getattr(dialect, _STORAGE, None) or Storage()


def _column_name(element: sa.ColumnElement[Any]) -> str | None:
    return getattr(element, "name", None)


def _kind(compiler: SQLCompiler, column: sa.ColumnElement[Any]) -> tuple[str, str]:
    storage = storage_of(compiler.dialect)
    return storage.time_kind(_column_name(column), compiler.dialect.name), storage.naive_timezone


def _zone_literal(zone: str) -> str:
    return "'" + zone.replace("'", "''") + "'"


def _only(element: FunctionElement[Any]) -> sa.ColumnElement[Any]:
    (column,) = element.clauses
    return column


class epoch_seconds(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a timestamp column, with fractions, however the source
    stores it (``Storage``)."""

    type = sa.Float()
    inherit_cache = True


def _epoch_of_number(sql: str, kind: str) -> str:
    seconds = f"CAST({sql} AS DOUBLE PRECISION)"
    return f"({seconds} / 1000.0)" if kind == EPOCH_MILLISECONDS else seconds


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # DuckDB (and any other engine with SQL-standard EXTRACT and DuckDB's time zone functions)
    kind, zone = _kind(compiler, _only(element))
    sql = compiler.process(element.clauses, **kw)
    if kind in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        return _epoch_of_number(sql, kind)
    if kind == NAIVE and zone != "UTC":
        sql = f"timezone({_zone_literal(zone)}, {sql})"
    elif kind == TEXT:
        # TIMESTAMPTZ honours an offset; without one, the text is wall-clock time in the naive
        # zone (never the session's TimeZone).
        naive = f"CAST({sql} AS TIMESTAMP)"
        if zone != "UTC":
            naive = f"timezone({_zone_literal(zone)}, {naive})"
        sql = (
            f"CASE WHEN regexp_matches({sql}, '{OFFSET_SUFFIX}') "
            f"THEN CAST({sql} AS TIMESTAMPTZ) ELSE {naive} END"
        )
    # EXTRACT of a naive TIMESTAMP reads it as UTC, whatever the session's TimeZone.
    return f"CAST(EXTRACT(EPOCH FROM {sql}) AS DOUBLE PRECISION)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgres(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # EXTRACT returns numeric since PostgreSQL 14, slow to compute with; date_part() still
    # returns double precision (about a third faster over a year of requests). date_part of a
    # timestamp without time zone counts from 1970-01-01 00:00 of the same wall clock: UTC,
    # whatever the session's TimeZone.
    kind, zone = _kind(compiler, _only(element))
    sql = compiler.process(element.clauses, **kw)
    if kind in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        return _epoch_of_number(sql, kind)
    if kind == NAIVE and zone != "UTC":
        sql = f"({sql} AT TIME ZONE {_zone_literal(zone)})"
    elif kind == TEXT:
        naive = f"CAST({sql} AS TIMESTAMP)"
        if zone != "UTC":
            naive = f"({naive} AT TIME ZONE {_zone_literal(zone)})"
        sql = (
            f"CASE WHEN {sql} ~ '{OFFSET_SUFFIX}' THEN date_part('epoch', CAST({sql} AS "
            f"TIMESTAMPTZ)) ELSE date_part('epoch', {naive}) END"
        )
        return f"({sql})"
    return f"date_part('epoch', {sql})"


@compiles(epoch_seconds, "hive")
def _epoch_spark(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Spark SQL (the ``hive://`` dialect, through the Thrift Server): EXTRACT(EPOCH …) is a
    # syntax error there; unix_micros() keeps the microseconds. The session runs in UTC
    # (``spark.py``), so a TIMESTAMP (which PyHive hands back naive: ``NAIVE``) and text
    # without an offset read as UTC; to_utc_timestamp() reads them in another naive zone.
    kind, zone = _kind(compiler, _only(element))
    sql = compiler.process(element.clauses, **kw)
    if kind in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        seconds = f"CAST({sql} AS DOUBLE)"
        return f"({seconds} / 1000.0)" if kind == EPOCH_MILLISECONDS else seconds
    if kind == TEXT:
        naive = f"CAST({sql} AS TIMESTAMP)"
        if zone != "UTC":
            naive = f"to_utc_timestamp({naive}, {_zone_literal(zone)})"
        sql = (
            f"CASE WHEN {sql} RLIKE '{OFFSET_SUFFIX}' THEN CAST({sql} AS TIMESTAMP) "
            f"ELSE {naive} END"
        )
    elif kind == NAIVE and zone != "UTC":
        sql = f"to_utc_timestamp({sql}, {_zone_literal(zone)})"
    return f"CAST(unix_micros({sql}) AS DOUBLE) / 1000000.0"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday() parses every ISO-8601 spelling (space or T, fractions, Z, ±HH:MM: converted
    # to UTC; none: UTC) and keeps fractional seconds, but its float lands microseconds off
    # whole seconds (local midnight would floor to the day before): rounding to the
    # millisecond restores them.
    # Text julianday() can't read stops the query (``analysis_unreadable_time`` raises)
    # rather than drop out of every count.
    kind, _ = _kind(compiler, _only(element))
    moment = compiler.process(element.clauses, **kw)
    if kind in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        return _epoch_of_number(moment, kind)
    return (
        f"COALESCE(ROUND((julianday({moment}) - 2440587.5) * 86400.0, 3), "
        f"analysis_unreadable_time({moment}))"
    )


class in_time_range(FunctionElement[bool]):
    """``start <= column < end`` for a timestamp column however it is stored (``Storage``);
    either bound may be None (unbounded). Bounds are aware datetimes.

    Index-friendly wherever it can be: the column itself is compared with bounds converted to
    its storage (naive wall-clock time, epoch numbers); ISO-8601 text on SQLite is first
    narrowed by its date prefix (which sorts with the text) and then compared in epoch
    seconds. The bounds become new bound parameters at compile time, so statements holding
    this are compiled per execution, never cached.
    """

    type = sa.Boolean()
    inherit_cache = False

    def __init__(
        self, column: sa.ColumnElement[Any], start: datetime | None, end: datetime | None
    ) -> None:
        super().__init__(column)
        self.start, self.end = start, end
        # The condition built per storage, kept so that every place the statement repeats
        # this element (a SELECT expression and its GROUP BY) binds the same parameters.
        self.built: dict[tuple[str, str, str], sa.ColumnElement[bool]] = {}


def _bounds(column: sa.ColumnElement[Any], start: Any, end: Any) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _epoch(moment: datetime | None) -> Any:
    return None if moment is None else sa.literal(moment.timestamp(), sa.Float())


@compiles(in_time_range)
def _in_time_range(element: in_time_range, compiler: SQLCompiler, **kw: Any) -> str:
    column = _only(element)
    kind, zone = _kind(compiler, column)
    key = (compiler.dialect.name, kind, zone)
    if key not in element.built:
        element.built[key] = _time_range(compiler.dialect.name, column, kind, zone, element)
    return compiler.process(element.built[key], **kw)


def _time_range(
    dialect: str, column: sa.ColumnElement[Any], kind: str, zone: str, element: in_time_range
) -> sa.ColumnElement[bool]:
    start, end = element.start, element.end
    if kind == AWARE:
        conditions = _bounds(column, start, end)
    elif kind == NAIVE:
        tz = ZoneInfo(zone)

        def wall(moment: datetime | None) -> Any:
            if moment is None:
                return None
            return sa.literal(moment.astimezone(tz).replace(tzinfo=None), sa.DateTime())

        conditions = _bounds(column, wall(start), wall(end))
    elif kind in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        scale = 1000 if kind == EPOCH_MILLISECONDS else 1

        def number(moment: datetime | None) -> Any:
            return None if moment is None else sa.literal(moment.timestamp() * scale, sa.Float())

        conditions = _bounds(column, number(start), number(end))
    else:  # TEXT
        conditions = []
        if dialect == "sqlite":
            # Every ISO-8601 spelling begins with its local date, within MAX_OFFSET of UTC.
            def day(moment: datetime | None, shift: timedelta) -> Any:
                if moment is None:
                    return None
                return sa.literal((moment + shift).astimezone(UTC).date().isoformat(), sa.Text())

            conditions += _bounds(
                column, day(start, -MAX_OFFSET), day(end, MAX_OFFSET + timedelta(days=1))
            )
        conditions += _bounds(epoch_seconds(column), _epoch(start), _epoch(end))
    return sa.and_(sa.true(), *conditions)


class sortable(FunctionElement[Any]):
    """A timestamp column in a form that sorts and compares as time (for min, max, equality,
    ORDER BY): the column itself, or its epoch seconds for text."""

    inherit_cache = True


@compiles(sortable)
def _sortable(element: sortable, compiler: SQLCompiler, **kw: Any) -> str:
    column = _only(element)
    kind, _ = _kind(compiler, column)
    if kind == TEXT:
        return compiler.process(epoch_seconds(column), **kw)
    return compiler.process(column, **kw)


def time_before(
    earlier: sa.ColumnElement[Any], later: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    """``earlier < later`` for two timestamp columns, however each is stored."""
    return epoch_seconds(earlier) < epoch_seconds(later)


class UTCMoment(sa.types.TypeDecorator[datetime]):
    """A result that is a moment: an aware datetime, epoch seconds or (SQLite) UTC text, as
    the driver gives it (no processing of its own); always UTC-aware in Python."""

    impl = sa.types.NullType
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, str):  # SQLite's UTC text
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return datetime.fromtimestamp(round(float(value), 6), UTC)


class utc_moment(FunctionElement[datetime]):
    """A timestamp column's value as a UTC-aware datetime in Python, however it is stored."""

    type = UTCMoment()
    inherit_cache = True


@compiles(utc_moment)
def _utc_moment(element: utc_moment, compiler: SQLCompiler, **kw: Any) -> str:
    column = _only(element)
    kind, _ = _kind(compiler, column)
    if kind == AWARE:
        return compiler.process(column, **kw)
    return compiler.process(epoch_seconds(column), **kw)


@compiles(utc_moment, "sqlite")
def _utc_moment_sqlite(element: utc_moment, compiler: SQLCompiler, **kw: Any) -> str:
    # Text keeps its microseconds (julianday keeps milliseconds): UTC text without a
    # suffix, which sorts as time (min, max) and Python parses. Only text with a ±HH:MM
    # offset needs converting, by a Python function (``_utc_text``); Z is UTC already.
    column = _only(element)
    kind, _ = _kind(compiler, column)
    if kind != TEXT:
        return compiler.process(epoch_seconds(column), **kw)
    sql = compiler.process(column, **kw)
    return (
        f"CASE WHEN substr({sql}, -6, 1) IN ('+', '-') AND substr({sql}, -3, 1) = ':' "
        f"THEN analysis_utc_text({sql}) ELSE replace(rtrim({sql}, 'Zz'), 'T', ' ') END"
    )


# The last value ``analysis_unreadable_time`` refused (SQLite reports only that a function
# raised): read by the engine's error handler to name it.
UNREADABLE: list[object] = []
UNREADABLE_SIGN = "user-defined function raised exception"


def _unreadable_time(value: object) -> None:
    """SQLite's ``analysis_unreadable_time``: NULL for NULL; any other value is a timestamp
    julianday() could not read, which stops the query."""
    if value is None:
        return None
    UNREADABLE[:] = [value]
    raise ValueError(f"unreadable timestamp {value!r}")


def _utc_text(value: str | None) -> str | None:
    """ISO-8601 text with an offset as UTC text without one (SQLite's ``analysis_utc_text``)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ")


class as_text(FunctionElement[str]):
    """A categorical or id column as text: cast where the source stores it as an enum or a
    uuid that is compared with text (``Storage.as_text``), the column itself elsewhere."""

    type = sa.Text()
    inherit_cache = True


@compiles(as_text)
def _as_text(element: as_text, compiler: SQLCompiler, **kw: Any) -> str:
    column = _only(element)
    sql = compiler.process(column, **kw)
    if _column_name(column) in storage_of(compiler.dialect).as_text:
        return f"CAST({sql} AS TEXT)"
    return sql


class floor_int(FunctionElement[int]):
    """The largest integer not above a number."""

    type = sa.Integer()
    inherit_cache = True


@compiles(floor_int)
def _floor_default(element: floor_int, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(floor_int, "sqlite")
def _floor_sqlite(element: floor_int, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite may lack FLOOR(); CAST truncates toward zero, i.e. floors for the non-negative
    # epoch values (dates after 1970) this is used on.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


def minutes_between(
    earlier: sa.ColumnElement[Any], later: sa.ColumnElement[Any]
) -> sa.ColumnElement[float]:
    """``later - earlier`` in minutes (fractional)."""
    return (epoch_seconds(later) - epoch_seconds(earlier)) / 60.0


def local_epoch_seconds(
    moment: sa.ColumnElement[Any], offsets: list[tuple[datetime, int]]
) -> sa.ColumnElement[float]:
    """Epoch seconds of ``moment`` shifted into local wall-clock time.

    ``offsets`` are a period's ``(from_utc, offset_seconds)`` pairs (see ``Period.utc_offsets``);
    a CASE picks the offset in force, so daylight-saving changes are honoured on every engine.
    """
    if len(offsets) == 1:
        shift: sa.ColumnElement[Any] = sa.literal(offsets[0][1])
    else:
        whens = [
            (in_time_range(moment, None, start), offset)
            for (start, _), (_, offset) in zip(offsets[1:], offsets[:-1], strict=True)
        ]
        shift = sa.case(*whens, else_=offsets[-1][1])
    return epoch_seconds(moment) + shift


def local_day_number(
    moment: sa.ColumnElement[Any], offsets: list[tuple[datetime, int]]
) -> sa.ColumnElement[int]:
    """Days since 1970-01-01 of ``moment``'s local calendar date (see ``day_from_number``)."""
    return floor_int(local_epoch_seconds(moment, offsets) / SECONDS_PER_DAY)


def day_from_number(number: int) -> date:
    return EPOCH_DATE + timedelta(days=int(number))


class median(FunctionElement[float]):
    """The median of a column (NULLs ignored; the mean of the middle two for an even count)."""

    type = sa.Float()
    inherit_cache = True


@compiles(median)
def _median_postgres(element: median, compiler: SQLCompiler, **kw: Any) -> str:
    values = compiler.process(element.clauses, **kw)
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {values})"


@compiles(median, "duckdb")
@compiles(median, "sqlite")
def _median_native(element: median, compiler: SQLCompiler, **kw: Any) -> str:
    # DuckDB has median(); SQLite gets one from register_sqlite_functions.
    return f"median({compiler.process(element.clauses, **kw)})"


class _SQLiteMedian:
    """SQLite aggregate ``median(x)``: SQLite has no percentile function of its own."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Add the functions the package's SQL needs to a SQLite connection."""
    connection.create_aggregate("median", 1, _SQLiteMedian)  # type: ignore[arg-type]
    connection.create_function("analysis_utc_text", 1, _utc_text, deterministic=True)
    connection.create_function("analysis_unreadable_time", 1, _unreadable_time, deterministic=True)


def bucket(value: sa.ColumnElement[Any], edges: tuple[float, ...]) -> sa.ColumnElement[int]:
    """The index ``i`` of the bin ``edges[i] <= value < edges[i + 1]`` (last bin open)."""
    return sa.case(*[(value < upper, i) for i, upper in enumerate(edges[1:])], else_=len(edges) - 1)


def computed_once(query: sa.Select, name: str) -> sa.CTE:
    """``query`` as a CTE whose expressions are computed once per row.

    PostgreSQL inlines a single-use CTE and would then re-evaluate its expressions wherever
    the outer query repeats them (every CASE of an aggregate), and DuckDB may inline one used
    by several branches of a UNION; ``MATERIALIZED`` prevents both. SQLite already computes
    such CTEs once.
    """
    cte = query.cte(name)
    for dialect in ("postgresql", "duckdb"):
        cte = cte.prefix_with("MATERIALIZED", dialect=dialect)
    return cte
