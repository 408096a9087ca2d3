"""Pure metric functions on small hand-built frames."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from rows import ROSTER_COLUMNS

from analysis.domain import CUSTOMER_PROFILE_FIELDS, MECHANIC_PROFILE_FIELDS
from analysis.investigation import metrics
from analysis.period import Period

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
    assert cust1["pattern"] == "heavy"
    assert jane["busiest_day"] == date(2025, 10, 29)
    assert bool(jane["test_account"]) is False
    assert jane["pattern"] == "single"


def test_customer_table_per_day_is_nan_without_a_span():
    table = metrics.customer_table(customer_counts(), customer_activity(), 0, {})
    assert math.isnan(table.iloc[0]["per_day"])


def test_customer_table_unflagged_customers_are_not_test_accounts():
    table = metrics.customer_table(customer_counts(), customer_activity(), 9, {})
    assert table["test_account"].tolist() == [False, False]
    assert table.iloc[0]["pattern"] == "heavy"


def test_customer_table_of_nothing_is_empty():
    empty = pd.DataFrame(columns=["customer", "status", "requests"])
    assert len(metrics.customer_table(empty, customer_activity(), 9, {})) == 0


@pytest.mark.parametrize(
    ("requests", "share", "per_active_day", "pattern"),
    [
        (1, 0.9, 9.0, "single"),
        (0, 0.0, 0.0, "single"),
        (2, 0.5, 1.0, "heavy"),
        (2, 0.1, 5.0, "heavy"),
        (4, 0.49, 4.99, "repeated"),
        (3, 0.2, 1.5, "repeated"),
        (2, 0.2, 1.0, "occasional"),
        (2, 0.49, 4.99, "occasional"),
    ],
)
def test_request_pattern_bands(requests, share, per_active_day, pattern):
    assert metrics.request_pattern(requests, share, per_active_day) == pattern


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


# --- lists that grow with the data: distribution, top N and the rest, bands ----------------


def test_distribution_of_requests_per_customer() -> None:
    d = metrics.distribution(pd.Series([34, 8, 1]))
    assert (d["entities"], d["requests"], d["median"], d["max"], d["single"]) == (3, 43, 8.0, 34, 1)
    assert d["p90"] == pytest.approx(8 + 0.8 * (34 - 8))  # linear between the two busiest
    # the busiest 1 % and 10 % of 3 customers: at least one, the busiest
    assert d["top"] == {
        "1 %": {"entities": 1, "share": pytest.approx(34 / 43)},
        "10 %": {"entities": 1, "share": pytest.approx(34 / 43)},
    }


def test_distribution_shares_of_the_busiest_percent() -> None:
    counts = pd.Series([100] * 10 + [1] * 990)  # 1,000 customers; the busiest 1 % are 10
    d = metrics.distribution(counts)
    assert d["top"]["1 %"] == {"entities": 10, "share": pytest.approx(1000 / 1990)}
    assert d["top"]["10 %"] == {"entities": 100, "share": pytest.approx(1090 / 1990)}
    assert (d["single"], d["median"], d["p90"], d["max"]) == (990, 1.0, 1.0, 100)


def test_distribution_of_nobody() -> None:
    d = metrics.distribution(pd.Series([], dtype=int))
    assert d == {
        "entities": 0,
        "requests": 0,
        "median": None,
        "p90": None,
        "max": None,
        "single": 0,
        "top": {},
    }


def test_top_and_rest_add_up_to_the_whole() -> None:
    table = pd.DataFrame(
        {"key": list("abcde"), "requests": [1, 5, 3, 5, 2], "completed": [1, 4, 0, 2, 2]}
    )
    head, rest = metrics.top_and_rest(table, 2, ["requests", "completed"])
    assert list(head["key"]) == ["b", "d"]  # busiest first, ties in their order
    assert rest == {"count": 3, "requests": 6, "completed": 3}
    assert int(head["requests"].sum()) + rest["requests"] == int(table["requests"].sum())
    everyone, nobody = metrics.top_and_rest(table, 10, ["requests"])
    assert len(everyone) == 5 and nobody == {"count": 0, "requests": 0}
    _, empty = metrics.top_and_rest(table.iloc[0:0], 3, ["requests"])
    assert empty == {"count": 0, "requests": 0}


def test_request_bands_grow_one_two_five() -> None:
    bands = metrics.request_bands(pd.Series([1, 1, 2, 4, 7, 12, 250]))
    assert list(bands["band"]) == [
        "1", "2", "3–4", "5–9", "10–19", "20–49", "50–99", "100–199", "200–499"
    ]  # fmt: skip
    assert list(bands["entities"]) == [2, 1, 1, 1, 1, 0, 0, 0, 1]
    assert list(bands["requests"]) == [2, 2, 4, 7, 12, 0, 0, 0, 250]
    assert bands["entities"].sum() == 7 and bands["requests"].sum() == 277
    assert metrics.request_bands(pd.Series([], dtype=int)).empty


def test_request_bands_by_powers_of_ten_for_large_counts() -> None:
    bands = metrics.request_bands(pd.Series([1, 3, 40, 424_238]))
    assert list(bands["band"]) == [
        "1", "2–4", "5–9", "10–99", "100–999", "1,000–9,999", "10,000–99,999", "100,000–999,999"
    ]  # fmt: skip
    assert list(bands["entities"]) == [1, 1, 0, 1, 0, 0, 0, 1]


def test_unknown_values_most_requests_first() -> None:
    rows = [("odd_b", "chat", "broadcast", 0, 0, 0, 2), ("odd_a", "chat", "broadcast", 0, 0, 0, 9)]
    table = pd.concat([cube(), pd.DataFrame(rows, columns=CUBE_COLUMNS)], ignore_index=True)
    found = metrics.unknown_values(table, {"status": ("cancelled", "completed", "pending")})
    assert list(found["status"].items()) == [("odd_a", 9), ("odd_b", 2), ("NULL", 1)]
