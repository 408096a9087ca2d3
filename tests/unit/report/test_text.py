"""Wording helpers: counts, plurals and short ids."""

from __future__ import annotations

import numpy as np

from analysis.report.text import fmt_count, id_labels, plural, short_ids


def test_counts_have_thousands_separators_whatever_their_type() -> None:
    for value in (1234567, np.int64(1234567), 1234567.4, np.float64(1234566.6)):
        assert fmt_count(value) == "1,234,567"
    assert plural(np.int64(1), "mechanic") == "1 mechanic"
    assert plural(1000, "mechanic") == "1,000 mechanics"


def test_the_noun_agrees_with_the_number_written() -> None:
    assert plural(0.6, "second") == "1 second"
    assert plural(1.4, "second") == "1 second"
    assert plural(1.6, "second") == "2 seconds"
    assert plural(0, "request") == "0 requests"
    assert fmt_count(None) == fmt_count(float("nan")) == "n/a"


def test_only_ids_sharing_a_first_block_are_widened() -> None:
    twins = ["00000003-0000-4000-8000-000000000001", "00000003-0000-4000-8000-000000000002"]
    alone = "c62837da-1111-4000-8000-000000000009"
    labels = id_labels([*twins, alone, None, twins[0]])
    assert labels == {
        twins[0]: f"{twins[0][:8]}…{twins[0][-4:]}",
        twins[1]: f"{twins[1][:8]}…{twins[1][-4:]}",
        alone: alone[:8],
    }
    assert short_ids(iter([alone, None])) == [alone[:8], "—"]  # a generator is read once
