"""Charts: what they draw, from the data they are given (no image comparison)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

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
    finally:
        plt.close("all")


def test_bands_of_nobody_say_so() -> None:
    ax = plots.request_bands(pd.DataFrame(columns=["band", "entities", "requests"]), "mechanic")
    try:
        assert [t.get_text() for t in ax.texts] == ["No requests in this period"]
    finally:
        plt.close(ax.figure)
