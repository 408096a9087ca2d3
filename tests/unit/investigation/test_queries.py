"""Query builders run against small hand-written SQLite databases."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import (
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

from analysis.investigation import queries
from analysis.period import Period
from analysis.source.dialect import day_from_number
from analysis.source.schema import session_requests

PERIOD_QUERIES = [
    queries.request_cube,
    queries.daily_status_counts,
    queries.mechanic_status_counts,
    queries.customer_status_counts,
    queries.customer_activity,
    queries.response_bins,
    queries.period_customer_profiles,
    queries.failure_counts,
    queries.retry_counts,
    queries.coverage_counts,
    queries.acceptance_counts,
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


def test_request_at_local_midnight_is_on_that_day(tmp_path) -> None:
    """SQLite's julianday() float put whole seconds microseconds early, so local midnight
    floored into the day before."""
    url = make_db(
        tmp_path,
        requests=[request(created_at=local(2025, 10, 29)), request(created_at=local(2025, 10, 30))],
    )
    days = fetch(url, queries.daily_status_counts(PERIOD))["day_number"].map(day_from_number)
    assert sorted(d.isoformat() for d in days) == ["2025-10-29", "2025-10-30"]


# --- root causes -------------------------------------------------------------------------


def test_queries_name_only_the_optional_columns_the_source_has() -> None:
    bare = str(queries.failure_counts(PERIOD, frozenset()))
    assert not any(c in bare for c in ("customer_city", "is_urgent", "plan_code", "expires_at"))
    full = str(queries.failure_counts(PERIOD, frozenset({"is_urgent", "customer_city"})))
    assert "is_urgent" in full and "customer_city" in full and "plan_code" not in full


def test_acceptance_bands_include_their_upper_bound(tmp_path) -> None:
    made = local(2025, 10, 30, 12)
    delays = {"exactly_1": 60, "just_over_1": 61, "exactly_120": 7200, "later": 7201}
    url = make_db(
        tmp_path,
        requests=[
            request(created_at=made, accepted_at=made + timedelta(seconds=s), session_type=name)
            for name, s in delays.items()
        ]
        + [request(created_at=made, session_type="never")],
    )
    bands = fetch(url, queries.acceptance_counts(PERIOD, (1, 2, 120)))
    found = dict(zip(bands["session_type"], bands["band"], strict=True))
    assert pd.isna(found.pop("never"))  # never accepted: in no band
    assert found == {"exactly_1": 0, "just_over_1": 1, "exactly_120": 2, "later": 3}


def test_retry_window_is_a_parameter(tmp_path) -> None:
    first = local(2025, 10, 30, 12)
    url = make_db(
        tmp_path,
        requests=[
            request(created_at=first, status="cancelled"),
            request(created_at=first + timedelta(minutes=40), status="cancelled"),
        ],
    )
    # 40 minutes apart: a retry only when the window is longer than that
    for minutes, expected in ((30, [(0, 2)]), (45, [(0, 1), (1, 1)])):
        assert rows(fetch(url, queries.retry_counts(PERIOD, minutes)), "retry", "requests") == (
            expected
        )
