"""95 % Wilson intervals and the "too few to judge" rule, on known values."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.investigation.intervals import Rate, too_few, with_interval
from analysis.report.text import rate_text


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
    lo, hi = Rate(k, n).interval
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_wilson_without_trials_is_unknown() -> None:
    assert Rate(0, 0).interval == (None, None)
    assert Rate(0, 0).to_dict() == {
        "count": 0,
        "of": 0,
        "rate": None,
        "low": None,
        "high": None,
        "too_few": True,
    }
    assert rate_text(Rate(0, 0)) == "—"
    assert rate_text(Rate(4, 5)) == "80 % (38–96 %)"


def test_all_or_nothing_bounds_are_exact() -> None:
    assert Rate(0, 7).low == 0.0 and Rate(7, 7).high == 1.0


def test_too_few_and_with_interval() -> None:
    assert too_few(19) and not too_few(20)
    assert Rate(3, 19).too_few and not Rate(3, 20).too_few
    out = with_interval(pd.DataFrame({"k": [4, 0], "n": [5, 0]}), "k", "n", "rate")
    assert out["rate"].tolist()[0] == 0.8 and out["rate"].isna().tolist()[1]
    assert out["rate_low"][0] == pytest.approx(0.3755, abs=1e-4)
    assert out["rate_low"].isna()[1] and out["rate_high"].isna()[1]


def test_separated_rates() -> None:
    assert Rate(40, 200).separated_from(Rate(60, 100))
    assert not Rate(4, 5).separated_from(Rate(3, 5))
    assert not Rate(4, 5).separated_from(Rate(0, 0))  # unknown overlaps everything
