"""Request tables whose timestamps are stored the ways other tools store them: ISO-8601 text in
every common spelling, epoch numbers, naive and aware timestamps, on SQLite, DuckDB and
PostgreSQL; and the counts pandas gives for the same rows, to compare the findings with."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from analysis.investigation.queries import QueryRunner
from analysis.period import Period
from analysis.source import schema
from analysis.source.dialect import day_from_number
from analysis.source.engine import connect

TORONTO = ZoneInfo("America/Toronto")
# Three local days around the end of daylight-saving time (2 Nov 2025, 06:00 UTC).
PERIOD = Period.parse("2025-11-01", "2025-11-03", "America/Toronto")
DST_CHANGE = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
STATUSES = ("pending", "cancelled", "completed", "expired")
# The moments the property tests draw from: on and one second around every period edge and
# the daylight-saving change, plus others spread over the days around the period.
EDGES = (PERIOD.utc_start, PERIOD.utc_end, DST_CHANGE)
AROUND_EDGES = tuple(e + timedelta(seconds=s) for e in EDGES for s in (-1, 0, 1))


def _fraction(moment: datetime) -> str:
    return f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""


# Text formats: name → how a UTC moment is written.
TEXT_FORMATS: dict[str, Callable[[datetime], str]] = {
    # what SQLAlchemy writes
    "space_micro": lambda m: m.strftime("%Y-%m-%d %H:%M:%S.%f"),
    # what pandas.to_sql / sqlite3 write: no fraction when it is zero
    "space": lambda m: m.strftime("%Y-%m-%d %H:%M:%S") + _fraction(m),
    "t_utc_offset": lambda m: m.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(m) + "+00:00",
    "z": lambda m: m.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(m) + "Z",
    # local wall-clock time with its offset (-04:00 / -05:00 across the DST change)
    "local_offset": lambda m: m.astimezone(TORONTO).isoformat(),
}
NUMBER_FORMATS: dict[str, Callable[[datetime], int | float]] = {
    "epoch_seconds": lambda m: int(m.timestamp()),
    "epoch_milliseconds": lambda m: round(m.timestamp() * 1000),
}


def requests_frame(moments: list[datetime], statuses: list[str]) -> pd.DataFrame:
    """Requests created at ``moments`` (UTC) with ``statuses``; a third accepted a minute
    after they were made."""
    n = len(moments)
    accepted = [m + timedelta(minutes=1) if i % 3 == 0 else None for i, m in enumerate(moments)]
    return pd.DataFrame(
        {
            "id": [str(uuid.uuid4()) for _ in range(n)],
            "created_at": moments,
            "customer_id": [str(uuid.uuid4()) for _ in range(n)],
            "customer_email": [f"c{i}@example.org" for i in range(n)],
            "mechanic_id": [str(uuid.uuid4()) if a else None for a in accepted],
            "session_type": ["chat"] * n,
            "status": statuses,
            "accepted_at": accepted,
            "workshop_id": [None] * n,
            "preferred_workshop_id": [None] * n,
            "routing_type": ["broadcast"] * n,
        }
    )


def expected_counts(frame: pd.DataFrame, period: Period = PERIOD) -> dict[str, object]:
    """What the findings must say, by pandas: requests per status in the period and per local
    day, and how many were accepted."""
    created = pd.to_datetime(frame["created_at"], utc=True)
    inside = frame[(created >= period.utc_start) & (created < period.utc_end)]
    local_day = pd.to_datetime(inside["created_at"], utc=True).dt.tz_convert(period.timezone)
    return {
        "status": inside["status"].value_counts().to_dict(),
        "daily": local_day.dt.date.value_counts().to_dict(),
        "accepted": int(inside["accepted_at"].notna().sum()),
    }


def store(
    url: str,
    frame: pd.DataFrame,
    time_type: str,
    write: Callable[[datetime], object] | None = None,
    schema_name: str | None = None,
) -> None:
    """The package's tables on ``url`` with ``session_requests`` declared by hand: its
    timestamps of SQL type ``time_type``, written by ``write`` (None: as datetimes)."""
    engine = sa.create_engine(url)
    tables = [t for t in schema.metadata.sorted_tables if t.name != "session_requests"]
    prefix = f'"{schema_name}".' if schema_name else ""
    try:
        with engine.begin() as conn:
            if schema_name:
                conn.execute(sa.schema.CreateSchema(schema_name, if_not_exists=True))
            schema.metadata.create_all(
                conn.execution_options(schema_translate_map={None: schema_name}), tables=tables
            )
            conn.execute(
                sa.text(
                    f"CREATE TABLE {prefix}session_requests (id TEXT, created_at {time_type}, "
                    "customer_id TEXT, customer_email TEXT, mechanic_id TEXT, session_type TEXT, "
                    f"status TEXT, accepted_at {time_type}, workshop_id TEXT, "
                    "preferred_workshop_id TEXT, routing_type TEXT)"
                )
            )
            conn.execute(
                sa.text(f"CREATE INDEX ix_created ON {prefix}session_requests (created_at)")
            )
            rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
            for row in rows:
                for column in ("created_at", "accepted_at"):
                    if row[column] is not None and write is not None:
                        row[column] = write(row[column])
            if rows:
                columns = ", ".join(frame.columns)
                values = ", ".join(f":{c}" for c in frame.columns)
                conn.execute(
                    sa.text(f"INSERT INTO {prefix}session_requests ({columns}) VALUES ({values})"),
                    rows,
                )
    finally:
        engine.dispose()


def found_counts(
    url: str, schema_name: str | None = None, naive_timezone: str | None = None
) -> dict[str, object]:
    """The same figures from the package's queries (what the findings are made of)."""
    with connect(url, schema_name, naive_timezone) as conn:
        run = QueryRunner(conn)
        cube = run("request_cube", PERIOD)
        daily = run("daily_status_counts", PERIOD)
        response = run("response_summary", PERIOD)
    days = daily.groupby("day_number")["requests"].sum()
    return {
        "status": {k: int(v) for k, v in cube.groupby("status")["requests"].sum().items()},
        "daily": {day_from_number(k): int(v) for k, v in days.items()},
        "accepted": int(response["count"].iloc[0]),
    }
