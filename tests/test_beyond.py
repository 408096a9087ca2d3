"""Intervals, success factors, the previous-period comparison and time patterns, each on
hand-built data whose answers are known."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from analysis import compare, factors, queries, timing
from analysis.db import connect, read_frame
from analysis.period import Period
from analysis.uncertainty import fmt_rate, too_few, wilson, with_interval
from tests.conftest import at, request

# --- Wilson intervals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (4, 5, 0.3755, 0.9638),  # the original report's "best performer"
        (50, 100, 0.4038, 0.5962),
        (36, 43, 0.7003, 0.9188),  # the reference cancellation rate
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_known_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_wilson_without_trials_is_unknown() -> None:
    assert wilson(0, 0) == (None, None)
    assert fmt_rate(0, 0) == "—"
    assert fmt_rate(4, 5) == "80 % (38–96 %)"


def test_too_few_and_with_interval() -> None:
    assert too_few(19) and not too_few(20)
    out = with_interval(pd.DataFrame({"k": [4, 0], "n": [5, 0]}), "k", "n", "rate")
    assert out["rate"].tolist()[0] == 0.8 and out["rate"].isna().tolist()[1]
    assert out["rate_low"][0] == pytest.approx(0.3755, abs=1e-4)


# --- success factors --------------------------------------------------------------------------

MECHANICS = pd.DataFrame(
    {
        "mechanic_id": ["a", "b", "c", "ghost"],
        "requests": [10, 4, 6, 2],
        "completed": [10, 1, 0, 1],
        "cancelled": [0, 3, 6, 1],
        "profile_complete": [True, True, False, None],
        "red_seal_certified": [True, False, False, None],
        "years_of_experience": [12, 4, None, None],
        "mechanic_type": ["workshop-affiliated", "independent workshop", "virtual", None],
    }
)


def test_factor_table_counts_and_rates() -> None:
    t = factors.factor_table(MECHANICS).set_index(["factor", "level"])
    assert t.loc[("profile", "complete"), ["mechanics", "requests", "completed"]].tolist() == [
        2,
        14,
        11,
    ]
    assert t.loc[("profile", "incomplete"), "cancel_rate"] == 1.0
    assert t.loc[("profile", "unknown"), "requests"] == 2  # not in the roster
    assert t.loc[("Red Seal", "certified"), "completion_rate"] == 1.0
    assert t.loc[("workshop", "has a workshop"), "requests"] == 14
    assert t.loc[("workshop", "no workshop"), "requests"] == 6
    assert t.loc[("experience", "11+ years"), "requests"] == 10
    assert t.loc[("experience", "3–5 years"), "requests"] == 4
    assert t.loc[("mechanic type", "virtual"), "completion_rate_high"] == pytest.approx(
        wilson(0, 6)[1]
    )
    assert t["too_few"].all()
    assert list(dict.fromkeys(t.index.get_level_values(0))) == list(factors.FACTORS)


def test_separated_and_coinciding() -> None:
    t = factors.factor_table(MECHANICS)
    # 11/14 complete vs 0/6 incomplete: the intervals do not overlap
    assert factors.separated(t, "profile")
    one = factors.factor_table(MECHANICS.iloc[1:2])
    assert not factors.separated(one, "profile")  # a single level separates nothing
    two = MECHANICS.iloc[:3].assign(red_seal_certified=[True, True, False])
    groups = factors.coinciding(two)
    assert ["profile", "Red Seal", "workshop"] in groups


@pytest.mark.parametrize(
    ("years", "band"), [(None, "unknown"), (0, "0–2 years"), (5, "3–5 years"), (11, "11+ years")]
)
def test_experience_band(years, band) -> None:
    assert factors.experience_band(years) == band


# --- comparison with the previous period ------------------------------------------------------


def figures(total, cancelled, completed, assigned, customers, mechanics, median):
    return {
        "requests": total,
        "cancelled": cancelled,
        "completed": completed,
        "never_assigned": total - assigned,
        "cancel_rate": {"count": cancelled, "of": total},
        "completion_rate": {"count": completed, "of": total},
        "assignment_rate": {"count": assigned, "of": total},
        "customers": customers,
        "mechanics": mechanics,
        "median_response_minutes": median,
    }


def test_comparison_changes() -> None:
    now = figures(200, 40, 140, 170, 150, 12, 3.0)
    before = figures(100, 60, 30, 50, 80, 12, 4.0)
    t = compare.comparison(now, before).set_index("figure")
    assert t.loc["requests", "change"] == 100 and t.loc["requests", "relative_change"] == 1.0
    assert t.loc["cancel_rate", "change"] == pytest.approx(0.2 - 0.6)
    assert t.loc["cancel_rate", "real_change"]  # 20 % of 200 vs 60 % of 100
    assert t.loc["mechanics", "change"] == 0
    assert t.loc["median_response_minutes", "relative_change"] == pytest.approx(-0.25)
    moves = compare.biggest_movements(compare.comparison(now, before))
    # completed +367 %, requests +100 %, customers +88 %, cancel rate 60 → 20 % (0.4/0.6)
    assert list(moves["figure"]) == ["completed", "requests", "customers"]
    assert "mechanics" not in set(
        compare.biggest_movements(compare.comparison(now, before), 10)["figure"]
    )


def test_comparison_with_an_empty_previous_period() -> None:
    t = compare.comparison(figures(5, 1, 4, 4, 2, 1, 1.0), figures(0, 0, 0, 0, 0, 0, None))
    assert pd.isna(t.set_index("figure").loc["cancel_rate", "previous"])
    assert compare.biggest_movements(t).empty


def test_headline_figures_from_a_cube() -> None:
    cube = pd.DataFrame(
        {
            "status": ["cancelled", "completed", "pending"],
            "assigned": [0, 1, 0],
            "requests": [3, 2, 1],
        }
    )
    f = compare.headline_figures(cube, 4, 1, 2.0)
    assert f["cancel_rate"] == {"count": 3, "of": 6}
    assert f["assignment_rate"] == {"count": 2, "of": 6}
    assert f["never_assigned"] == 4
    assert f["median_response_minutes"] == 2.0


# --- time patterns ----------------------------------------------------------------------------


def test_hour_weekday_in_local_time_across_a_dst_change(make_db) -> None:
    """Toronto leaves daylight saving at 06:00 UTC on Sunday 2 Nov 2025."""
    rows = {
        "session_requests": [
            request("sat", created_at=at("2025-11-01 13:30")),  # Sat 09:30 EDT
            request("sun-edt", created_at=at("2025-11-02 05:30")),  # Sun 01:30 EDT
            request("sun-est", created_at=at("2025-11-02 06:30")),  # Sun 01:30 EST
            request("mon", created_at=at("2025-11-03 14:30")),  # Mon 09:30 EST
            request("before", created_at=at("2025-11-01 03:59")),  # Fri 23:59 EDT: outside
        ]
    }
    period = Period.parse("2025-11-01", "2025-11-03", "America/Toronto")
    with connect(make_db(rows)) as conn:
        counts = read_frame(conn, queries.hour_weekday_counts(period))
    grid = timing.hour_weekday_matrix(counts)
    assert grid.shape == (7, 24)
    assert grid.loc["Sat", 9] == 1 and grid.loc["Sun", 1] == 2 and grid.loc["Mon", 9] == 1
    assert int(grid.to_numpy().sum()) == 4
    assert timing.busiest_slots(grid, 2) == [("Sun", 1, 2), ("Mon", 9, 1)]


def test_unassigned_waits_say_what_is_known() -> None:
    now = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
    rows = pd.DataFrame(
        {
            "status": ["cancelled", "expired", "pending", "pending2"],
            "requests": [5, 2, 1, 1],
            "first_at": [at("2025-11-01 00:00")] * 2 + [at("2025-11-03 11:00")] * 2,
            "last_at": [at("2025-11-02 00:00")] * 2 + [at("2025-11-03 11:30")] * 2,
        }
    )
    w = timing.unassigned_waits(rows, now).set_index("status")
    assert pd.isna(w.loc["cancelled", "min_wait_minutes"])
    assert "no cancelled_at" in w.loc["cancelled", "known"]
    assert w.loc["expired", "max_wait_minutes"] == timing.EXPIRY_MINUTES
    assert (w.loc["pending", "min_wait_minutes"], w.loc["pending", "max_wait_minutes"]) == (
        30.0,
        60.0,
    )
    assert "did not expire" not in w.loc["pending", "known"]
    assert "not recorded" in w.loc["pending2", "known"]
