"""Charts: what they draw, from the data they are given (no image comparison)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from unittest import mock

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from traitlets.config import Config

from analysis.investigation import drivers as drv
from analysis.investigation.coverage import coverage_table
from analysis.report import plots


@pytest.fixture
def per_customer() -> pd.DataFrame:
    """25 customers: the busiest has an unexpected status, "expired"."""
    rows = [{"customer": "a", "requests": 40, "cancelled": 30, "completed": 5, "expired": 5}]
    rows += [
        {"customer": f"c{i:02d}", "requests": 2, "cancelled": 1, "completed": 1, "expired": 0}
        for i in range(24)
    ]
    return pd.DataFrame(rows).assign(share=0.1, per_day=1.0)


def test_top_customers_plus_others_keep_every_request(per_customer: pd.DataFrame) -> None:
    long = plots.top_with_others(
        per_customer, "customer", top_n=10, statuses=["cancelled", "completed", "expired"]
    )
    assert long["requests"].sum() == per_customer["requests"].sum()
    assert list(dict.fromkeys(long["customer"]))[-1] == "15 others"
    others = long[long["customer"] == "15 others"].set_index("status")["requests"]
    assert others.to_dict() == {"cancelled": 15, "completed": 15}
    assert long.loc[long["customer"] == "a", "status"].tolist() == [
        "cancelled",
        "completed",
        "expired",
    ]


def test_unexpected_status_is_drawn_not_dropped(per_customer: pd.DataFrame) -> None:
    statuses = ["cancelled", "completed", "expired"]
    ax = plots.requests_per(per_customer, "customer", "Per customer", top_n=10, statuses=statuses)
    try:
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert sorted(legend) == statuses
        widest = max(p.get_x() + p.get_width() for p in ax.patches)
        assert widest == pytest.approx(40)  # the busiest bar holds all 40 requests
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[0] == "a" and labels[-1] == "15 others" and len(labels) == 11
    finally:
        plt.close(ax.figure)


def test_empty_table_says_so() -> None:
    ax = plots.requests_per(pd.DataFrame(columns=["customer", "requests"]), "customer", "Per")
    try:
        assert any("no requests" in t.get_text().lower() for t in ax.texts)
    finally:
        plt.close(ax.figure)


# --- root causes ---------------------------------------------------------------------------


def _drivers() -> pd.DataFrame:
    levels = pd.DataFrame(
        [
            ("session_type", "video", 0, 200, 120, 20),
            ("session_type", "chat", 1, 800, 160, 80),
            ("weekday", "Sun", 6, 10, 9, 0),
            ("weekday", "Mon", 0, 990, 271, 100),
        ],
        columns=drv.COUNT_COLUMNS,
    )
    dims = drv.dimension_table(levels, ())
    return drv.driver_table(levels, dims)


def test_driver_rates_show_levels_beyond_the_noise_with_the_rest() -> None:
    ax = plots.driver_rates(
        _drivers(), "never_assigned", "Unassigned", labels={"session_type": "session type"}
    )
    try:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        # Sunday fails more but has too few requests; chat and Monday fail less
        assert labels == ["* session type: video (n=200, +80)"]
        rest = ax.collections[-1].get_offsets()[:, 0]
        assert rest.tolist() == [pytest.approx(0.2)]
    finally:
        plt.close(ax.figure)


def test_driver_rates_without_a_level_to_show_say_so() -> None:
    ax = plots.driver_rates(_drivers(), "cancelled", "Cancelled")
    try:
        assert any("no level" in t.get_text().lower() for t in ax.texts)
    finally:
        plt.close(ax.figure)


def test_coverage_heatmap_outlines_demand_without_supply() -> None:
    counts = pd.DataFrame(
        [(0, 9, 10, 2, 1, None), (0, 9, None, None, None, 3), (6, 3, 4, 4, 0, None)],
        columns=["weekday", "hour", "requests", "never_assigned", "cancelled", "mechanics"],
    )
    ax = plots.coverage_heatmap(coverage_table(counts))
    try:
        outlined = [p for p in ax.patches if isinstance(p, plt.Rectangle) and not p.get_fill()]
        assert [(p.get_x(), p.get_y()) for p in outlined] == [(3, 6)]
        assert sorted(t.get_text() for t in ax.texts) == ["0", "3"]  # mechanics per slot
    finally:
        plt.close(ax.figure)


def test_acceptance_curve_draws_all_requests_and_each_type() -> None:
    curve = pd.DataFrame(
        [("all", 10, 0.1, 0.5), ("chat", 8, 0.125, 0.5), ("video", 2, 0.0, 0.5)],
        columns=["session_type", "requests", "within_1", "within_5"],
    )
    ax = plots.acceptance_curve(curve, (1, 5))
    try:
        assert [line.get_label() for line in ax.lines] == [
            "all (n=10)",
            "chat (n=8)",
            "video (n=2)",
        ]
        assert ax.lines[0].get_ydata().tolist() == [0.1, 0.5]
        assert ax.lines[0].get_linewidth() > ax.lines[1].get_linewidth()
    finally:
        plt.close(ax.figure)


def test_many_customers_are_drawn_as_bands_a_few_as_bars(per_customer: pd.DataFrame) -> None:
    statuses = ["cancelled", "completed", "expired"]
    few = plots.requests_per_or_bands(per_customer, "customer", "Per", top_n=25, statuses=statuses)
    many = plots.requests_per_or_bands(per_customer, "customer", "Per", top_n=10)
    try:
        assert len(few.get_yticklabels()) == 25  # one bar each: all 25 fit
        assert [t.get_text() for t in many.get_xticklabels()] == [
            "1", "2", "3–4", "5–9", "10–19", "20–49"
        ]  # fmt: skip
        assert [p.get_height() for p in many.patches] == [0, 24, 0, 0, 0, 1]
        labels = [t.get_text() for t in many.texts]  # each band's share of the requests
        assert labels == ["55%", "45%"]  # 48 and 40 of 88
        assert many.get_title().startswith("Customers by number of requests")
        total = int(per_customer["requests"].sum())
        assert many.get_title().endswith(f"(labels: their share of the {total:,} requests)")
    finally:
        plt.close("all")


def test_bands_of_nobody_say_so() -> None:
    ax = plots.request_bands(pd.DataFrame(columns=["band", "entities", "requests"]), "mechanic")
    try:
        assert [t.get_text() for t in ax.texts] == ["No requests in this period"]
    finally:
        plt.close(ax.figure)


# --- margins (fit), the chart decorator, heatmaps, SVG in IPython ----------------------------

DEFAULT_LEFT = matplotlib.rcParams["figure.subplot.left"]  # 0.125
LONG_NAMES = [f"customer-{i}-" + "x" * 47 for i in range(5)]  # 60 characters each


def _inside(figure: Figure, box: Bbox) -> bool:
    whole = figure.bbox
    return whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0 and box.y1 <= whole.y1


def _drawn(ax: Axes) -> RendererBase:
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def _per_customer_long() -> Axes:
    table = pd.DataFrame({"customer": LONG_NAMES, "requests": [5, 4, 3, 2, 1]})
    table["completed"] = table["requests"]
    return plots.requests_per(table, "customer", "Per customer")


def _factor_rates_long() -> Axes:
    factors = pd.DataFrame(
        {
            "factor": ["mechanic_type"] * 3,
            "level": ["independent " + "y" * 30, "dealership", "unknown"],
            "requests": [120, 80, 3],
            "completion_rate": [0.5, 0.6, 0.7],
            "completion_rate_low": [0.4, 0.5, 0.3],
            "completion_rate_high": [0.6, 0.7, 0.9],
        }
    )
    return plots.factor_rates(factors)


@pytest.mark.parametrize("draw", [_per_customer_long, _factor_rates_long])
def test_long_tick_labels_fit_inside_the_figure(draw: Callable[[], Axes]) -> None:
    ax = draw()
    try:
        renderer = _drawn(ax)
        labels = ax.get_yticklabels()
        assert len(labels) >= 3 and max(len(t.get_text()) for t in labels) >= 40
        outside = [
            t.get_text() for t in labels if not _inside(ax.figure, t.get_window_extent(renderer))
        ]
        assert outside == []
        assert ax.figure in plots._FITTED
        assert ax.get_position().x0 > DEFAULT_LEFT + 0.2  # moved right to make room
    finally:
        plt.close(ax.figure)


def test_acceptance_curves_legend_right_of_the_axes_fits_inside() -> None:
    curve = pd.DataFrame(
        [("all", 10, 0.1, 0.5), ("a session type with a long name", 8, 0.125, 0.5)],
        columns=["session_type", "requests", "within_1", "within_5"],
    )
    ax = plots.acceptance_curve(curve, (1, 5))
    try:
        renderer = _drawn(ax)
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.x0 > ax.bbox.x1  # outside the axes, on the right
        assert _inside(ax.figure, legend)
        assert _inside(ax.figure, ax.title.get_window_extent(renderer))
    finally:
        plt.close(ax.figure)


def _coverage() -> Axes:
    counts = pd.DataFrame(
        [(0, 9, 10, 2, 1, None), (0, 9, None, None, None, 3), (6, 3, 4, 4, 0, None)],
        columns=["weekday", "hour", "requests", "never_assigned", "cancelled", "mechanics"],
    )
    return plots.coverage_heatmap(coverage_table(counts))


def _hour_weekday() -> Axes:
    grid = pd.DataFrame(
        [[(day * 24 + hour) % 40 for hour in range(24)] for day in range(7)],
        index=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        columns=range(24),
    )
    return plots.hour_weekday_heatmap(grid)


def _wide_colour_bar() -> Axes:
    """A heatmap whose colour bar's tick labels are wide: they stick out unless fitted."""
    figure, ax = plt.subplots()
    values = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["a", "b"], columns=["x", "y"])
    plots.heatmap(ax, values, label="a label", number_format="{x:.1f} requests per slot")
    plots.fit(figure)
    return ax


