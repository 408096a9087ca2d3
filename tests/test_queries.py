"""Query builders run against small hand-written SQLite databases."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from helpers import (
    CUSTOMER_ID,
    PERIOD,
    ROSTER_COLUMNS,
    fetch,
    local,
    make_db,
    mechanic,
    organization,
    profile,
    request,
    rows,
    utc,
)

from analysis import queries
from analysis.db import connect
from analysis.findings import collect
from analysis.period import Period
from analysis.schema import session_requests
from analysis.sql import day_from_number

PERIOD_QUERIES = [
    queries.request_cube,
    queries.daily_status_counts,
    queries.mechanic_status_counts,
    queries.customer_status_counts,
    queries.customer_activity,
    queries.response_bins,
    queries.period_customer_profiles,
]


def count_in(url: str, period: Period = PERIOD) -> int:
    return int(fetch(url, queries.request_span(period))["requests"].iloc[0])


def test_day_from_number():
    assert day_from_number(0) == date(1970, 1, 1)
    assert day_from_number(20390) == date(2025, 10, 29)


# --- an empty period --------------------------------------------------------------------


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


@pytest.mark.parametrize("build", PERIOD_QUERIES, ids=lambda q: q.__name__)
def test_every_period_query_returns_no_rows_for_an_empty_period(empty_period_url, build):
    assert len(fetch(empty_period_url, build(PERIOD))) == 0


def test_request_span_of_an_empty_period_is_a_zero_count(empty_period_url):
    span = fetch(empty_period_url, queries.request_span(PERIOD))
    assert len(span) == 1
    assert span["requests"].iloc[0] == 0
    assert span["first_at"].isna().all()


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
    assert found.verdict["test_data"] is None
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
    assert found.customers["behaviour"].tolist() == ["Single request"]
    assert found.customers["busiest_day"].tolist() == [date(2025, 10, 31)]
    assert found.mechanics["mechanic_id"].tolist() == [mechanic_row["id"]]
    assert found.mechanics["completion_rate"].tolist() == [1.0]
    assert found.daily["day"].tolist() == [date(2025, 10, 31)]
    # Not a test account, but one customer making all requests and few customers: two signals.
    holds = {e["signal"]: e["holds"] for e in found.verdict["evidence"]}
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


def test_last_second_of_the_end_date_is_in(tmp_path):
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 11, 6, 23, 59, 59))])
    assert count_in(url) == 1


def test_midnight_after_the_end_date_is_out(tmp_path):
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 11, 7, 0, 0, 0))])
    assert count_in(url) == 0


def test_midnight_starting_the_start_date_is_in(tmp_path):
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 29, 0, 0, 0))])
    assert count_in(url) == 1


def test_last_second_before_the_start_date_is_out(tmp_path):
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 28, 23, 59, 59))])
    assert count_in(url) == 0


def test_boundaries_apply_to_every_aggregate(tmp_path):
    url = make_db(
        tmp_path,
        requests=[
            request(created_at=local(2025, 10, 28, 23, 59, 59), status="cancelled"),
            request(created_at=local(2025, 10, 29, 0, 0, 0), status="completed"),
            request(created_at=local(2025, 11, 6, 23, 59, 59), status="pending"),
            request(created_at=local(2025, 11, 7, 0, 0, 0), status="expired"),
        ],
    )
    cube = fetch(url, queries.request_cube(PERIOD))
    assert sorted(cube["status"]) == ["completed", "pending"]
    assert cube["requests"].sum() == 2


# --- local days across the DST change ---------------------------------------------------


def test_daily_counts_group_by_local_date_across_the_dst_change(tmp_path):
    # Toronto is UTC-4 until 2 Nov 2025 06:00 UTC, then UTC-5.
    created = [
        utc(2025, 10, 30, 3, 30),  # 29 Oct 23:30 EDT
        utc(2025, 10, 30, 4, 0, 1),  # 30 Oct 00:00:01 EDT
        utc(2025, 11, 2, 5, 30),  # 2 Nov 01:30 EDT (first pass)
        utc(2025, 11, 2, 6, 30),  # 2 Nov 01:30 EST (second pass)
        utc(2025, 11, 3, 4, 30),  # 2 Nov 23:30 EST
        utc(2025, 11, 3, 5, 0, 1),  # 3 Nov 00:00:01 EST
    ]
    url = make_db(tmp_path, requests=[request(created_at=c) for c in created])
    daily = fetch(url, queries.daily_status_counts(PERIOD))
    by_day = {day_from_number(n): int(r) for n, r in rows(daily, "day_number", "requests")}
    assert by_day == {
        date(2025, 10, 29): 1,
        date(2025, 10, 30): 1,
        date(2025, 11, 2): 3,
        date(2025, 11, 3): 1,
    }


def test_daily_counts_are_split_by_status(tmp_path):
    url = make_db(
        tmp_path,
        requests=[
            request(created_at=local(2025, 11, 1, 10), status="cancelled"),
            request(created_at=local(2025, 11, 1, 11), status="cancelled"),
            request(created_at=local(2025, 11, 1, 12), status="completed"),
        ],
    )
    daily = fetch(url, queries.daily_status_counts(PERIOD))
    found = rows(daily, "day_number", "status", "requests")
    assert found == [(20393, "cancelled", 2), (20393, "completed", 1)]


# --- customers --------------------------------------------------------------------------


def test_customer_key_falls_back_to_customer_id_without_an_email(tmp_path):
    other = "11111111-2222-3333-4444-555555555555"
    url = make_db(
        tmp_path,
        requests=[
            request(customer_email="cust1@test.com"),
            request(customer_email="cust1@test.com", status="cancelled"),
            request(customer_id=other, customer_email=None),
        ],
    )
    counts = fetch(url, queries.customer_status_counts(PERIOD))
    found = rows(counts, "customer", "status", "requests")
    assert found == [
        ("11111111-2222-3333-4444-555555555555", "pending", 1),
        ("cust1@test.com", "cancelled", 1),
        ("cust1@test.com", "pending", 1),
    ]


def test_customer_activity_finds_active_days_and_busiest_day(tmp_path):
    a = "a@example.com"
    b = "b@example.com"
    days_a = [(10, 30), (10, 30), (11, 1), (11, 1), (11, 1), (11, 3)]
    days_b = [(10, 31), (10, 31), (10, 30), (10, 30)]  # a tie: the earlier day wins
    url = make_db(
        tmp_path,
        requests=[request(customer_email=a, created_at=local(2025, m, d, 9)) for m, d in days_a]
        + [request(customer_email=b, created_at=local(2025, m, d, 9)) for m, d in days_b],
    )
    activity = fetch(url, queries.customer_activity(PERIOD)).set_index("customer")
    assert activity.loc[a, "active_days"] == 3
    assert day_from_number(activity.loc[a, "busiest_day_number"]) == date(2025, 11, 1)
    assert activity.loc[a, "busiest_day_requests"] == 3
    assert activity.loc[b, "active_days"] == 2
    assert day_from_number(activity.loc[b, "busiest_day_number"]) == date(2025, 10, 30)
    assert activity.loc[b, "busiest_day_requests"] == 2


def test_period_customer_profiles_are_only_those_who_requested(tmp_path):
    absent = "99999999-0000-0000-0000-000000000000"
    url = make_db(
        tmp_path,
        requests=[request(), request(), request(customer_id=absent, created_at=utc(2025, 9, 1))],
        profiles=[profile(), profile(id=absent, email="gone@gmail.com")],
    )
    found = fetch(url, queries.period_customer_profiles(PERIOD))
    assert found["customer_id"].tolist() == [CUSTOMER_ID]
    assert found["email"].tolist() == ["jane.doe@gmail.com"]


# --- requests: cube, mechanics, response times ------------------------------------------


def test_request_cube_flags_assignment_and_workshops(tmp_path):
    shop = "aaaaaaaa-0000-0000-0000-000000000000"
    url = make_db(
        tmp_path,
        requests=[
            request(status="cancelled"),
            request(status="cancelled", mechanic_id="m-1", workshop_id=shop),
            request(status="completed", routing_type=None, preferred_workshop_id=shop),
        ],
    )
    cube = fetch(url, queries.request_cube(PERIOD))
    cube["routing_type"] = cube["routing_type"].fillna("<NULL>")
    assert rows(cube, *cube.columns) == [
        ("cancelled", "chat", "broadcast", 0, 0, 0, 1),
        ("cancelled", "chat", "broadcast", 1, 1, 0, 1),
        ("completed", "chat", "<NULL>", 0, 0, 1, 1),
    ]


def test_routing_type_defaults_to_broadcast_when_omitted(tmp_path):
    url = make_db(tmp_path)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            session_requests.insert(),
            {
                "id": "r-1",
                "customer_id": CUSTOMER_ID,
                "status": "pending",
                "session_type": "chat",
                "created_at": utc(2025, 10, 30, 12),
            },
        )
    engine.dispose()
    cube = fetch(url, queries.request_cube(PERIOD))
    assert cube["routing_type"].tolist() == ["broadcast"]


def test_mechanic_status_counts_cover_assigned_requests_only(tmp_path):
    url = make_db(
        tmp_path,
        requests=[
            request(mechanic_id="m-1", status="completed"),
            request(mechanic_id="m-1", status="completed"),
            request(mechanic_id="m-1", status="cancelled"),
            request(mechanic_id="m-2", status="cancelled"),
            request(status="cancelled"),
        ],
    )
    counts = fetch(url, queries.mechanic_status_counts(PERIOD))
    found = rows(counts, "mechanic_id", "status", "requests")
    assert found == [("m-1", "cancelled", 1), ("m-1", "completed", 2), ("m-2", "cancelled", 1)]


def test_response_summary_and_bins(tmp_path):
    url = make_db(
        tmp_path,
        requests=[
            request(created_at=utc(2025, 10, 30, 12), accepted_at=utc(2025, 10, 30, 12, 4, 30)),
            request(created_at=utc(2025, 10, 30, 13), accepted_at=utc(2025, 10, 30, 12, 58)),
            request(created_at=utc(2025, 10, 30, 14), accepted_at=utc(2025, 10, 30, 15, 0, 6)),
            request(created_at=utc(2025, 10, 30, 15)),
        ],
    )
    # Responses: 4.5 min, -2 min (accepted before created), 60.1 min; one never accepted.
    row = fetch(url, queries.response_summary(PERIOD)).iloc[0]
    assert (row["count"], row["excluded_negative"]) == (2, 1)
    assert (row["min"], row["max"]) == pytest.approx((4.5, 60.1), abs=1e-4)
    assert row["mean"] == pytest.approx((4.5 + 60.1) / 2, abs=1e-4)
    assert row["median"] == pytest.approx((4.5 + 60.1) / 2, abs=1e-4)
    bins = fetch(url, queries.response_bins(PERIOD))
    edges = queries.RESPONSE_BIN_EDGES
    expected = {edges.index(2.0): 1, edges.index(60.0): 1}  # 4.5 in [2, 5); 60.1 in [60, 120)
    assert dict(zip(bins["bin"], bins["requests"], strict=True)) == expected


def test_mechanic_roster_joins_the_workshop_name(tmp_path):
    shop = organization(id="aaaaaaaa-0000-0000-0000-000000000000", name="Garage A")
    url = make_db(
        tmp_path,
        mechanics=[
            mechanic(id="m-1", workshop_id=shop["id"], account_type="workshop_mechanic"),
            mechanic(id="m-2"),
            mechanic(id="m-3", workshop_id="bbbbbbbb-0000-0000-0000-000000000000"),
        ],
        organizations=[shop],
    )
    roster = fetch(url, queries.mechanic_roster())
    assert roster["mechanic_id"].tolist() == ["m-1", "m-2", "m-3"]
    assert roster["workshop_name"].iloc[0] == "Garage A"
    assert roster["workshop_name"].iloc[1:].isna().all()  # no workshop; unknown workshop
    assert roster["workshop_id"].iloc[0] == "aaaaaaaa-0000-0000-0000-000000000000"
    assert list(roster.columns) == ROSTER_COLUMNS
