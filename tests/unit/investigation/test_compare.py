"""This period against the previous one: changes, real changes and the biggest movements."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.investigation import compare
from analysis.investigation.intervals import Rate


def figures(total, cancelled, completed, assigned, customers, mechanics, median):
    return {
        "requests": total,
        "cancelled": cancelled,
        "completed": completed,
        "never_assigned": total - assigned,
        "cancel_rate": Rate(cancelled, total),
        "completion_rate": Rate(completed, total),
        "assignment_rate": Rate(assigned, total),
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
    assert f["cancel_rate"] == Rate(3, 6)
    assert f["assignment_rate"] == Rate(2, 6)
    assert f["never_assigned"] == 4
    assert f["median_response_minutes"] == 2.0


def test_comparison_without_a_previous_period_has_no_changes() -> None:
    t = compare.comparison(figures(5, 1, 4, 4, 2, 1, 1.0), None)
    assert t["previous"].isna().all() and t["change"].isna().all()
    assert t.set_index("figure").loc["requests", "current"] == 5
    assert compare.biggest_movements(t).empty
