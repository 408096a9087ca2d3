"""Root causes on hand-built databases whose answers are known: retries and needs across the
period's edges, new and returning customers, cities, coverage, the acceptance curve, and
optional columns the source lacks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from rows import PERIOD, cancelled_request, fill, local, make_db, mechanic, profile, request

from analysis.investigation import collect
from analysis.investigation import drivers as drv
from analysis.load.snapshot import used_metadata
from analysis.source.engine import connect

A, B, C = (f"0000000{i}-0000-4000-8000-000000000000" for i in (1, 2, 3))
M = "00000009-0000-4000-8000-000000000000"


def failed(customer: str, at, status: str = "cancelled", **fields) -> dict:
    """A never-assigned request (a failure)."""
    return request(customer_id=customer, created_at=at, status=status, **fields)


def served(customer: str, at, minutes: float = 3.0, **fields) -> dict:
    """A completed request, accepted ``minutes`` after it was made by mechanic M."""
    return request(
        customer_id=customer,
        created_at=at,
        status="completed",
        mechanic_id=M,
        accepted_at=at + timedelta(minutes=minutes),
        **fields,
    )


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    """Three customers (see each line) in the reference period (29 Oct – 6 Nov, Toronto)."""
    tmp = tmp_path_factory.mktemp("causes")
    requests = [
        # A: fails twice, then is served (one need, three attempts); later two lone failures
        failed(A, local(2025, 10, 30, 10, 0), customer_city="Ottawa"),
        failed(A, local(2025, 10, 30, 10, 10), status="expired"),
        served(A, local(2025, 10, 30, 10, 25)),
        failed(A, local(2025, 10, 30, 14, 0)),
        failed(A, local(2025, 10, 30, 15, 0)),
        # B: served, then a failure (not a retry: the previous request succeeded), then
        # another failure 35 minutes later (too late to be a retry)
        served(B, local(2025, 10, 31, 10, 0), minutes=0.5),
        failed(B, local(2025, 10, 31, 10, 5), status="pending"),
        failed(B, local(2025, 10, 31, 10, 40)),
        # C: a failure just before the period, retried just after it starts; a failure just
        # before the end, retried just after it
        failed(C, local(2025, 10, 28, 23, 50)),
        failed(C, local(2025, 10, 29, 0, 10)),
        failed(C, local(2025, 11, 6, 23, 55)),
        failed(C, local(2025, 11, 7, 0, 5)),
    ]
    url = make_db(
        tmp,
        requests=requests,
        mechanics=[mechanic(id=M, city="Toronto")],
        profiles=[profile(id=A, city="Toronto"), profile(id=B, city=" halifax")],
    )
    with connect(url) as conn:
        return collect(conn, PERIOD)


def level(found, dimension: str, name: str, outcome: str = "never_assigned"):
    d = found.root_causes.drivers
    match = d[(d["outcome"] == outcome) & (d["dimension"] == dimension) & (d["level"] == name)]
    assert len(match) == 1, (dimension, name)
    return match.iloc[0]


def test_retries_and_needs(found) -> None:
    # 10 requests in the period; retries: A's second and third, C's first (of a failure
    # before the period). Needs ended in the period: A's three (served), A 14:00, A 15:00,
    # B's three and C's first; C's last is retried after the end, so its need ends later.
    assert found.root_causes.retries == {
        "requests": 10,
        "retries": 3,
        "needs": 7,
        "needs_failed": 5,
        "requests_failed": 8,
    }
    retry = level(found, "retry", "retry")
    assert (retry["requests"], retry["failures"]) == (3, 2)


def test_new_customers_are_new_on_record_not_in_the_period(found) -> None:
    new = level(found, "customer_history", "new")
    assert (new["requests"], new["failures"]) == (2, 1)  # A's and B's first; C came before


def test_cities_from_the_request_else_the_profile_and_their_mechanics(found) -> None:
    cities = found.root_causes.cities
    assert cities[["city", "requests", "mechanic"]].values.tolist() == [
        ["Toronto", 4, True],
        [" halifax", 3, False],
        [None, 2, None],
        ["Ottawa", 1, False],
    ]
    assert level(found, "mechanic_in_city", "no")["requests"] == 4
    assert level(found, "mechanic_in_city", "unknown")["requests"] == 2


def test_coverage_counts_mechanics_where_they_accepted(found) -> None:
    c = found.root_causes.coverage.set_index(["weekday", "hour"])
    assert c.loc[(3, 10), ["requests", "never_assigned", "mechanics"]].tolist() == [3, 2, 1]
    assert c.loc[(4, 10), ["requests", "mechanics"]].tolist() == [3, 1]
    unserved = c[c["no_supply"]].index.tolist()
    assert unserved == [(2, 0), (3, 14), (3, 15), (3, 23)]


def test_hours_and_weekdays_add_up_to_every_request(found) -> None:
    counts = found.root_causes.counts
    for dimension in (drv.HOUR, drv.WEEKDAY, "session_type", drv.CITY, "retry"):
        assert counts.loc[counts["dimension"] == dimension, "requests"].sum() == 10, dimension


def test_findings_json_root_cause_keys(found) -> None:
    d = json.loads(json.dumps(found.to_dict()))
    assert d["retries"]["needs"] == 7
    assert d["acceptance_curve"]["minutes"] == [1, 2, 5, 10, 15, 30, 60, 120]
    assert d["acceptance_curve"]["share"][0] == pytest.approx(1 / 10)  # B's first, 30 s
    assert d["acceptance_curve"]["share"][2] == pytest.approx(2 / 10)  # A's third, 3 min
    assert set(d["acceptance_curve"]["by_session_type"]) == {"chat"}
    assert {tuple(sorted(x)) for x in d["drivers"]} == {
        tuple(
            sorted(
                [
                    "outcome",
                    "dimension",
                    "level",
                    "requests",
                    "failures",
                    "rate",
                    "interval",
                    "rest_rate",
                    "excess",
                    "p_value",
                    "enough_data",
                ]
            )
        )
    }
    excess = [x["excess"] for x in d["drivers"]]
    assert excess == sorted(excess, reverse=True)
    assert not any(x["enough_data"] for x in d["drivers"])  # 10 requests: too few everywhere
    slots = {(s["weekday"], s["hour"]): s for s in d["coverage"]}
    assert slots[("Thu", 10)]["mechanics"] == 1 and slots[("Wed", 0)]["no_supply"] is True
    assert d["optional_columns"] == {
        "present": ["customer_city", "expires_at", "is_urgent", "plan_code"],
        "missing": [],
    }
    dims = {x["dimension"]: x for x in d["driver_dimensions"]}
    assert dims["is_urgent"]["status"] == drv.ONE_LEVEL  # present, but never recorded
    assert dims["session_type"]["status"] == drv.ONE_LEVEL and dims["session_type"]["effect"] == {
        "never_assigned": None,
        "cancelled": None,
    }
    assert dims["hour_of_day"]["effect"] == {"never_assigned": "too_few", "cancelled": "too_few"}


def test_a_negative_wait_is_not_an_acceptance_in_time(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[
            served(A, local(2025, 11, 3, 10, 0), minutes=-1.0),
            served(A, local(2025, 11, 3, 11, 0), minutes=61.0, session_type="video"),
        ],
    )
    with connect(url) as conn:
        curve = collect(conn, PERIOD).root_causes.acceptance.set_index("session_type")
    assert curve.loc["all", "within_120"] == pytest.approx(0.5)
    assert curve.loc["video", "within_60"] == 0.0 and curve.loc["video", "within_120"] == 1.0
    assert curve.loc["chat", "within_120"] == 0.0


def test_supply_slot_after_the_daylight_saving_change(tmp_path) -> None:
    # 3 Nov 2025 is after the change to EST: 10:05 local is 15:05 UTC, a Monday.
    url = make_db(tmp_path, requests=[served(A, local(2025, 11, 3, 10, 0), minutes=5)])
    with connect(url) as conn:
        c = collect(conn, PERIOD).root_causes.coverage.set_index(["weekday", "hour"])
    assert c.loc[(0, 10), ["requests", "mechanics"]].tolist() == [1, 1]


def test_optional_columns_the_source_lacks_are_skipped_and_named(tmp_path) -> None:
    rows = {
        "session_requests": [
            cancelled_request(f"r{i}", created_at=local(2025, 10, 30, 12, i)) for i in range(3)
        ],
        "profiles": [{"id": "cust-1", "city": "Calgary"}],
    }
    url = fill(tmp_path / "bare.db", rows, used_metadata())
    with connect(url) as conn:
        found = collect(conn, PERIOD)
    rc = found.root_causes
    assert rc.missing == ["customer_city", "is_urgent", "plan_code", "expires_at"]
    dims = rc.dimensions.set_index("dimension")
    for dimension, column in (
        ("is_urgent", "is_urgent"),
        ("plan_code", "plan_code"),
        ("expiry_window", "expires_at"),
    ):
        assert dims.loc[dimension, ["status", "column"]].tolist() == [drv.MISSING_COLUMN, column]
    assert rc.cities["city"].tolist() == ["Calgary"]  # from the profile
    assert found.to_dict()["optional_columns"]["present"] == []
