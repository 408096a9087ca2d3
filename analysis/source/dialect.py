"""Everything dialect-specific, in one place: SQL constructs compiled per database.

Only three things differ between SQLite, PostgreSQL and DuckDB for this analysis: turning a
timestamp into epoch seconds, flooring a number, and taking a median. Local dates are built
from those with portable SQL (a CASE over the period's UTC offsets), so every engine groups
identically.
"""

from __future__ import annotations

import sqlite3
import statistics
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SECONDS_PER_DAY = 86_400
EPOCH_DATE = date(1970, 1, 1)


class epoch_seconds(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a timestamp, with fractions."""

    type = sa.Float()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # DuckDB (and any other engine with SQL-standard EXTRACT)
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"
    )


@compiles(epoch_seconds, "postgresql")
def _epoch_postgres(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # EXTRACT returns numeric since PostgreSQL 14, slow to compute with; date_part() still
    # returns double precision (about a third faster over a year of requests).
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "hive")
def _epoch_spark(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Spark SQL (the ``hive://`` dialect, through the Thrift Server): EXTRACT(EPOCH …) is a
    # syntax error there; unix_micros() keeps the microseconds.
    return f"CAST(unix_micros({compiler.process(element.clauses, **kw)}) AS DOUBLE) / 1000000.0"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday() parses SQLite's stored text and keeps fractional seconds, but its float
    # lands microseconds off whole seconds (local midnight would floor to the day before):
    # rounding to the millisecond restores them.
    moment = compiler.process(element.clauses, **kw)
    return f"ROUND((julianday({moment}) - 2440587.5) * 86400.0, 3)"


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
            (moment < start, offset)
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
