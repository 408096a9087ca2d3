"""Pure metric functions, test-account rules and assessment, on small hand-built frames."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from helpers import ROSTER_COLUMNS

from analysis import metrics
from analysis.accounts import TestAccountRules
from analysis.assessment import (
    MECHANIC_TYPES,
    Headline,
    Thresholds,
    readiness,
    readiness_status,
    recommendations,
    scarce_types,
    verdict,
)
from analysis.period import Period
from analysis.schema import CUSTOMER_PROFILE_FIELDS, MECHANIC_PROFILE_FIELDS

PERIOD = Period.parse("2025-10-29", "2025-11-06")
CUBE_COLUMNS = [
    "status",
    "session_type",
    "routing_type",
    "assigned",
    "workshop_served",
    "preferred_workshop",
    "requests",
]
# Days since 1970-01-01 of local dates used below.
DAY_2025_10_29 = 20390
DAY_2025_10_30 = 20391
DAY_2025_11_06 = 20398


def cube() -> pd.DataFrame:
    """12 requests: cancelled 7 (5 unassigned, 2 assigned), completed 3, pending 1, NULL 1."""
    rows = [
        ("cancelled", "chat", "broadcast", 0, 0, 0, 5),
        ("cancelled", "chat", "broadcast", 1, 1, 0, 2),
        ("completed", "video", "hybrid", 1, 1, 1, 3),
        (None, None, None, 0, 0, 0, 1),
        ("pending", "chat", "broadcast", 0, 0, 0, 1),
    ]
    return pd.DataFrame(rows, columns=CUBE_COLUMNS)


def empty_cube() -> pd.DataFrame:
    return pd.DataFrame(columns=CUBE_COLUMNS)


# --- breakdowns -------------------------------------------------------------------------


def test_total_requests_sums_the_cube():
    assert metrics.total_requests(cube()) == 12
    assert metrics.total_requests(empty_cube()) == 0


def test_status_breakdown_counts_null_as_unknown_largest_first():
    table = metrics.status_breakdown(cube())
    assert table["status"].tolist() == ["cancelled", "completed", "pending", "unknown"]
    assert table["requests"].tolist() == [7, 3, 1, 1]
    assert table["share"].tolist() == pytest.approx([7 / 12, 3 / 12, 1 / 12, 1 / 12])


def test_type_breakdown_counts_null_as_unknown():
    table = metrics.type_breakdown(cube())
    assert metrics.as_counts(table, "session_type") == {"chat": 8, "video": 3, "unknown": 1}
    assert table["session_type"].tolist() == ["chat", "video", "unknown"]


def test_breakdown_ties_are_ordered_by_key():
    frame = pd.DataFrame({"k": ["b", "a", "c"], "requests": [2, 2, 5]})
    table = metrics.breakdown(frame, "k", "none")
    assert table["k"].tolist() == ["c", "a", "b"]
    assert table["share"].tolist() == pytest.approx([5 / 9, 2 / 9, 2 / 9])


def test_breakdown_of_an_empty_cube_is_empty():
    table = metrics.status_breakdown(empty_cube())
    assert len(table) == 0
    assert list(table.columns) == ["status", "requests", "share"]


def test_status_count_reads_one_status():
    assert metrics.status_count(cube(), "cancelled") == 7
    assert metrics.status_count(cube(), "expired") == 0


def test_rate_is_none_without_a_whole():
    assert metrics.rate(3, 12) == 0.25
    assert metrics.rate(3, 0) is None


def test_assignment_splits_on_the_assigned_flag():
    assert metrics.assignment(cube()) == {"assigned": 5, "never_assigned": 7}
    assert metrics.assignment(empty_cube()) == {"assigned": 0, "never_assigned": 0}


def test_cancellation_timing_splits_cancelled_by_assignment():
    assert metrics.cancellation_timing(cube()) == {
        "total": 7,
        "before_assignment": 5,
        "after_assignment": 2,
    }


def test_routing_counts_null_as_none_and_workshop_flags():
    assert metrics.routing(cube()) == {
        "by_type": {"broadcast": 8, "hybrid": 3, "none": 1},
        "workshop_served": 5,
        "preferred_workshop": 3,
    }


# --- time span and response times -------------------------------------------------------


def test_time_span_is_shown_in_local_time_with_inclusive_days():
    span = pd.DataFrame(
        {
            "requests": [43],
            "first_at": [datetime(2025, 10, 29, 4, 45, 48, tzinfo=UTC)],
            "last_at": [datetime(2025, 11, 6, 19, 5, 57, tzinfo=UTC)],
        }
    )
    result = metrics.time_span(span, PERIOD)
    assert result["first_at"].replace(tzinfo=None) == datetime(2025, 10, 29, 0, 45, 48)
    assert result["last_at"].replace(tzinfo=None) == datetime(2025, 11, 6, 14, 5, 57)
    assert result["days"] == 9


def test_time_span_counts_local_dates_not_utc_dates():
    # Both on 30 Oct in UTC, but 23:30 on 29 Oct and 00:30 on 30 Oct in Toronto.
    span = pd.DataFrame(
        {
            "requests": [2],
            "first_at": [datetime(2025, 10, 30, 3, 30, tzinfo=UTC)],
            "last_at": [datetime(2025, 10, 30, 4, 30, tzinfo=UTC)],
        }
    )
    assert metrics.time_span(span, PERIOD)["days"] == 2


def test_time_span_of_no_requests_is_empty():
    no_rows = pd.DataFrame({"requests": [0], "first_at": [None], "last_at": [None]})
    expected = {"first_at": None, "last_at": None, "days": 0}
    assert metrics.time_span(no_rows, PERIOD) == expected
    assert metrics.time_span(pd.DataFrame(columns=["first_at", "last_at"]), PERIOD) == expected


def summary(**values: object) -> pd.DataFrame:
    return pd.DataFrame([values])


def test_response_stats_from_the_summary_row():
    row = summary(count=3, mean=3.0, median=2.0, min=1.0, max=6.0, excluded_negative=1)
    assert metrics.response_stats(row) == {
        "count": 3,
        "excluded_negative": 1,
        "mean": 3.0,
        "median": 2.0,
        "min": 1.0,
        "max": 6.0,
    }


def test_response_stats_of_nothing_are_none():
    row = summary(count=0, mean=None, median=None, min=None, max=None, excluded_negative=0)
    assert metrics.response_stats(row) == {
        "count": 0,
        "excluded_negative": 0,
        "mean": None,
        "median": None,
        "min": None,
        "max": None,
    }


def test_response_stats_of_only_negatives_are_none_but_counted():
    row = summary(count=0, mean=None, median=None, min=None, max=None, excluded_negative=2)
    stats = metrics.response_stats(row)
    assert (stats["count"], stats["excluded_negative"], stats["mean"]) == (0, 2, None)


def test_response_histogram_fills_empty_bins_and_labels_the_open_one():
    bins = pd.DataFrame({"bin": [0, 2], "requests": [4, 1]})
    table = metrics.response_histogram(bins, (0.0, 1.0, 5.0))
    assert table["label"].tolist() == ["0–1", "1–5", "5+"]
    assert table["requests"].tolist() == [4, 0, 1]
    assert table["upper"].tolist()[:2] == [1.0, 5.0]
    assert table["upper"].isna().tolist() == [False, False, True]


# --- daily and pivoted counts -----------------------------------------------------------


def test_daily_by_status_maps_day_numbers_to_dates_ordered():
    daily = pd.DataFrame(
        {
            "day_number": [DAY_2025_10_30, DAY_2025_10_29, DAY_2025_10_29],
            "status": ["pending", "completed", None],
            "requests": [1, 2, 3],
        }
    )
    table = metrics.daily_by_status(daily)
    assert table["day"].tolist() == [date(2025, 10, 29), date(2025, 10, 29), date(2025, 10, 30)]
    assert table["status"].tolist() == ["completed", "unknown", "pending"]
    assert table["requests"].tolist() == [2, 3, 1]


def test_daily_by_status_of_nothing_is_empty_with_columns():
    table = metrics.daily_by_status(pd.DataFrame(columns=["day_number", "status", "requests"]))
    assert len(table) == 0
    assert list(table.columns) == ["day", "status", "requests"]


def test_status_columns_pivot_one_row_per_key():
    counts = pd.DataFrame(
        {
            "customer": ["b", "a", "a", "c", "b"],
            "status": ["cancelled", "cancelled", "completed", None, "cancelled"],
            "requests": [2, 2, 1, 1, 1],
        }
    )
    wide = metrics.status_columns(counts, "customer")
    assert list(wide.columns) == ["customer", "requests", "cancelled", "completed", "unknown"]
    # a and b tie on 3: ordered by key.
    assert wide.to_dict(orient="records") == [
        {"customer": "a", "requests": 3, "cancelled": 2, "completed": 1, "unknown": 0},
        {"customer": "b", "requests": 3, "cancelled": 3, "completed": 0, "unknown": 0},
        {"customer": "c", "requests": 1, "cancelled": 0, "completed": 0, "unknown": 1},
    ]


def test_status_columns_of_nothing_is_empty():
    wide = metrics.status_columns(pd.DataFrame(columns=["k", "status", "requests"]), "k")
    assert len(wide) == 0
    assert list(wide.columns) == ["k", "requests"]


def test_by_status_dict_keeps_non_zero_known_statuses():
    row = pd.Series({"requests": 3, "cancelled": 2, "completed": 0, "pending": 1})
    assert metrics.by_status_dict(row, ["cancelled", "completed", "pending", "expired"]) == {
        "cancelled": 2,
        "pending": 1,
    }


# --- customers --------------------------------------------------------------------------


def customer_counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": ["cust1@test.com"] * 3 + ["jane.doe@gmail.com"],
            "status": ["completed", "cancelled", "pending", "cancelled"],
            "requests": [3, 29, 1, 1],
        }
    )


def customer_activity() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": ["cust1@test.com", "jane.doe@gmail.com"],
            "active_days": [4, 1],
            "busiest_day_number": [DAY_2025_11_06, DAY_2025_10_29],
            "busiest_day_requests": [20, 1],
        }
    )


def test_customer_table_rates_and_busiest_day():
    flags = {"cust1@test.com": True, "jane.doe@gmail.com": False}
    table = metrics.customer_table(customer_counts(), customer_activity(), 9, flags)
    cust1, jane = table.iloc[0], table.iloc[1]
    assert cust1["customer"] == "cust1@test.com"
    assert cust1["requests"] == 33
    assert (cust1["completed"], cust1["cancelled"], cust1["pending"]) == (3, 29, 1)
    assert cust1["share"] == pytest.approx(33 / 34)
    assert cust1["per_day"] == pytest.approx(33 / 9)  # 3.67, not the report's "11"
    assert cust1["per_active_day"] == pytest.approx(8.25)
    assert cust1["busiest_day"] == date(2025, 11, 6)
    assert cust1["busiest_day_requests"] == 20
    assert bool(cust1["test_account"]) is True
    assert cust1["behaviour"] == "Heavy testing"
    assert jane["busiest_day"] == date(2025, 10, 29)
    assert bool(jane["test_account"]) is False
    assert jane["behaviour"] == "Single request"


def test_customer_table_per_day_is_nan_without_a_span():
    table = metrics.customer_table(customer_counts(), customer_activity(), 0, {})
    assert math.isnan(table.iloc[0]["per_day"])


def test_customer_table_unflagged_customers_are_not_test_accounts():
    table = metrics.customer_table(customer_counts(), customer_activity(), 9, {})
    assert table["test_account"].tolist() == [False, False]
    assert table.iloc[0]["behaviour"] == "Heavy use"


def test_customer_table_of_nothing_is_empty():
    empty = pd.DataFrame(columns=["customer", "status", "requests"])
    assert len(metrics.customer_table(empty, customer_activity(), 9, {})) == 0


@pytest.mark.parametrize(
    ("requests", "share", "per_active_day", "test", "label"),
    [
        (1, 0.9, 9.0, False, "Single request"),
        (1, 0.9, 9.0, True, "Single test"),
        (0, 0.0, 0.0, False, "Single request"),
        (2, 0.5, 1.0, False, "Heavy use"),
        (2, 0.1, 5.0, True, "Heavy testing"),
        (4, 0.49, 4.99, True, "Repeated testing"),
        (3, 0.2, 1.5, False, "Repeat customer"),
        (2, 0.2, 1.0, True, "Occasional testing"),
        (2, 0.49, 4.99, False, "Occasional"),
    ],
)
def test_behaviour_label_bands(requests, share, per_active_day, test, label):
    assert metrics.behaviour_label(requests, share, per_active_day, test) == label


# --- mechanics --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workshop_id", "account_type", "expected"),
    [
        (None, "workshop_mechanic", "virtual"),
        (float("nan"), "individual_mechanic", "virtual"),
        ("  ", "workshop_mechanic", "virtual"),
        ("w1", "workshop_mechanic", "workshop-affiliated"),
        ("w1", "individual_mechanic", "independent workshop"),
        ("w1", "independent", "independent workshop"),
        ("w1", None, "independent workshop"),
    ],
)
def test_mechanic_type_follows_the_schema_rule(workshop_id, account_type, expected):
    assert metrics.mechanic_type(workshop_id, account_type) == expected


def test_missing_fields_treats_null_and_blank_as_missing_but_zero_as_present():
    frame = pd.DataFrame({"city": ["Toronto", "", None, " "], "years": [0, None, 5, float("nan")]})
    assert metrics.missing_fields(frame, ("city", "years")).tolist() == [
        [],
        ["city", "years"],
        ["city"],
        ["city", "years"],
    ]


def test_missing_fields_of_nothing_is_empty():
    assert len(metrics.missing_fields(pd.DataFrame(columns=["city"]), ("city",))) == 0


def roster() -> pd.DataFrame:
    rows = [
        ("m1", "Ann", "a@x.ca", "1", "Toronto", "ON", "M5V", 12, True, "individual_mechanic",
         None, None),
        ("m2", "Bob", "b@x.ca", "2", None, "ON", "", 3, False, "workshop_mechanic",
         "w1", "Garage A"),
        ("m4", None, None, None, "Ottawa", "ON", "K1A", None, False, "individual_mechanic",
         "w2", "Garage B"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def test_mechanic_profiles_lists_missing_fields_and_type():
    table = metrics.mechanic_profiles(roster(), MECHANIC_PROFILE_FIELDS)
    assert table["missing"].tolist() == [[], ["city", "postal_code"], ["years_of_experience"]]
    assert table["profile_complete"].tolist() == [True, False, False]
    assert table["mechanic_type"].tolist() == [
        "virtual",
        "workshop-affiliated",
        "independent workshop",
    ]
    assert str(table["years_of_experience"].dtype) == "Int64"


def test_mechanic_table_counts_rates_and_keeps_unknown_mechanics():
    counts = pd.DataFrame(
        {
            "mechanic_id": ["m1", "m1", "m2", "m3"],
            "status": ["completed", "cancelled", "cancelled", "cancelled"],
            "requests": [4, 1, 6, 2],
        }
    )
    profiles = metrics.mechanic_profiles(roster(), MECHANIC_PROFILE_FIELDS)
    table = metrics.mechanic_table(counts, profiles)
    assert list(table.columns[:3]) == ["mechanic_id", "name", "requests"]
    assert table["mechanic_id"].tolist() == ["m2", "m1", "m3"]
    assert table["requests"].tolist() == [6, 5, 2]
    assert table["completion_rate"].tolist() == pytest.approx([0.0, 0.8, 0.0])
    assert table["name"].iloc[:2].tolist() == ["Bob", "Ann"]
    assert pd.isna(table["name"].iloc[2])  # m3 is not on the roster
    assert table["mechanic_type"].iloc[:2].tolist() == ["workshop-affiliated", "virtual"]
    assert table["workshop_name"].iloc[0] == "Garage A"


def test_mechanic_table_without_completions_has_zero_rate():
    counts = pd.DataFrame({"mechanic_id": ["m1"], "status": ["cancelled"], "requests": [3]})
    profiles = metrics.mechanic_profiles(roster(), MECHANIC_PROFILE_FIELDS)
    assert metrics.mechanic_table(counts, profiles)["completion_rate"].tolist() == [0.0]


def test_mechanic_table_of_nothing_is_empty_with_a_rate_column():
    empty = pd.DataFrame(columns=["mechanic_id", "status", "requests"])
    table = metrics.mechanic_table(empty, metrics.mechanic_profiles(roster(), ()))
    assert len(table) == 0
    assert "completion_rate" in table.columns


def test_customer_profile_table_flags_missing_and_deleted():
    profiles = pd.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "email": ["a@b.ca", "c@d.ca"],
            "full_name": ["A", "C"],
            "postal_code": ["M5V", "K1A"],
            "city": ["Toronto", "Ottawa"],
            "province": ["ON", "ON"],
            "phone": ["555", ""],
            "latitude": [43.6, None],
            "longitude": [-79.4, -75.7],
            "deleted_at": [None, datetime(2025, 11, 1, tzinfo=UTC)],
        }
    )
    table = metrics.customer_profile_table(profiles, CUSTOMER_PROFILE_FIELDS)
    assert table["missing"].tolist() == [[], ["phone", "latitude"]]
    assert table["profile_complete"].tolist() == [True, False]
    assert table["deleted"].tolist() == [False, True]


def test_local_date():
    assert metrics.local_date(datetime(2025, 11, 2, 23, 30)) == date(2025, 11, 2)
    assert metrics.local_date(None) is None


# --- test accounts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "account",
    [
        "cust1@test.com",
        "owner@autodoctor.example",
        "a@example.com",
        "x@foo.invalid",
        "A@Sub.Example.COM",
        "someone@dev.localhost",
        "ktest@gmail.com",
    ],
)
def test_test_like_accounts_are_test(account):
    assert TestAccountRules().is_test(account)


@pytest.mark.parametrize(
    "account",
    ["jane.doe@gmail.com", "bob@notexample.com", "", None, "0af3d300-cbca-4019-baa6-e92e402ccd1b"],
)
def test_ordinary_accounts_are_not_test(account):
    assert not TestAccountRules().is_test(account)


def test_reason_says_why():
    rules = TestAccountRules()
    assert rules.reason("a@example.com") == "reserved test domain example.com"
    assert rules.reason("x@foo.invalid") == "reserved test domain .invalid"
    assert rules.reason("cust1@test.com") == "address matches 'test'"
    assert rules.reason("jane.doe@gmail.com") is None


def test_known_accounts_are_test_whatever_the_case():
    rules = TestAccountRules(known=frozenset({"Jane.Doe@Gmail.com"}))
    assert rules.reason(" jane.doe@gmail.com ") == "listed as a known test account"
    assert not rules.is_test("john.doe@gmail.com")


def test_flag_marks_each_account():
    accounts = ["a@example.com", "jane.doe@gmail.com", None]
    assert TestAccountRules().flag(accounts) == [True, False, False]


# --- assessment -------------------------------------------------------------------------


def customers_frame(rows: list[tuple[str, int, bool]], total: int) -> pd.DataFrame:
    """A minimal metrics.customer_table: customer, requests, share, busiest day, test flag."""
    frame = pd.DataFrame(rows, columns=["customer", "requests", "test_account"])
    frame["share"] = frame["requests"] / total
    frame["busiest_day"] = date(2025, 11, 6)
    frame["busiest_day_requests"] = frame["requests"]
    return frame


def headline_test_like() -> Headline:
    customers = customers_frame(
        [("cust1@test.com", 33, True), ("cust2@test.com", 9, True), ("jane@gmail.com", 1, False)],
        43,
    )
    return Headline(
        total=43,
        cancelled=36,
        completed=6,
        pending=1,
        never_assigned=30,
        customers=customers,
        mechanics_involved=3,
    )


def production_headline() -> Headline:
    customers = customers_frame([(f"user{i}@gmail.com", 10, False) for i in range(10)], 100)
    return Headline(
        total=100,
        cancelled=10,
        completed=80,
        pending=10,
        never_assigned=12,
        customers=customers,
        mechanics_involved=6,
    )


def empty_headline() -> Headline:
    return Headline(0, 0, 0, 0, 0, pd.DataFrame(columns=["customer", "requests"]), 0)


def test_headline_rates():
    h = headline_test_like()
    assert h.cancel_rate == pytest.approx(36 / 43)
    assert h.completion_rate == pytest.approx(6 / 43)
    assert empty_headline().cancel_rate == 0.0


def test_verdict_on_test_like_data_is_test_data_with_every_signal():
    result = verdict(headline_test_like())
    assert result["test_data"] is True
    assert [e["holds"] for e in result["evidence"]] == [True, True, True, True]
    assert len(result["reasons"]) == 4
    assert "2 of 3 customers recognised as test accounts" in result["reasons"][0]
    assert "cust2@test.com (address matches 'test')" in result["reasons"][0]
    assert "cust1@test.com" in result["reasons"][2]


def test_verdict_on_production_like_data_is_not_test_data():
    result = verdict(production_headline())
    assert result["test_data"] is False
    assert [e["holds"] for e in result["evidence"]] == [False, False, False, False]


def test_verdict_needs_the_rate_rule_and_concentration():
    def headline(n_customers: int) -> Headline:
        rows = [(f"u{i}@gmail.com", 2, False) for i in range(n_customers)]
        total = 2 * n_customers
        return Headline(total, total - 1, 1, 0, 0, customers_frame(rows, total), 2)

    # Cancel > 70 % and completion < 20 % alone: not enough.
    assert verdict(headline(6))["test_data"] is False
    # Plus "few customers" (5 or fewer): two signals, test data.
    assert verdict(headline(5))["test_data"] is True


def test_one_genuine_completed_request_is_not_test_data():
    """Concentration alone (one customer made every request) is not evidence of testing."""
    rows = [("jane.doe@gmail.com", 1, False)]
    one = Headline(1, 0, 1, 0, 0, customers_frame(rows, 1), 1)
    assert verdict(one)["test_data"] is False


def test_verdict_of_an_empty_period_is_undecided():
    result = verdict(empty_headline())
    assert result["test_data"] is None
    assert result["reasons"] == ["There were no requests in this period."]
    assert result["evidence"] == []


@pytest.mark.parametrize(
    ("current", "needed", "status"),
    [(10, 5, "Exceeds"), (9, 5, "Sufficient"), (5, 5, "Sufficient"), (3, 5, "Need 2 more")],
)
def test_readiness_status(current, needed, status):
    assert readiness_status(current, needed) == status


def test_readiness_table_against_default_thresholds():
    table = readiness(headline_test_like(), Thresholds())
    assert table.to_dict(orient="records") == [
        {"metric": "Session requests", "current": 43, "needed": "15+", "status": "Exceeds"},
        {"metric": "Completed sessions", "current": 6, "needed": "5+", "status": "Sufficient"},
        {"metric": "Cancelled sessions", "current": 36, "needed": "1+", "status": "Exceeds"},
        {"metric": "Pending sessions", "current": 1, "needed": "1+", "status": "Sufficient"},
        {"metric": "Working mechanics", "current": 3, "needed": "5+", "status": "Need 2 more"},
        # jane@gmail.com took part but is no test account
        {"metric": "Test customers", "current": 2, "needed": "5+", "status": "Need 3 more"},
    ]


def test_real_customers_are_not_test_customers():
    table = readiness(production_headline(), Thresholds())
    row = table[table["metric"] == "Test customers"].iloc[0]
    assert (row["current"], row["status"]) == (0, "Need 5 more")


def types_frame(counts: dict[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame(list(counts.items()), columns=["session_type", "requests"])
    frame["share"] = frame["requests"] / frame["requests"].sum()
    return frame


def test_scarce_types_are_known_types_under_15_percent():
    scarce = scarce_types(types_frame({"chat": 37, "video": 3, "diagnostic": 3}))
    assert scarce["session_type"].tolist() == ["video", "diagnostic"]
    assert scarce["requests"].tolist() == [3, 3]
    assert scarce["share"].tolist() == pytest.approx([3 / 43, 3 / 43])


def test_scarce_types_include_absent_types_and_ignore_unknown():
    scarce = scarce_types(types_frame({"chat": 8, "unknown": 2}))
    assert scarce["session_type"].tolist() == ["video", "diagnostic"]
    assert scarce["requests"].tolist() == [0, 0]


def test_scarce_types_at_15_percent_are_not_scarce():
    scarce = scarce_types(types_frame({"chat": 14, "video": 3, "diagnostic": 3}))
    assert scarce["session_type"].tolist() == []  # 3/20 = 15 % exactly


def test_recommendations_name_incomplete_mechanics_and_shortfalls():
    profiles = metrics.mechanic_profiles(
        pd.DataFrame(
            [
                ("c62837da-0000", "Ann", None, None, "Toronto", "ON", "M5V", 12, True,
                 "individual_mechanic", None, None),
                ("99c254c1-0000", "Idle", None, None, None, None, None, None, False,
                 "individual_mechanic", None, None),
                ("2750cdea-0000", "Mech 1", None, None, "Ottawa", "ON", "", 3, False,
                 "individual_mechanic", None, None),
                ("5f5f5f5f-0000", "Ready", None, None, "Hamilton", "ON", "L8P", 4, False,
                 "individual_mechanic", None, None),
            ],
            columns=ROSTER_COLUMNS,
        ),
        MECHANIC_PROFILE_FIELDS,
    )  # fmt: skip
    counts = pd.DataFrame(
        {
            "mechanic_id": ["c62837da-0000", "2750cdea-0000"],
            "status": ["completed", "cancelled"],
            "requests": [6, 6],
        }
    )
    mechanics_ = metrics.mechanic_table(counts, profiles)
    h = headline_test_like()
    types = types_frame({"chat": 37, "video": 3, "diagnostic": 3})
    actions = recommendations(h, Thresholds(), verdict(h), mechanics_, profiles, types)
    text = "\n".join(actions)
    assert actions[0].startswith("Complete the profiles of 2 mechanics")
    assert "`99c254c1` (Idle) lacks city, province, postal code and years of experience" in text
    assert "`2750cdea` (Mech 1) lacks postal code" in text
    assert "Get 2 more mechanics taking requests: 3 took part, 5 are needed." in text
    assert "`5f5f5f5f`" in text  # complete profile, took no request
    assert "`c62837da`" not in text
    assert (
        "Have workshop-affiliated and independent workshop mechanics take requests too: "
        "this period's requests were served by virtual mechanics only."
    ) in text
    assert "Create 3 more test customers with complete profiles" in text
    assert "more session" not in text  # 6 completed meets the 5 needed
    assert "video (3, 7.0 %) and diagnostic (3, 7.0 %)" in text
    assert actions[-1].startswith("Don't treat the 84 % cancellation rate")


def test_recommendations_for_production_like_data_investigate_cancellations():
    h = production_headline()
    roster_ = metrics.mechanic_profiles(roster().iloc[:1], MECHANIC_PROFILE_FIELDS)
    served = pd.DataFrame(
        {"mechanic_id": ["m1", "m2", "m4"], "mechanic_type": list(MECHANIC_TYPES)}
    )
    types = types_frame({"chat": 40, "video": 30, "diagnostic": 30})
    actions = recommendations(h, Thresholds(), verdict(h), served, roster_, types)
    assert actions == [
        "Investigate the 10 % cancellation rate: 12 % of requests were never assigned a mechanic."
    ]


def test_recommendations_for_an_empty_period_are_a_single_check():
    h = empty_headline()
    empty_roster = metrics.mechanic_profiles(roster().iloc[:0], MECHANIC_PROFILE_FIELDS)
    empty_types = pd.DataFrame(columns=["session_type", "requests", "share"])
    actions = recommendations(h, Thresholds(), verdict(h), empty_roster, empty_roster, empty_types)
    assert len(actions) == 1
    assert actions[0].startswith("No requests were made in this period")
