"""Data-quality checks on a hand-built database: each check flags exactly the rows built for it."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import at
from rows import cancelled_request as request

from analysis.investigation import quality
from analysis.period import Period
from analysis.source import schema
from analysis.source.engine import connect, read_frame

PERIOD = Period.parse("2025-11-03", "2025-11-03", "UTC")
ACCEPTED = at("2025-11-03 15:05")

ROWS = {
    "mechanics": [{"id": "m1", "name": "M"}],
    "organizations": [{"id": "w1", "name": "W", "organization_type": "workshop"}],
    "profiles": [
        {"id": "cust-1", "email": "a@real.ca"},
        {"id": "cust-del", "email": None, "deleted_at": at("2025-11-04 00:00")},
    ],
    "session_requests": [
        # clean rows: a completed session and an unassigned cancellation; the e-mail differs
        # from the profile's only in case and spaces
        request("ok", status="completed", mechanic_id="m1", accepted_at=ACCEPTED, workshop_id="w1"),
        request("ok2", customer_email=" A@REAL.CA"),
        request("cwm", status="completed"),
        request("cwa", status="completed", mechanic_id="m1"),
        request("abc", mechanic_id="m1", accepted_at=at("2025-11-03 14:00")),
        request("awm", accepted_at=ACCEPTED),
        request("mwa", mechanic_id="m1"),
        request("um", mechanic_id="ghost", accepted_at=ACCEPTED),
        request("uw", workshop_id="ghost-w"),
        request("upw", preferred_workshop_id="ghost-w"),
        request("edp", customer_email="other@real.ca"),
        request("cwp", customer_id="nobody"),
        request("cpd", customer_id="cust-del", customer_email="gone@real.ca"),
        request("us", status="weird"),
        request("ust", session_type="phone"),
        request("urt", routing_type=None),
        # outside the period: every problem at once, never flagged
        request("late", created_at=at("2025-11-04 15:00"), status="?", mechanic_id="ghost"),
    ],
}
EXPECTED = {
    "completed_without_mechanic": ["cwm"],
    "completed_without_accepted_at": ["cwa", "cwm"],
    "accepted_before_created": ["abc"],
    "accepted_without_mechanic": ["awm"],
    "mechanic_without_accepted_at": ["cwa", "mwa"],
    "unknown_mechanic": ["um"],
    "unknown_workshop": ["uw"],
    "unknown_preferred_workshop": ["upw"],
    "email_differs_from_profile": ["edp"],
    "customer_without_profile": ["cwp"],
    "customer_profile_deleted": ["cpd"],
    "unknown_status": ["us"],
    "unknown_session_type": ["ust"],
    "unknown_routing_type": ["urt"],
    "duplicate_id": [],
}


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
