"""Timestamps however they are stored: every ISO-8601 spelling and epoch numbers on SQLite,
naive and aware timestamps on DuckDB under another session time zone, give the counts pandas
gives for the same rows (property-based, rows on and one second around every edge and a
daylight-saving change); a column in no readable form is refused, naming it."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stored import (
    AROUND_EDGES,
    DST_CHANGE,
    NUMBER_FORMATS,
    PERIOD,
    STATUSES,
    TEXT_FORMATS,
    expected_counts,
    found_counts,
    requests_frame,
    store,
)

from analysis.errors import AnalysisError
from analysis.source.dialect import EPOCH_MILLISECONDS, EPOCH_SECONDS, NAIVE, TEXT
from analysis.source.engine import connect
from analysis.source.storage import detect

SPREAD_FROM = PERIOD.utc_start - timedelta(days=1)
SPREAD_SECONDS = int((PERIOD.utc_end - PERIOD.utc_start).total_seconds()) + 2 * 86_400

moments = st.one_of(
    st.sampled_from(AROUND_EDGES),
    st.integers(0, SPREAD_SECONDS).map(lambda s: SPREAD_FROM + timedelta(seconds=s)),
)
fraction = st.sampled_from([0, 0, 500_000, 123_456])
requests = st.lists(st.tuples(moments, fraction, st.sampled_from(STATUSES)), max_size=25)
FAST = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _frame(drawn: list[tuple[datetime, int, str]], whole_seconds: bool):
    stamps = [m if whole_seconds else m.replace(microsecond=f) for m, f, _ in drawn]
    return requests_frame(stamps, [s for _, _, s in drawn])


@pytest.fixture
def other_process_zone():
    """The process's time zone set to one far from UTC (DuckDB takes its session zone
    from it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("name", sorted(TEXT_FORMATS) + sorted(NUMBER_FORMATS))
@FAST
@given(drawn=requests)
def test_sqlite_text_and_epochs_count_like_pandas(
    tmp_path: Path, other_process_zone, name: str, drawn
) -> None:
    whole = name in NUMBER_FORMATS
    frame = _frame(drawn, whole_seconds=whole)
    write = NUMBER_FORMATS.get(name) or TEXT_FORMATS[name]
    db = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}.db"
    url = f"sqlite:///{db}"
    store(url, frame, "INTEGER" if whole else "TEXT", write)
    assert found_counts(url) == expected_counts(frame)


@pytest.mark.parametrize("time_type", ["TIMESTAMP", "TIMESTAMPTZ"])
@FAST
@given(drawn=requests)
def test_duckdb_naive_and_aware_count_like_pandas(
    tmp_path: Path, other_process_zone, time_type: str, drawn
) -> None:
    frame = _frame(drawn, whole_seconds=False)
    db = tmp_path / f"{time_type}-{len(list(tmp_path.iterdir()))}.duckdb"
    url = f"duckdb:///{db}"
    naive = time_type == "TIMESTAMP"
    store(url, frame, time_type, (lambda m: m.replace(tzinfo=None)) if naive else None)
    assert found_counts(url) == expected_counts(frame)


def test_naive_timestamps_in_a_named_zone(tmp_path: Path, other_process_zone) -> None:
    """Wall-clock times of Toronto stored naive, read with naive_timezone: the same counts.
    (Not in the hour repeated when daylight-saving time ends: naive wall-clock times there
    are ambiguous, and are read as the first of the two.)"""
    edges = [m for m in AROUND_EDGES if abs(m - DST_CHANGE) > timedelta(hours=2)]
    frame = requests_frame(edges, ["pending"] * len(edges))
    url = f"duckdb:///{tmp_path / 'toronto.duckdb'}"
    store(url, frame, "TIMESTAMP", lambda m: m.astimezone(PERIOD.tz).replace(tzinfo=None))
    assert found_counts(url, naive_timezone="America/Toronto") == expected_counts(frame)
    assert found_counts(url) != expected_counts(frame)  # read as UTC they are hours off


def _kinds(url: str) -> dict[str, str]:
    with connect(url) as conn:
        return dict(detect(conn).times)


def test_how_each_column_is_stored_is_found(tmp_path: Path) -> None:
    frame = requests_frame(list(AROUND_EDGES), ["pending"] * len(AROUND_EDGES))
    cases = {
        "text.db": ("TEXT", TEXT_FORMATS["z"], TEXT),
        "s.db": ("INTEGER", NUMBER_FORMATS["epoch_seconds"], EPOCH_SECONDS),
        "ms.db": ("INTEGER", NUMBER_FORMATS["epoch_milliseconds"], EPOCH_MILLISECONDS),
    }
    for name, (sql_type, write, kind) in cases.items():
        url = f"sqlite:///{tmp_path / name}"
        store(url, frame, sql_type, write)
        assert _kinds(url) == {"created_at": kind, "accepted_at": kind}
    url = f"duckdb:///{tmp_path / 'naive.duckdb'}"
    store(url, frame, "TIMESTAMP", lambda m: m.replace(tzinfo=None))
    assert _kinds(url)["created_at"] == NAIVE


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (["2025-11-01 10:00:00", "01/11/2025 10:00"], "01/11/2025 10:00"),  # not ISO
        (["2025-11-01 10:00:00", 1761991200], "1761991200"),  # text and numbers
        ([1761991200, 1761991200000], "1761991200000"),  # seconds and milliseconds
        (["yesterday"], "yesterday"),
    ],
)
def test_a_column_in_no_readable_form_is_refused(tmp_path: Path, values, shown) -> None:
    frame = requests_frame([PERIOD.utc_start] * len(values), ["pending"] * len(values))
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    store(url, frame, "", TEXT_FORMATS["space"])  # no declared type: any value goes
    store_values(url, "created_at", values)
    with pytest.raises(AnalysisError, match=r"session_requests\.created_at") as caught:
        found_counts(url)
    assert shown in str(caught.value) and "\n" not in str(caught.value)


def test_sqlite_text_can_not_take_another_naive_zone(tmp_path: Path) -> None:
    frame = requests_frame([PERIOD.utc_start], ["pending"])
    url = f"sqlite:///{tmp_path / 'text.db'}"
    store(url, frame, "TEXT", TEXT_FORMATS["space"])
    with pytest.raises(AnalysisError, match="--naive-timezone America/Toronto"):
        found_counts(url, naive_timezone="America/Toronto")


def store_values(url: str, column: str, values: list[object]) -> None:
    """Overwrite ``column`` of the requests, row by row in rowid order, with ``values``."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT rowid FROM session_requests"))]
        for rowid, value in zip(ids, values, strict=True):
            conn.execute(
                sa.text(f"UPDATE session_requests SET {column} = :v WHERE rowid = :r"),
                {"v": value, "r": rowid},
            )
    engine.dispose()


def test_an_unreadable_time_beyond_the_sample_stops_the_query(tmp_path: Path) -> None:
    """SQLite text is sampled, not scanned: a bad value the sample missed stops the first
    query that reads it, with one line naming it, rather than drop out of the counts."""
    n = 250
    frame = requests_frame(
        [PERIOD.utc_start + timedelta(minutes=i) for i in range(n)], ["pending"] * n
    )
    url = f"sqlite:///{tmp_path / 'late.db'}"
    store(url, frame, "TEXT", TEXT_FORMATS["space"])
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE session_requests SET created_at = :v WHERE rowid = 240"),
            {"v": "2025-11-01 25:61:00"},
        )
    engine.dispose()
    with pytest.raises(AnalysisError, match="2025-11-01 25:61:00") as caught:
        found_counts(url)
    assert "\n" not in str(caught.value)
