"""Time patterns: the weekday × hour grid in local time, and never-assigned waits."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from rows import at
from rows import cancelled_request as request

from analysis.domain import EXPIRY_MINUTES
from analysis.investigation import queries, timing
from analysis.period import Period
from analysis.source.engine import connect, read_frame


def test_hour_weekday_in_local_time_across_a_dst_change(make_db) -> None:
    """Toronto leaves daylight saving at 06:00 UTC on Sunday 2 Nov 2025."""
    rows = {
        "session_requests": [
            request("sat", created_at=at("2025-11-01 13:30")),  # Sat 09:30 EDT
            request("sun-edt", created_at=at("2025-11-02 05:30")),  # Sun 01:30 EDT
            request("sun-est", created_at=at("2025-11-02 06:30")),  # Sun 01:30 EST
            request("mon", created_at=at("2025-11-03 14:30")),  # Mon 09:30 EST
            request("before", created_at=at("2025-11-01 03:59")),  # Fri 23:59 EDT: outside
        ]
    }
    period = Period.parse("2025-11-01", "2025-11-03", "America/Toronto")
    with connect(make_db(rows)) as conn:
        counts = read_frame(conn, queries.hour_weekday_counts(period))
    grid = timing.hour_weekday_matrix(counts)
    assert grid.shape == (7, 24)
    assert grid.loc["Sat", 9] == 1 and grid.loc["Sun", 1] == 2 and grid.loc["Mon", 9] == 1
    assert int(grid.to_numpy().sum()) == 4
    assert timing.busiest_slots(grid, 2) == [("Sun", 1, 2), ("Mon", 9, 1)]


def test_unassigned_waits_say_what_is_known() -> None:
    now = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
    rows = pd.DataFrame(
        {
            "status": ["cancelled", "expired", "pending", "pending2"],
            "requests": [5, 2, 1, 1],
            "first_at": [at("2025-11-01 00:00")] * 2 + [at("2025-11-03 11:00")] * 2,
            "last_at": [at("2025-11-02 00:00")] * 2 + [at("2025-11-03 11:30")] * 2,
        }
    )
    w = timing.unassigned_waits(rows, now).set_index("status")
    assert pd.isna(w.loc["cancelled", "min_wait_minutes"])
    assert w.loc["expired", "max_wait_minutes"] == EXPIRY_MINUTES
    assert (w.loc["pending", "min_wait_minutes"], w.loc["pending", "max_wait_minutes"]) == (
        30.0,
        60.0,
    )
    assert not w.loc["pending", "past_expiry"]
    assert pd.isna(w.loc["pending2", "min_wait_minutes"])  # an unknown status: nothing known


def test_pending_past_the_expiry_is_flagged() -> None:
    now = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
    rows = pd.DataFrame(
        {
            "status": ["pending"],
            "requests": [2],
            "first_at": [at("2025-11-03 06:00")],
            "last_at": [at("2025-11-03 09:00")],
        }
    )
    assert timing.unassigned_waits(rows, now)["past_expiry"].tolist() == [True]
