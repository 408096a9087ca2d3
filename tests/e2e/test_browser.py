"""The exported pages in a real browser: headless Chromium, offline, every request recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from runs import Run

from analysis.runs.browser import CHROMIUM, check_pages

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}: run `make browser` to install it"
)
BUSY_WEEK = "2025-11-03_2025-11-09"
EMPTY_WEEK = "2025-10-13_2025-10-19"


@pytest.fixture(scope="module")
def checks(weekly: Run) -> dict[str, object]:
    assert weekly.code == 0, weekly.stderr
    pages = {
        "index": weekly.out / "index.html",
        "busy": weekly.out / BUSY_WEEK / "session_investigation.html",
        "empty": weekly.out / EMPTY_WEEK / "session_investigation.html",
    }
    return dict(zip(pages, check_pages(pages.values()), strict=True))


# Report charts: status, daily, mechanics, response times, customers, weekday x hour heatmap,
# success factors; root causes: drivers of unassigned and of cancelled requests, coverage,
# acceptance curve.
@pytest.mark.parametrize(("page", "images"), [("index", 3), ("busy", 11), ("empty", 11)])
def test_page_loads_offline_without_errors(checks, page: str, images: int) -> None:
    check = checks[page]
    assert check.problems == []
    assert check.console_errors == [] and check.requests == []
    assert len(check.images) == images
    assert all(i["loaded"] and i["blank"] is False for i in check.images)
    assert check.tables >= 1


def test_screenshots_next_to_the_pages(checks, weekly: Run) -> None:
    from PIL import Image

    for name, expected in (
        ("index", weekly.out / "index.png"),
        ("busy", weekly.out / BUSY_WEEK / "session_investigation.png"),
    ):
        assert checks[name].screenshot == expected
        with Image.open(expected) as shot:
            assert shot.width == 1280 and shot.height > 900
            low, high = shot.convert("L").getextrema()
            assert high - low > 100  # not blank


def test_remote_assets_and_errors_are_caught(tmp_path: Path) -> None:
    """The check itself: a remote image is blocked and reported, as is a script error."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><table><tr><td>x</td></tr></table>"
        '<img src="https://example.com/chart.png" alt="remote">'
        "<script>console.error('broken');</script></body></html>"
    )
    (check,) = check_pages([page], screenshots=False)
    assert check.requests == ["https://example.com/chart.png"]
    assert any("broken" in e for e in check.console_errors)
    problems = " ".join(check.problems)
    assert "did not load" in problems and "asked the network" in problems


def test_tables_wider_than_the_page_are_caught_and_clipped_ones_noted(tmp_path: Path) -> None:
    cell = "<td style='min-width: 1500px'>wide</td>"
    page = tmp_path / "wide.html"
    page.write_text(
        f"<html><body><table><tr>{cell}</tr></table>"
        "<div style='width: 600px; overflow-x: auto'>"
        "<table><tr><td style='min-width: 900px'>clipped</td></tr></table></div>"
        "<table><tr><td>fits</td></tr></table></body></html>"
    )
    (check,) = check_pages([page], screenshots=False)
    assert len(check.problems) == 1
    assert check.problems[0].startswith("table 1 is ")
    assert check.problems[0].endswith("past the 1280 px viewport")
    assert [t["clipped"] for t in check.table_sizes] == [False, True, False]


def test_a_long_unmasked_value_in_any_column_keeps_its_table_on_the_page(tmp_path: Path) -> None:
    """An unmasked e-mail (or a whole id) in a column other than the first may break inside
    itself: the report's table still fits 1280 px."""
    import nbformat
    import pandas as pd

    from analysis.report.display import table
    from analysis.report.html import export_html

    long = "someone.with.a.very.long.name.indeed" * 3 + "@example-mail-provider.com"
    frame = pd.DataFrame(
        {
            "Mechanic": ["a", "b"],
            "Email": [long, "x@y.ca"],
            **{f"Count {i}": [1234, 5] for i in range(10)},
        }
    )
    shown = {"text/html": table(frame).to_html()}
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", shown)])]
    )
    page = export_html(nb, tmp_path / "long.html")
    (check,) = check_pages([page], screenshots=False)
    assert check.problems == []
    assert len(check.table_sizes) == 1
