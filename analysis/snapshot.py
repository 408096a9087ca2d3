"""Local DuckDB snapshots of a live database: only the tables and columns the package reads,
optionally only one period's requests, with a record of where and when they were taken."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from tqdm import tqdm

from analysis import bulk, schema
from analysis.db import connect, describe_url, mask_url, read_frame, writable_engine
from analysis.errors import AnalysisError
from analysis.period import Period

CHUNK_ROWS = 100_000
INFO_TABLE = "analysis_snapshot"

info_metadata = sa.MetaData()
snapshot_info_table = sa.Table(
    INFO_TABLE,
    info_metadata,
    sa.Column("source", sa.Text, nullable=False),  # URL with the password masked
    sa.Column("taken_at", schema.UTCDateTime, nullable=False),
    sa.Column("period_start", sa.Date),
    sa.Column("period_end", sa.Date),
    sa.Column("timezone", sa.Text),
    sa.Column("row_counts", sa.Text),  # JSON: rows copied per table
)


def used_metadata() -> sa.MetaData:
    """The schema's tables reduced to ``USED_COLUMNS`` (indexes on kept columns kept)."""
    reduced = sa.MetaData()
    for name, columns in schema.USED_COLUMNS.items():
        table = schema.metadata.tables[name]
        copy = sa.Table(name, reduced, *(table.c[c]._copy() for c in columns))
        for index in table.indexes:
            if all(c.name in columns for c in index.columns):
                sa.Index(index.name, *(copy.c[c.name] for c in index.columns))
    return reduced


def _source_query(table: sa.Table, period: Period | None) -> sa.Select:
    query = sa.select(*(table.c[c] for c in schema.USED_COLUMNS[table.name]))
    if period is not None and table.name == "session_requests":
        query = query.where(
            table.c.created_at >= period.utc_start, table.c.created_at < period.utc_end
        )
    return query


def _copy_table(
    source: Connection, target: Connection, table: sa.Table, period: Period | None, progress: tqdm
) -> int:
    query = _source_query(table, period)
    total = source.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    progress.reset(total=total)
    progress.set_description(table.name)
    copied = 0
    result = source.execution_options(yield_per=CHUNK_ROWS).execute(query)
    for rows in result.partitions():
        frame = pd.DataFrame(rows, columns=list(result.keys()))
        copied += bulk.append(target, table, frame, None)
        progress.update(len(rows))
    return copied


def take_snapshot(
    source_url: str,
    target: Path,
    period: Period | None = None,
    source_schema: str | None = None,
    show_progress: bool = True,
) -> dict[str, int]:
    """Copy what the package reads from ``source_url`` (opened read-only) into a new DuckDB
    file at ``target``; rows copied per table. Written beside ``target`` and moved into place
    only when complete."""
    target = Path(target)
    if target.suffix != ".duckdb":
        raise AnalysisError(f"snapshot target {target} must be a .duckdb file")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.partial")
    staging.unlink(missing_ok=True)
    engine = writable_engine(f"duckdb:///{staging}")
    try:
        with connect(source_url, source_schema) as source, engine.begin() as out:
            reduced = used_metadata()
            bulk.create_tables(out, reduced, None)
            info_metadata.create_all(out)
            with tqdm(disable=not show_progress, unit=" rows", leave=False) as progress:
                counts = {
                    t.name: _copy_table(source, out, t, period, progress)
                    for t in reduced.sorted_tables
                }
            out.execute(
                snapshot_info_table.insert().values(
                    source=mask_url(source_url),
                    taken_at=datetime.now(UTC),
                    period_start=period.start if period else None,
                    period_end=period.end if period else None,
                    timezone=period.timezone if period else None,
                    row_counts=json.dumps(counts),
                )
            )
        engine.dispose()
        staging.replace(target)
        return counts
    finally:
        engine.dispose()
        staging.unlink(missing_ok=True)
        staging.with_name(staging.name + ".wal").unlink(missing_ok=True)


def snapshot_info(conn: Connection) -> dict[str, Any] | None:
    """The snapshot record of a database made by ``take_snapshot``, else None."""
    if INFO_TABLE not in sa.inspect(conn).get_table_names():
        return None
    frame = read_frame(conn, sa.select(*snapshot_info_table.c))
    return frame.iloc[0].to_dict() if len(frame) else None


def describe_source(conn: Connection, url: str) -> str:
    """How reports name their data: the database, or the snapshot and what it was taken of."""
    info = snapshot_info(conn)
    if info is None:
        return describe_url(url)
    taken = pd.Timestamp(info["taken_at"]).tz_convert(UTC)
    text = (
        f"snapshot ({describe_url(url)}) of {describe_url(info['source'])}, taken "
        f"{taken:%Y-%m-%d %H:%M} UTC"
    )
    if info["period_start"] is not None and not pd.isna(info["period_start"]):
        text += f", requests {info['period_start']} to {info['period_end']} only"
    return text


def snapshot_range(conn: Connection) -> tuple[date, date, str] | None:
    """The first and last local date and the time zone a period snapshot holds; None for a
    whole database or a whole-database snapshot."""
    info = snapshot_info(conn)
    if info is None or info["period_start"] is None or pd.isna(info["period_start"]):
        return None
    return _as_date(info["period_start"]), _as_date(info["period_end"]), str(info["timezone"])


def covers(held: tuple[date, date, str] | None, period: Period) -> bool:
    """Whether a source holding ``held`` (``snapshot_range``) can answer for ``period``."""
    if held is None:
        return True
    start, end, timezone = held
    return start <= period.start and period.end <= end and period.timezone == timezone


def check_coverage(conn: Connection, period: Period) -> None:
    """A period snapshot can't answer for dates outside the period it copied."""
    held = snapshot_range(conn)
    if held is not None and not covers(held, period):
        start, end, timezone = held
        raise AnalysisError(
            f"this snapshot holds requests from {start} to {end} ({timezone}) only, "
            f"not {period.start} to {period.end} ({period.timezone}): take a snapshot that "
            "covers the period, or report on the live database"
        )


def _as_date(value: Any) -> date:
    return pd.Timestamp(value).date()