@pytest.mark.parametrize(
    ("draw", "label"),
    [
        (_coverage, "never-assigned rate"),
        (_hour_weekday, "requests"),
        (_wide_colour_bar, "a label"),
    ],
)
def test_heatmaps_colour_bar_and_its_label_fit_inside(draw: Callable[[], Axes], label: str) -> None:
    ax = draw()
    try:
        renderer = _drawn(ax)
        (bar,) = [a for a in ax.figure.axes if a is not ax]
        assert bar.get_ylabel() == label
        assert _inside(ax.figure, bar.yaxis.label.get_window_extent(renderer))
        assert _inside(ax.figure, bar.get_tightbbox(renderer))
        assert _inside(ax.figure, ax.yaxis.get_tightbbox(renderer))
        assert ax.figure in plots._FITTED
    finally:
        plt.close(ax.figure)


def test_a_heatmap_is_fitted_with_its_margin_on_the_right_not_more() -> None:
    ax = _hour_weekday()
    try:
        renderer = _drawn(ax)
        figure = ax.figure
        boxes = [a.get_tightbbox(renderer) for a in figure.axes]
        pad = plots.MARGIN_POINTS / 72 * figure.dpi
        assert figure.bbox.x1 - Bbox.union(boxes).x1 <= 2 * pad
    finally:
        plt.close(ax.figure)


