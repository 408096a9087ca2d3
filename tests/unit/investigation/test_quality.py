"""Data-quality checks on a hand-built database: each check flags exactly the rows built for it."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import ANOMALY_EXPECTED as EXPECTED
from rows import ANOMALY_PERIOD as PERIOD
from rows import ANOMALY_ROWS as ROWS
from rows import at
from rows import cancelled_request as request

from analysis.investigation import quality
from analysis.source import schema
from analysis.source.engine import connect, read_frame


@pytest.fixture
def found(make_db) -> pd.DataFrame:
    with connect(make_db(ROWS)) as conn:
        return quality.anomalies(read_frame(conn, quality.anomaly_rows(PERIOD)))


def test_every_named_check_is_reported_in_order(found: pd.DataFrame) -> None:
    assert list(found["check"]) == list(EXPECTED)
    assert set(EXPECTED) == set(quality.CHECK_NAMES)


@pytest.mark.parametrize("check", list(EXPECTED))
def test_check_flags_exactly_its_rows(found: pd.DataFrame, check: str) -> None:
    row = found.set_index("check").loc[check]
    assert row["request_ids"] == EXPECTED[check]
    assert row["count"] == len(EXPECTED[check])


def test_duplicate_ids_on_a_table_without_primary_key(make_db) -> None:
    loose = sa.MetaData()
    for table in schema.metadata.sorted_tables:
        sa.Table(table.name, loose, *[sa.Column(c.name, c.type) for c in table.columns])
    rows = {
        "session_requests": [
            request("dup"),
            request("dup", status="completed"),
            request("solo"),
            # its twin is outside the period: still a duplicate of an in-period id
            request("twin"),
            request("twin", created_at=at("2025-10-01 00:00")),
        ]
    }
    with connect(make_db(rows, loose)) as conn:
        found = quality.anomalies(read_frame(conn, quality.anomaly_rows(PERIOD)))
    assert found.set_index("check").loc["duplicate_id", "request_ids"] == ["dup", "twin"]


def test_an_empty_period_reports_every_check_with_zero(make_db) -> None:
    with connect(make_db({})) as conn:
        found = quality.anomalies(read_frame(conn, quality.anomaly_rows(PERIOD)))
    assert list(found["count"]) == [0] * len(quality.CHECK_NAMES)
