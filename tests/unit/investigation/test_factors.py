"""Mechanic success factors on hand-built mechanics whose answers are known."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.investigation import factors
from analysis.investigation.intervals import Rate

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
        Rate(0, 6).high
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
