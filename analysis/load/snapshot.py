"""Local DuckDB snapshots of a live database: only the tables and columns the package reads
(the optional ones too, where the source has them), optionally only one period's requests,
with a record of where and when they were taken (read back by ``analysis.source.provenance``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from tqdm import tqdm

from analysis.errors import AnalysisError
from analysis.load import bulk
from analysis.load.bulk import writable_engine
from analysis.period import Period
from analysis.source import schema
from analysis.source.dialect import in_time_range, utc_moment
from analysis.source.engine import connect
from analysis.source.inspection import optional_columns
from analysis.source.provenance import info_metadata, snapshot_info_table
from analysis.source.storage import TIME_COLUMNS
from analysis.source.urls import mask_url

CHUNK_ROWS = 100_000


def copied_columns(optional: frozenset[str] = frozenset()) -> dict[str, tuple[str, ...]]:
    """``USED_COLUMNS`` plus the ``OPTIONAL_COLUMNS`` named in ``optional`` (those the source
    has), per table."""
    return {
        name: used + tuple(c for c in schema.OPTIONAL_COLUMNS.get(name, ()) if c in optional)
        for name, used in schema.USED_COLUMNS.items()
    }


def used_metadata(optional: frozenset[str] = frozenset()) -> sa.MetaData:
    """The schema's tables reduced to ``copied_columns`` (indexes on kept columns kept)."""
    reduced = sa.MetaData()
    for name, columns in copied_columns(optional).items():
        table = schema.metadata.tables[name]
        copy = sa.Table(name, reduced, *(table.c[c]._copy() for c in columns))
        for index in table.indexes:
            if all(c.name in columns for c in index.columns):
                sa.Index(index.name, *(copy.c[c.name] for c in index.columns))
    return reduced


def _source_query(table: sa.Table, period: Period | None) -> sa.Select:
    """The rows to copy; the request timestamps read as UTC moments however the source
    stores them (``analysis.source.storage``), so the snapshot holds real timestamps."""
    if table.name != "session_requests":
        return sa.select(*table.c)  # ``table`` is reduced to the columns copied
    columns = [utc_moment(c).label(c.name) if c.name in TIME_COLUMNS else c for c in table.c]
    query = sa.select(*columns)
    if period is not None:
        query = query.where(in_time_range(table.c.created_at, period.utc_start, period.utc_end))
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
            reduced = used_metadata(optional_columns(source))
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
