"""Time patterns: requests by local hour and weekday, and how long never-assigned requests waited.

There is no ``cancelled_at`` column, so a cancelled request's waiting time is not recorded;
what can be said comes from SCHEMA.md's cleanup rule (pending unassigned requests expire
after ``EXPIRY_MINUTES``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from analysis.domain import EXPIRED, EXPIRY_MINUTES, MISSING_STATUS, PENDING

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(range(24))


def hour_weekday_matrix(counts: pd.DataFrame) -> pd.DataFrame:
    """Requests as a weekday × hour grid, zeros filled in.

    ``counts``: weekday (0 = Monday), hour, requests (``queries.hour_weekday_counts``).
    Returns a 7 × 24 frame indexed by ``WEEKDAYS`` with columns 0–23.
    """
    grid = pd.DataFrame(0, index=range(7), columns=list(HOURS), dtype=int)
    for weekday, hour, n in zip(counts["weekday"], counts["hour"], counts["requests"], strict=True):
        grid.loc[int(weekday), int(hour)] += int(n)
    grid.index = pd.Index(WEEKDAYS, name="weekday")
    grid.columns.name = "hour"
    return grid


def busiest_slots(grid: pd.DataFrame, n: int = 3) -> list[tuple[str, int, int]]:
    """The ``n`` busiest (weekday, hour, requests) cells, ties by weekday then hour."""
    cells = [(d, int(h), int(grid.loc[d, h])) for d in grid.index for h in grid.columns]
    cells = [c for c in cells if c[2] > 0]
    order = {d: i for i, d in enumerate(grid.index)}
    return sorted(cells, key=lambda c: (-c[2], order[c[0]], c[1]))[:n]


def unassigned_waits(rows: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """What is known about how long never-assigned requests waited, per status.

    ``rows``: status, requests, first_at, last_at (UTC; ``queries.unassigned_waits``);
    ``now``: the moment waits are measured to (UTC): the period's end, or when the data was
    read if the period has not ended, so a past period's figures never change. Returns
    status, requests, min_wait_minutes and max_wait_minutes (None when the data cannot say;
    for pending requests the time they have been waiting so far, for expired ones the
    cleanup rule's ``EXPIRY_MINUTES``) and past_expiry (pending requests waiting longer than
    the cleanup rule allows: the job did not expire them).
    """
    out = []
    for r in rows.itertuples(index=False):
        status = MISSING_STATUS if pd.isna(r.status) else str(r.status)
        low, high = _wait(status, r.first_at, r.last_at, now)
        past_expiry = status == PENDING and low is not None and low > EXPIRY_MINUTES
        out.append((status, int(r.requests), low, high, past_expiry))
    columns = ["status", "requests", "min_wait_minutes", "max_wait_minutes", "past_expiry"]
    table = pd.DataFrame(out, columns=columns)
    return table.sort_values(["requests", "status"], ascending=[False, True], ignore_index=True)


def _wait(status: str, first_at: Any, last_at: Any, now: datetime) -> tuple[float | None, ...]:
    if status == PENDING:
        newest = round((now - pd.Timestamp(last_at).to_pydatetime()).total_seconds() / 60, 2)
        oldest = round((now - pd.Timestamp(first_at).to_pydatetime()).total_seconds() / 60, 2)
        return newest, oldest
    if status == EXPIRED:
        return float(EXPIRY_MINUTES), float(EXPIRY_MINUTES)
    return None, None
