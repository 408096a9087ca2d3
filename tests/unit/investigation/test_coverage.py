"""Coverage by hour of week, the acceptance curve and the retry summary, from hand-built
query results."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.investigation import coverage as cov

SLOT_COUNTS = ["weekday", "hour", "requests", "never_assigned", "cancelled", "mechanics"]


def test_coverage_table_joins_demand_and_supply_over_all_168_slots() -> None:
    counts = pd.DataFrame(
        [
            (0, 9, 10, 2, 1, None),  # demand, Monday 09:00
            (0, 9, None, None, None, 3),  # supply there: three mechanics
            (6, 3, 4, 4, 2, None),  # Sunday 03:00: demand, nobody accepting
            (2, 12, None, None, None, 1),  # supply without demand
        ],
        columns=SLOT_COUNTS,
    )
    table = cov.coverage_table(counts)
    assert len(table) == 168
    monday = table[(table["weekday"] == 0) & (table["hour"] == 9)].iloc[0]
    assert monday[["requests", "never_assigned", "mechanics"]].tolist() == [10, 2, 3]
    assert monday["never_assigned_rate"] == pytest.approx(0.2)
    assert not monday["no_supply"]
    unserved = cov.unserved_slots(table)
    assert unserved[["weekday", "hour", "requests"]].values.tolist() == [[6, 3, 4]]
    idle = table[(table["weekday"] == 2) & (table["hour"] == 12)].iloc[0]
    assert pd.isna(idle["never_assigned_rate"]) and not idle["no_supply"]
    grid = cov.coverage_grid(table, "mechanics")
    assert grid.shape == (7, 24) and grid.loc["Mon", 9] == 3


def test_an_empty_period_has_no_demand_and_no_unserved_slot() -> None:
    table = cov.coverage_table(pd.DataFrame(columns=SLOT_COUNTS))
    assert int(table["requests"].sum()) == 0
    assert cov.unserved_slots(table).empty


MINUTES = (1, 5, 30)


def test_acceptance_curve_counts_never_accepted_requests_as_not_accepted() -> None:
    counts = pd.DataFrame(
        [
            ("chat", 0, 2),  # within 1 minute
            ("chat", 1, 3),  # within 5
            ("chat", 3, 1),  # later than 30
            ("chat", None, 4),  # never accepted (or before it was made)
            ("video", 2, 2),  # within 30
            (None, 0, 1),  # a missing type
        ],
        columns=["session_type", "band", "requests"],
    )
    curve = cov.acceptance_curve(counts, MINUTES).set_index("session_type")
    assert list(curve.index) == ["all", "chat", "video", "unknown"]
    assert curve.loc["chat"].tolist() == [10, 0.2, 0.5, 0.5]
    assert curve.loc["video"].tolist() == [2, 0.0, 0.0, 1.0]
    assert curve.loc["all", "requests"] == 13
    assert curve.loc["all", "within_30"] == pytest.approx(8 / 13)
    shares = curve.loc["all", ["within_1", "within_5", "within_30"]].tolist()
    assert shares == sorted(shares)  # cumulative


def test_acceptance_curve_of_no_requests_is_unknown() -> None:
    curve = cov.acceptance_curve(pd.DataFrame(columns=["session_type", "band", "requests"]), (1,))
    assert curve.to_dict(orient="records") == [
        {"session_type": "all", "requests": 0, "within_1": None}
    ]


def test_retry_summary() -> None:
    counts = pd.DataFrame(
        {
            "retry": [0, 1],
            "requests": [70, 30],
            "never_assigned": [20, 15],
            "cancelled": [10, 5],
            "failed": [25, 18],
            "needs": [55, 15],
            "needs_failed": [10, 9],
        }
    )
    assert cov.retry_summary(counts) == {
        "requests": 100,
        "retries": 30,
        "needs": 70,
        "needs_failed": 19,
        "requests_failed": 43,
    }
