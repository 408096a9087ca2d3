"""Wording helpers: counts, plurals and short ids."""

from __future__ import annotations

import numpy as np

from analysis.report.text import fmt_count, plural


def test_counts_have_thousands_separators_whatever_their_type() -> None:
    for value in (1234567, np.int64(1234567), 1234567.4, np.float64(1234566.6)):
        assert fmt_count(value) == "1,234,567"
    assert plural(np.int64(1), "mechanic") == "1 mechanic"
    assert plural(1000, "mechanic") == "1,000 mechanics"