def test_a_title_wider_than_its_axes_stays_inside() -> None:
    ax = _factor_rates_long()
    try:
        renderer = _drawn(ax)
        assert _inside(ax.figure, ax.title.get_window_extent(renderer))
    finally:
        plt.close(ax.figure)


def test_labels_wider_than_the_figure_still_give_a_chart() -> None:
    names = [f"customer-{i}-" + "x" * 140 for i in range(3)]
    table = pd.DataFrame({"customer": names, "requests": [3, 2, 1]})
    table["completed"] = table["requests"]
    ax = plots.requests_per(table, "customer", "Per customer")
    plt.close(ax.figure)


@pytest.mark.parametrize("by_keyword", [True, False])
def test_a_chart_drawn_on_a_given_axes_leaves_its_figure_alone(by_keyword: bool) -> None:
    figure, ax = plt.subplots()
    try:
        before = vars(figure.subplotpars).copy()
        table = pd.DataFrame({"customer": LONG_NAMES, "requests": [5, 4, 3, 2, 1]})
        table["completed"] = table["requests"]
        if by_keyword:
            drawn = plots.requests_per(table, "customer", "Per customer", ax=ax)
        else:
            drawn = plots.requests_per(table, "customer", "Per customer", ax)
        assert drawn is ax
        assert figure not in plots._FITTED
        assert vars(figure.subplotpars) == before
        assert ax.get_position().x0 == pytest.approx(DEFAULT_LEFT)
    finally:
        plt.close(figure)


def test_a_chart_on_its_own_figure_is_fitted_once() -> None:
    # requests_per_or_bands hands its figure to requests_per, which fits it: not again.
    table = pd.DataFrame({"customer": LONG_NAMES, "requests": [5, 4, 3, 2, 1]})
    table["completed"] = table["requests"]
    with mock.patch.object(plots, "fit", wraps=plots.fit) as fit:
        ax = plots.requests_per_or_bands(table, "customer", "Per customer")
    try:
        fit.assert_called_once_with(ax.figure)
        assert ax.figure in plots._FITTED
    finally:
        plt.close(ax.figure)


