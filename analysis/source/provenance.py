"""What a snapshot holds: the record ``python -m analysis snapshot`` leaves in the DuckDB file it
writes (``analysis.load.snapshot``), read here so reports can name their source and refuse
dates the snapshot doesn't cover."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.errors import AnalysisError
from analysis.period import Period
from analysis.source.engine import read_frame
from analysis.source.schema import UTCDateTime
from analysis.source.urls import describe_url

INFO_TABLE = "analysis_snapshot"

info_metadata = sa.MetaData()
snapshot_info_table = sa.Table(
    INFO_TABLE,
    info_metadata,
    sa.Column("source", sa.Text, nullable=False),  # URL with every secret masked
    sa.Column("taken_at", UTCDateTime, nullable=False),
    sa.Column("period_start", sa.Date),
    sa.Column("period_end", sa.Date),
    sa.Column("timezone", sa.Text),
    sa.Column("row_counts", sa.Text),  # JSON: rows copied per table
)


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
