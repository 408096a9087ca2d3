"""Charts: what they draw, from the data they are given (no image comparison)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

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
    long = plots.top_with_others(per_customer, "customer", top_n=10, statuses=["cancelled",
                                 "completed", "expired"])  # fmt: skip
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