def test_heatmap_blanks_nan_cells_and_writes_numbers_readably() -> None:
    values = pd.DataFrame(
        [[0.0, np.nan, 0.5], [1.0, 0.25, np.nan]], index=["Mon", "Tue"], columns=[9, 10, 11]
    )
    numbers = pd.DataFrame([[1, 2, 3], [4, 5, np.nan]], index=values.index, columns=values.columns)
    figure, ax = plt.subplots()
    try:
        assert plots.heatmap(ax, values, numbers, label="rate", limits=(0, 1)) is ax
        (mesh,) = ax.collections
        assert np.ma.getmaskarray(mesh.get_array()).tolist() == [
            [False, True, False],
            [False, False, True],
        ]
        assert (mesh.norm.vmin, mesh.norm.vmax) == (0, 1)
        texts = {(t.get_position(), t.get_text()): t.get_color() for t in ax.texts}
        # no number in a blank cell (2) nor without one (NaN); the first row on top
        assert sorted(text for _, text in texts) == ["1", "3", "4", "5"]
        lightest, darkest = texts[((0.5, 0.5), "1")], texts[((0.5, 1.5), "4")]
        assert darkest == "white"
        assert lightest != darkest
        assert [t.get_text() for t in ax.get_xticklabels()] == ["9", "10", "11"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["Mon", "Tue"]
        (bar,) = [a for a in figure.axes if a is not ax]
        assert bar.get_ylabel() == "rate"
    finally:
        plt.close(figure)


def test_heatmap_without_annotations_writes_nothing() -> None:
    figure, ax = plt.subplots()
    try:
        plots.heatmap(ax, pd.DataFrame([[1.0, 2.0]], index=["a"], columns=["x", "y"]))
        assert list(ax.texts) == []
        assert ax.get_ylim() == (1, 0)  # first row on top
    finally:
        plt.close(figure)


@pytest.fixture
def ipython() -> Iterator[InteractiveShell]:
    """An in-process IPython shell (history in memory), gone afterwards with pyplot's hook on
    it and the rcParams ``use_theme`` changed."""
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    with matplotlib.rc_context():
        shell = InteractiveShell.instance(config=config)
        try:
            yield shell
        finally:
            plt.uninstall_repl_displayhook()
            InteractiveShell.clear_instance()


def _svg_width(shell: InteractiveShell, figure: Figure) -> float:
    data, _ = shell.display_formatter.format(figure)
    assert "image/svg+xml" in data
    assert "image/png" not in data
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', data["image/svg+xml"])
    assert width is not None
    return float(width[1])


def test_in_ipython_figures_are_svg_charts_uncropped_others_cropped(ipython) -> None:
    plain = plt.figure()
    assert "image/svg+xml" not in ipython.display_formatter.format(plain)[0]
    plt.close(plain)
    plots.use_theme()
    ax = plots.requests_by_status(
        pd.DataFrame({"status": ["completed"], "requests": [3], "share": [1.0]})
    )
    figure, other = plt.subplots()
    other.plot([1, 2, 3])
    try:
        assert ax.figure in plots._FITTED
        inches = ax.figure.get_size_inches()[0]
        assert _svg_width(ipython, ax.figure) == pytest.approx(inches * 72, abs=0.01)
        assert figure not in plots._FITTED
        assert _svg_width(ipython, figure) < figure.get_size_inches()[0] * 72 - 20
    finally:
        plt.close(ax.figure)
        plt.close(figure)


def test_outside_ipython_the_theme_registers_nothing() -> None:
    with matplotlib.rc_context():
        plots.use_theme()
        assert matplotlib.rcParams["svg.fonttype"] == "none"
        assert tuple(matplotlib.rcParams["figure.figsize"]) == plots.FIGSIZE
    assert InteractiveShell.initialized() is False


def test_count_axes_tick_whole_requests_only() -> None:
    status = pd.DataFrame({"status": ["cancelled", "completed"], "requests": [3, 1], "share": 0.5})
    ax = plots.requests_by_status(status)
    try:
        ax.figure.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert len(ticks) == len(set(ticks))  # no 0.5 rounded to a second "0" or "2"
    finally:
        plt.close(ax.figure)


def test_short_ids_of_missing_ids_are_dashes_and_zero_is_an_id() -> None:
    from analysis.report.text import short_ids

    assert short_ids([0, None, float("nan"), pd.NA]) == ["0", "—", "—", "—"]


def test_fit_leaves_a_figure_without_axes_as_it_is() -> None:
    figure = Figure(figsize=(4, 3))
    margins = vars(figure.subplotpars).copy()
    assert plots.fit(figure) is figure
    assert vars(figure.subplotpars) == margins


def test_chart_labels_count_with_thousands_separators(thousands) -> None:
    """The "N others" bar and the "(n=N)" labels of a period with over a thousand of each."""
    many = pd.DataFrame({"customer": [f"c{i}" for i in range(1016)], "requests": 1, "pending": 1})
    long = plots.top_with_others(many, "customer", top_n=15, statuses=["pending"])
    assert long["customer"].iloc[-1] == f"{len(many) - 15:,} others"
    ax = plots.factor_rates(thousands.factors)
    try:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        expected = {f"(n={n:,})" for n in thousands.factors["requests"]}
        assert any(n >= 1000 for n in thousands.factors["requests"])
        assert {label[label.rindex("(") :] for label in labels} == expected
    finally:
        plt.close(ax.figure)
