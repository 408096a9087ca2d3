"""The package's own errors are one line wherever they show, IPython and Jupyter included."""

from __future__ import annotations

import pytest

from analysis.errors import AnalysisError
from analysis.period import Period


def test_ipython_shows_the_message_alone() -> None:
    error = AnalysisError("start date 2025-11-31: November 2025 has 30 days")
    assert error._render_traceback_() == [
        "\x1b[0;31mAnalysisError\x1b[0m: start date 2025-11-31: November 2025 has 30 days"
    ]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2025-11-31", "start date 2025-11-31: November 2025 has 30 days"),
        ("2025-02-29", "start date 2025-02-29: February 2025 has 28 days"),
        ("2025-13-01", "start date 2025-13-01: there is no month 13 (months are 1–12)"),
        ("31/11/2025", "start date '31/11/2025' is not a date: write it as YYYY-MM-DD"),
    ],
)
def test_an_impossible_date_says_which_part_is_impossible(start: str, message: str) -> None:
    with pytest.raises(AnalysisError) as caught:
        Period.parse(start, "2025-12-31")
    assert str(caught.value).startswith(message)
    assert len(caught.value._render_traceback_()) == 1
