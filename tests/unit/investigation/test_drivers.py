"""Drivers of failure from hand-built counts: rates, rests, excess, adjusted p-values, the
"too few to judge" rule, hour ranges and the ranked causes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportions_ztest

from analysis.investigation import drivers as drv


def counts(*rows: tuple) -> pd.DataFrame:
    """(dimension, level, requests, never_assigned, cancelled) rows as ``level_counts``."""
    frame = pd.DataFrame(
        rows, columns=["dimension", "level", "requests", "never_assigned", "cancelled"]
    )
    frame["position"] = frame.groupby("dimension").cumcount()
    return frame[drv.COUNT_COLUMNS]


EVERY_OPTIONAL = ("customer_city", "is_urgent", "plan_code", "expires_at")


def table_of(frame: pd.DataFrame) -> pd.DataFrame:
    return drv.driver_table(frame, drv.dimension_table(frame, EVERY_OPTIONAL))


def row(table: pd.DataFrame, outcome: str, dimension: str, level: str) -> pd.Series:
    match = table[
        (table["outcome"] == outcome)
        & (table["dimension"] == dimension)
        & (table["level"] == level)
    ]
    assert len(match) == 1
    return match.iloc[0]


@pytest.fixture
def two_types() -> pd.DataFrame:
    """1,000 requests: 200 video (120 unassigned), 800 chat (160 unassigned)."""
    return counts(
        ("session_type", "video", 200, 120, 20),
        ("session_type", "chat", 800, 160, 80),
    )


def test_rate_rest_and_excess(two_types) -> None:
    video = row(table_of(two_types), "never_assigned", "session_type", "video")
    assert (video["requests"], video["failures"]) == (200, 120)
    assert video["rate"] == pytest.approx(0.6)
    assert (video["rest_requests"], video["rest_failures"]) == (800, 160)
    assert video["rest_rate"] == pytest.approx(0.2)
    # (0.6 - 0.2) × 200 = 80 unassigned requests that doing as well as chat would have avoided
    assert video["excess"] == pytest.approx(80.0)
    assert video["share_of_failures"] == pytest.approx(80 / 280)
    assert video["enough_data"] and video["significant"]
    chat = row(table_of(two_types), "never_assigned", "session_type", "chat")
    assert chat["excess"] == pytest.approx((0.2 - 0.6) * 800)


def test_p_value_is_the_two_proportion_test_adjusted_by_holm(two_types) -> None:
    table = table_of(two_types)
    video = row(table, "never_assigned", "session_type", "video")
    _, raw = proportions_ztest([120, 160], [200, 800])
    # two comparisons for this outcome (video and chat, with the same raw p): Holm doubles it
    assert video["p_value"] == pytest.approx(min(1.0, 2 * raw))
    cancelled = row(table, "cancelled", "session_type", "video")
    assert cancelled["rate"] == pytest.approx(0.1)
    assert cancelled["excess"] == pytest.approx(0.0)
    assert cancelled["p_value"] == pytest.approx(1.0)
    assert not cancelled["significant"]


def test_small_counts_use_fishers_exact_test() -> None:
    frame = counts(("plan_code", "fleet", 25, 5, 0), ("plan_code", "basic", 60, 1, 0))
    assert drv.p_value(5, 25, 1, 60) == pytest.approx(fisher_exact([[5, 20], [1, 59]]).pvalue)
    fleet = row(table_of(frame), "never_assigned", "plan_code", "fleet")
    assert fleet["p_value"] == pytest.approx(min(1.0, 2 * fisher_exact([[5, 20], [1, 59]]).pvalue))


def test_no_variation_is_p_one_and_a_missing_side_is_unknown() -> None:
    assert drv.p_value(0, 30, 0, 40) == 1.0
    assert drv.p_value(30, 30, 40, 40) == 1.0
    assert np.isnan(drv.p_value(3, 10, 0, 0))


def test_levels_with_too_few_requests_are_kept_not_judged() -> None:
    frame = counts(
        ("weekday", "Sun", 10, 10, 0),  # all unassigned, but only 10 requests
        ("weekday", "Mon", 500, 50, 0),
    )
    sunday = row(table_of(frame), "never_assigned", "weekday", "Sun")
    assert sunday["p_value"] < 0.001  # different, surely ...
    assert not sunday["enough_data"] and not sunday["significant"]  # ... but not ranked
    assert drv.causes(table_of(frame), drv.hour_ranges(table_of(frame))).empty


def test_sorted_by_excess_largest_first(two_types) -> None:
    frame = pd.concat(
        [
            two_types,
            counts(
                ("routing_type", "hybrid", 400, 150, 40),
                ("routing_type", "broadcast", 600, 130, 60),
            ),
        ],
        ignore_index=True,
    )
    table = table_of(frame)
    assert list(table["excess"]) == sorted(table["excess"], reverse=True)
    assert table.iloc[0][["dimension", "level"]].tolist() == ["session_type", "video"]


def test_holm_counts_every_comparison_of_an_outcome() -> None:
    frame = counts(*[("hour_of_day", f"{h:02d}:00", 100, 30 if h else 60, 0) for h in range(4)])
    table = table_of(frame)
    raw = np.array([drv.p_value(*c) for c in [(60, 100, 90, 300)] + [(30, 100, 120, 300)] * 3])
    midnight = row(table, "never_assigned", "hour_of_day", "00:00")
    assert midnight["p_value"] == pytest.approx(drv.holm(raw)[0])
    assert midnight["p_value"] == pytest.approx(min(1.0, raw[0] * 4))


def hours(unassigned_by_hour: dict[int, int], per_hour: int = 200) -> pd.DataFrame:
    """Requests in every hour, with ``unassigned_by_hour`` (default 40 of 200)."""
    rows = [
        ("hour_of_day", f"{h:02d}:00", per_hour, unassigned_by_hour.get(h, 40), 0)
        for h in range(24)
    ]
    frame = counts(*rows)
    frame["position"] = range(24)
    return frame


def test_consecutive_worse_hours_make_a_range_across_midnight() -> None:
    table = table_of(hours({22: 150, 23: 150, 0: 150, 1: 150, 12: 150}))
    ranges = drv.hour_ranges(table)
    never = ranges[ranges["outcome"] == "never_assigned"]
    assert len(never) == 1  # 12:00 alone is a level, not a range
    r = never.iloc[0]
    assert (r["first_hour"], r["last_hour"], r["hours"]) == (22, 1, 4)
    assert (r["requests"], r["failures"]) == (800, 600)
    rest_rate = (19 * 40 + 150) / (20 * 200)
    assert r["rest_rate"] == pytest.approx(rest_rate)
    assert r["excess"] == pytest.approx((0.75 - rest_rate) * 800)
    members = table[(table["dimension"] == "hour_of_day") & table["position"].isin([22, 23, 0, 1])]
    assert r["p_value"] == pytest.approx(
        members.query("outcome == 'never_assigned'")["p_value"].max()
    )


def test_causes_put_the_range_in_place_of_its_hours_and_leave_retries_out() -> None:
    frame = pd.concat(
        [
            hours({3: 150, 4: 150, 12: 150}),
            counts(("retry", "retry", 1000, 600, 0), ("retry", "first attempt", 3800, 530, 0)),
        ],
        ignore_index=True,
    )
    table = table_of(frame)
    found = drv.causes(table, drv.hour_ranges(table))
    never = found[found["outcome"] == "never_assigned"]
    assert never["level"].tolist() == ["03:00–04:59", "12:00"]
    assert never["excess"].is_monotonic_decreasing
    retry = row(table, "never_assigned", "retry", "retry")
    assert retry["significant"] and retry["excess"] > never["excess"].max()  # yet not a cause


def test_effects_per_outcome_and_dimension(two_types) -> None:
    frame = pd.concat(
        [two_types, counts(("weekday", "Mon", 10, 5, 1), ("weekday", "Tue", 990, 275, 99))],
        ignore_index=True,
    )
    dims = drv.dimension_table(frame, ())
    effects = drv.effects(drv.driver_table(frame, dims), dims).set_index(["outcome", "dimension"])
    assert effects.loc[("never_assigned", "session_type"), "effect"] == drv.EFFECT
    assert effects.loc[("cancelled", "session_type"), "effect"] == drv.NO_EFFECT
    # Tue has enough requests but its rest (Mon, 10) does not: nothing can be judged
    assert effects.loc[("never_assigned", "weekday"), "effect"] == drv.TOO_FEW


def test_dimension_statuses() -> None:
    frame = counts(
        ("session_type", "chat", 10, 1, 1),
        ("session_type", "video", 5, 1, 1),
        ("routing_type", "broadcast", 15, 2, 2),
        ("is_urgent", drv.NOT_RECORDED, 15, 2, 2),
    )
    dims = drv.dimension_table(frame, {"is_urgent"}).set_index("dimension")
    assert dims.loc["session_type", "status"] == drv.COMPARED
    assert dims.loc["routing_type", ["status", "only_level"]].tolist() == [
        drv.ONE_LEVEL,
        "broadcast",
    ]
    assert dims.loc["is_urgent", ["status", "only_level"]].tolist() == [
        drv.ONE_LEVEL,
        drv.NOT_RECORDED,
    ]
    assert dims.loc["plan_code", ["status", "column"]].tolist() == [drv.MISSING_COLUMN, "plan_code"]
    assert dims.loc["weekday", "status"] == drv.NO_REQUESTS
    assert set(drv.driver_table(frame, dims.reset_index())["dimension"]) == {"session_type"}


def raw_failures(*rows: tuple) -> pd.DataFrame:
    """``queries.failure_counts`` rows: (dimension, level, requests, never, cancelled)."""
    return pd.DataFrame(
        rows, columns=["dimension", "level", "requests", "never_assigned", "cancelled"]
    ).assign(failed=0)


def test_cities_compared_loosely_with_the_mechanics_cities() -> None:
    failures = raw_failures(
        ("customer_city", "Toronto", 50, 5, 2),
        ("customer_city", " toronto ", 3, 1, 0),
        ("customer_city", "Halifax", 20, 15, 3),
        ("customer_city", None, 7, 2, 1),
    )
    cities = drv.city_table(failures, ["TORONTO", None, "Ottawa"])
    assert cities.to_dict(orient="records") == [
        {"city": "Toronto", "requests": 53, "never_assigned": 6, "cancelled": 2, "mechanic": True},
        {
            "city": "Halifax",
            "requests": 20,
            "never_assigned": 15,
            "cancelled": 3,
            "mechanic": False,
        },
        {"city": None, "requests": 7, "never_assigned": 2, "cancelled": 1, "mechanic": None},
    ]


def test_level_counts_fold_slots_name_flags_and_sum_city_coverage() -> None:
    slots = pd.DataFrame(
        [(0, 3, 10, 6, 1), (1, 3, 5, 4, 0), (0, 14, 20, 2, 2)],
        columns=["weekday", "hour", "requests", "never_assigned", "cancelled"],
    )
    failures = raw_failures(
        ("customer_history", "1", 4, 1, 0),
        ("customer_history", "0", 31, 11, 3),
        ("is_urgent", None, 35, 12, 3),
        ("customer_city", "Halifax", 20, 10, 1),
        ("customer_city", "Toronto", 15, 2, 2),
    )
    retries = pd.DataFrame(
        {"retry": [0, 1], "requests": [30, 5], "never_assigned": [9, 3], "cancelled": [2, 1]}
    )
    cities = drv.city_table(failures, ["Toronto"])
    levels = drv.level_counts(failures, slots, retries, cities)
    by = {(r.dimension, r.level): (r.requests, r.never_assigned) for r in levels.itertuples()}
    assert by[("hour_of_day", "03:00")] == (15, 10)
    assert by[("weekday", "Mon")] == (30, 8)
    assert by[("customer_history", "new")] == (4, 1)
    assert by[("is_urgent", drv.NOT_RECORDED)] == (35, 12)
    assert by[("mechanic_in_city", "no")] == (20, 10)
    assert by[("mechanic_in_city", "yes")] == (15, 2)
    assert by[("retry", "retry")] == (5, 3)
    for _, rows in levels.groupby("dimension"):
        assert rows["requests"].sum() == 35  # every dimension's levels cover every request


def test_most_telling_puts_levels_beyond_the_noise_first(two_types) -> None:
    frame = pd.concat(
        [two_types, counts(("weekday", "Mon", 600, 175, 50), ("weekday", "Tue", 400, 105, 50))],
        ignore_index=True,
    )
    shown = drv.most_telling(table_of(frame), "never_assigned", 5)
    assert shown["level"].tolist() == ["video", "Mon"]  # chat and Tue fail less than the rest
    assert shown["significant"].tolist() == [True, False]
