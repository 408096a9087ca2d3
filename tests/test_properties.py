"""Property tests over random request tables: counts add up, match an independent count in
pandas, and the three engines agree."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from engines import database, load_requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.db import connect
from analysis.findings import collect
from analysis.period import Period

ORIGIN = datetime(2025, 10, 27, tzinfo=UTC)  # a window around the DST change of 2 Nov 2025
WINDOW_MS = 14 * 24 * 3600 * 1000
CUSTOMERS = [str(uuid.UUID(int=i)) for i in range(1, 4)]
MECHANICS = [str(uuid.UUID(int=i)) for i in range(11, 14)]
WORKSHOP = str(uuid.UUID(int=99))


@st.composite
def request_rows(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 25))
    rows = []
    for i in range(n):
        created = ORIGIN + timedelta(milliseconds=draw(st.integers(0, WINDOW_MS)))
        delay = draw(st.none() | st.integers(-600_000, 7_200_000))
        rows.append(
            {
                "id": str(uuid.UUID(int=1000 + i)),
                "created_at": created,
                "customer_id": draw(st.sampled_from(CUSTOMERS)),
                "customer_email": draw(st.none() | st.sampled_from(["a@test.com", "b@shop.ca"])),
                "mechanic_id": draw(st.none() | st.sampled_from(MECHANICS)),
                "status": draw(
                    st.sampled_from(
                        ["pending", "cancelled", "completed", "expired", "accepted", "on_hold"]
                    )
                ),
                "session_type": draw(st.sampled_from(["chat", "video", "diagnostic", "phone"])),
                "accepted_at": None if delay is None else created + timedelta(milliseconds=delay),
                "workshop_id": draw(st.none() | st.just(WORKSHOP)),
                "preferred_workshop_id": draw(st.none() | st.just(WORKSHOP)),
                "routing_type": draw(st.none() | st.sampled_from(["broadcast", "hybrid"])),
            }
        )
    columns = [
        "id",
        "created_at",
        "customer_id",
        "customer_email",
        "mechanic_id",
        "status",
        "session_type",
        "accepted_at",
        "workshop_id",
        "preferred_workshop_id",
        "routing_type",
    ]
    return pd.DataFrame(rows, columns=columns)


periods = st.builds(
    lambda offset, length, zone: Period(
        (ORIGIN + timedelta(days=offset)).date(),
        (ORIGIN + timedelta(days=offset + length)).date(),
        zone,
    ),
    st.integers(0, 10),
    st.integers(0, 6),
    st.sampled_from(["America/Toronto", "UTC"]),
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def findings_on(engine: str, requests: pd.DataFrame, period: Period) -> dict:
    with tempfile.TemporaryDirectory() as tmp, database(engine, Path(tmp)) as (url, schema):
        load_requests(url, schema, requests)
        with connect(url, schema) as conn:
            document = collect(conn, period).to_dict()
    document.pop("generated_at")
    return document


def in_period(requests: pd.DataFrame, period: Period) -> pd.DataFrame:
    if requests.empty:
        return requests
    created = pd.to_datetime(requests["created_at"], utc=True)
    return requests[(created >= period.utc_start) & (created < period.utc_end)]


@SETTINGS
@given(requests=request_rows(), period=periods)
def test_counts_add_up_and_match_pandas(requests: pd.DataFrame, period: Period) -> None:
    d = findings_on("sqlite", requests, period)
    expected = in_period(requests, period)
    total = d["requests"]["total"]
    assert total == len(expected)
    assert d["requests"]["by_status"] == expected["status"].value_counts().to_dict()
    assert sum(d["requests"]["by_type"].values()) == total
    assert sum(d["routing"]["by_type"].values()) == total
    assert d["assignment"]["assigned"] + d["assignment"]["never_assigned"] == total
    assert sum(m["requests"] for m in d["mechanics"]) == d["assignment"]["assigned"]
    assert sum(c["requests"] for c in d["customers"]) == total
    cancelled = d["cancellations"]
    assert cancelled["before_assignment"] + cancelled["after_assignment"] == cancelled["total"]
    assert cancelled["total"] == d["requests"]["by_status"].get("cancelled", 0)
    minutes = d["response_minutes"]
    assert minutes["count"] + minutes["excluded_negative"] == expected["accepted_at"].notna().sum()


def _agree(document: dict, reference: dict) -> None:
    left, right = dict(document), dict(reference)
    for doc in (left, right):
        doc.pop("database")
    a, b = left.pop("response_minutes"), right.pop("response_minutes")
    assert left == right
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], abs=0.011), key


@SETTINGS
@given(requests=request_rows(), period=periods)
def test_sqlite_and_duckdb_agree(requests: pd.DataFrame, period: Period) -> None:
    _agree(findings_on("duckdb", requests, period), findings_on("sqlite", requests, period))


@SETTINGS
@given(requests=request_rows(), period=periods)
def test_postgresql_agrees(requests: pd.DataFrame, period: Period) -> None:
    _agree(findings_on("postgresql", requests, period), findings_on("sqlite", requests, period))
