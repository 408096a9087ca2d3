"""Property tests over random request tables: counts add up, match an independent count in
pandas, and the three engines agree."""

from __future__ import annotations

import json
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from engines import database, load_requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rows import PERIOD, local, make_db, mechanic, profile, request, utc

from analysis.errors import AnalysisError
from analysis.investigation import collect
from analysis.period import Period
from analysis.source.engine import connect

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


def test_findings_without_any_mechanic_on_record(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 30, 12))])
    with connect(url) as conn:
        document = collect(conn, PERIOD).to_dict()
    assert document["incomplete_mechanics"] == []
    assert document["assignment"]["mechanics_on_record"] == 0
    json.dumps(document)


@pytest.fixture
def empty_period_url(tmp_path):
    """Requests, a mechanic and a profile exist, but none of the requests is in PERIOD."""
    return make_db(
        tmp_path,
        requests=[
            request(created_at=utc(2025, 10, 1, 12), status="cancelled"),
            request(created_at=utc(2025, 12, 1, 12), accepted_at=utc(2025, 12, 1, 12, 5)),
        ],
        mechanics=[mechanic()],
        profiles=[profile()],
    )


def test_findings_of_an_empty_period(empty_period_url):
    with connect(empty_period_url) as conn:
        found = collect(conn, PERIOD)
    assert found.total == 0
    assert found.statuses == []
    assert len(found.customers) == 0
    assert len(found.mechanics) == 0
    assert len(found.daily) == 0
    assert found.response["count"] == 0
    assert found.response["mean"] is None
    assert found.response["median"] is None
    assert found.span == {"first_at": None, "last_at": None, "days": 0}
    assert found.verdict.test_data is None
    assert found.assignment == {
        "assigned": 0,
        "never_assigned": 0,
        "mechanics_involved": 0,
        "mechanics_on_record": 1,
    }
    assert len(found.recommendations) == 1


def test_findings_json_of_an_empty_period(empty_period_url):
    with connect(empty_period_url) as conn:
        document = json.loads(json.dumps(collect(conn, PERIOD).to_dict()))
    requests = document["requests"]
    assert requests["total"] == 0
    assert requests["by_status"] == {}
    assert requests["by_type"] == {}
    assert requests["first_at"] is None
    assert requests["last_at"] is None
    assert requests["span_days"] == 0
    assert requests["cancel_rate"] is None
    assert requests["completion_rate"] is None
    assert document["mechanics"] == []
    assert document["customers"] == []
    assert document["response_minutes"]["mean"] is None
    assert document["response_minutes"]["count"] == 0
    assert document["cancellations"] == {
        "total": 0,
        "before_assignment": 0,
        "after_assignment": 0,
    }
    assert document["routing"] == {"by_type": {}, "workshop_served": 0, "preferred_workshop": 0}
    assert document["incomplete_customer_profiles"] == []
    assert document["verdict"]["test_data"] is None
    assert document["period"] == {
        "start": "2025-10-29",
        "end": "2025-11-06",
        "timezone": "America/Toronto",
        "days": 9,
    }


def test_findings_of_a_database_without_any_rows(tmp_path):
    url = make_db(tmp_path)
    with connect(url) as conn:
        found = collect(conn, PERIOD)
    assert found.total == 0
    assert found.assignment["mechanics_on_record"] == 0
    assert len(found.mechanic_roster) == 0


# --- a single request -------------------------------------------------------------------


def test_findings_of_a_single_request(tmp_path):
    mechanic_row = mechanic()
    url = make_db(
        tmp_path,
        requests=[
            request(
                created_at=local(2025, 10, 31, 9),
                accepted_at=local(2025, 10, 31, 9, 3),
                status="completed",
                session_type="video",
                customer_email="jane.doe@gmail.com",
                mechanic_id=mechanic_row["id"],
            )
        ],
        mechanics=[mechanic_row],
        profiles=[profile()],
    )
    with connect(url) as conn:
        found = collect(conn, PERIOD)
    assert found.total == 1
    assert found.statuses == ["completed"]
    assert found.span["days"] == 1
    assert found.response["count"] == 1
    assert found.response["mean"] == pytest.approx(3.0, abs=1e-4)
    assert found.customers["customer"].tolist() == ["jane.doe@gmail.com"]
    assert found.customers["pattern"].tolist() == ["single"]
    assert found.customers["busiest_day"].tolist() == [date(2025, 10, 31)]
    assert found.mechanics["mechanic_id"].tolist() == [mechanic_row["id"]]
    assert found.mechanics["completion_rate"].tolist() == [1.0]
    assert found.daily["day"].tolist() == [date(2025, 10, 31)]
    # Not a test account, but one customer making all requests and few customers: two signals.
    holds = {s.name: s.holds for s in found.verdict.evidence}
    assert holds == {
        "test_accounts": False,
        "cancel_and_completion_rates": False,
        "top_customer_concentration": True,
        "few_customers": True,
    }
    document = json.loads(json.dumps(found.to_dict()))
    assert document["requests"]["by_status"] == {"completed": 1}
    assert document["requests"]["by_type"] == {"video": 1}
    assert document["requests"]["first_at"] == "2025-10-31T09:00:00-04:00"
    assert document["requests"]["completion_rate"] == 1.0
    assert document["customers"][0]["by_status"] == {"completed": 1}


# --- period boundaries ------------------------------------------------------------------


# --- the retry window ----------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -5])
def test_a_retry_window_under_a_minute_is_refused(tmp_path, minutes: int) -> None:
    url = make_db(tmp_path)
    with connect(url) as conn, pytest.raises(AnalysisError, match="give 1 or more"):
        collect(conn, PERIOD, retry_window_minutes=minutes)
