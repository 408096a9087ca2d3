"""Markdown for notebooks: masked e-mails and names shown as written, never as links."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report.display import count_columns, markdown, table


def test_a_masked_e_mail_is_neither_bold_nor_a_link() -> None:
    text = markdown("**c***1@test.com** created 77 % of all requests")
    assert text == r"**c\*\*\*1<span>@</span>test.com** created 77 % of all requests"
    assert "1@test.com" not in text  # what JupyterLab would autolink (mailto:1@test.com)


def test_every_masked_e_mail_and_name_in_a_sentence() -> None:
    text = markdown("c***1@test.com (A*** T***), o***r@autodoctor.example #2 and x@y.org")
    assert text == (
        r"c\*\*\*1<span>@</span>test.com (A\*\*\* T\*\*\*), "
        r"o\*\*\*r<span>@</span>autodoctor.example #2 and x@y.org"
    )


def test_text_without_masks_is_unchanged() -> None:
    assert markdown("43 requests; see `f.requests()`") == "43 requests; see `f.requests()`"


def _cells(frame: pd.DataFrame, **options: object) -> list[str]:
    """The body cells of ``table(frame)`` as shown, row by row."""
    styled = table(frame, **options)
    styled._compute()
    return [styled._display_funcs[(i, j)](v) for (i, j), v in np.ndenumerate(frame.to_numpy())]


def test_counts_have_separators_years_and_ids_do_not() -> None:
    year, count, mechanic = 2025, 12345, 1234567
    frame = pd.DataFrame({"Year": [year], "Requests": [count], "Mechanic id": [mechanic]})
    assert count_columns(frame) == ["Requests"]
    assert _cells(frame) == [str(year), f"{count:,}", str(mechanic)]
    assert _cells(frame, counts=["Year"]) == [f"{year:,}", str(count), str(mechanic)]


def test_the_report_s_count_columns_keep_their_separators(reference) -> None:
    from analysis.report import sections

    for frame in (sections.status_table(reference), sections.mechanics_table(reference)):
        whole = [c for c in frame.columns if frame[c].dtype.kind in "iu"]
        assert whole and count_columns(frame) == whole


def test_only_cells_with_a_long_word_may_break_inside_it() -> None:
    from analysis.report.display import LONG_WORD

    long = "a" * (LONG_WORD + 1) + "@example.com"
    frame = pd.DataFrame({"Customer": ["short words only", long], "Requests": [1, 2]})
    html = table(frame).to_html()
    assert html.count("overflow-wrap: anywhere") == 1
