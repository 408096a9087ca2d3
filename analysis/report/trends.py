"""Charts across periods for the index page. Like ``analysis.report.plots``: each takes data already
computed (``analysis.index.headline_frame`` and ``status_frame``), draws on ``ax`` if given and
returns the Axes; the theme is ``plots.use_theme``'s."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from analysis.report.plots import COUNT_FORMAT, note_in_middle, stacked_status_bars

TREND_FIGSIZE = (10, 3.6)
FAILED_COLOR = "#d62828"
RATE_COLUMNS = {
    "cancel_rate": "cancelled",
    "completion_rate": "completed",
    "never_assigned_share": "never assigned",
}
RATE_COLORS = {"cancelled": "#e76f51", "completed": "#2a9d8f", "never assigned": "#6c757d"}


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=TREND_FIGSIZE)[1]


def _period_axis(ax: Axes, periods: pd.DataFrame) -> None:
    """A tick per period with a label (``tick``; empty: no tick), e.g. its first day; failed
    periods marked in red."""
    labelled = [(i, t) for i, t in enumerate(periods["tick"]) if t]
    ax.set_xticks([i for i, _ in labelled])
    tilt = len(labelled) > 8
    ax.set_xticklabels(
        [t for _, t in labelled],
        rotation=45 if tilt else 0,
        ha="right" if tilt else "center",
        rotation_mode="anchor",
    )
    ax.set_xlim(-0.6, len(periods) - 0.4)
    tick_of = {i: n for n, (i, _) in enumerate(labelled)}
    for i, failed in enumerate(periods["failed"]):
        if failed:
            if i in tick_of:
                ax.get_xticklabels()[tick_of[i]].set_color(FAILED_COLOR)
            ax.axvspan(i - 0.45, i + 0.45, color=FAILED_COLOR, alpha=0.08, linewidth=0)
            ax.text(
                i,
                0.5,
                "failed",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                rotation=90,
                color=FAILED_COLOR,
                fontsize=9,
            )


def requests_per_period(
    periods: pd.DataFrame, statuses: pd.DataFrame, ax: Axes | None = None
) -> Axes:
    """Stacked bars of requests by status per period. ``periods``: tick, failed (one row per
    period, in order); ``statuses``: position, status, requests."""
    ax = _axes(ax)
    if len(statuses) and statuses["requests"].sum() > 0:
        # Every period keeps its position, with or without requests.
        stacked_status_bars(statuses, "position", ax, keys=list(range(len(periods))))
    else:
        note_in_middle(ax, "No requests in these periods")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    ax.set(title="Requests per period by status", xlabel="period starting", ylabel="requests")
    _period_axis(ax, periods)
    return ax


def rates_per_period(periods: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Cancellation rate, completion rate and never-assigned share per period, as lines;
    periods without requests have no point. ``periods``: tick, failed and the rate columns."""
    ax = _axes(ax)
    long = (
        periods.reset_index(drop=True)
        .rename_axis("position")
        .reset_index()
        .melt(id_vars=["position"], value_vars=list(RATE_COLUMNS), var_name="rate")
        .dropna(subset=["value"])
    )
    long["rate"] = long["rate"].map(RATE_COLUMNS)
    if len(long):
        sns.lineplot(
            data=long,
            x="position",
            y="value",
            hue="rate",
            hue_order=list(RATE_COLORS),
            palette=RATE_COLORS,
            marker="o",
            ax=ax,
        )
        ax.legend(title="", frameon=False, ncols=3, loc="upper left")
    else:
        note_in_middle(ax, "No requests in these periods")
    ax.set_ylim(-0.03, 1.15)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(
        title="Cancellation, completion and never-assigned rates",
        xlabel="period starting",
        ylabel="share of requests",
    )
    _period_axis(ax, periods)
    return ax


def response_per_period(periods: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Median minutes to acceptance per period (no point where nothing was accepted)."""
    ax = _axes(ax)
    points = periods.reset_index(drop=True).rename_axis("position").reset_index()
    points = points.dropna(subset=["median_response"])
    if len(points):
        sns.lineplot(
            data=points, x="position", y="median_response", marker="o", color="#457b9d", ax=ax
        )
        ax.set_ylim(0, float(points["median_response"].max()) * 1.25 or 1)
    else:
        ax.text(
            0.5,
            0.5,
            "No accepted requests in these periods",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#6c757d",
        )
    ax.set(title="Median time to acceptance", xlabel="period starting", ylabel="minutes")
    _period_axis(ax, periods)
    return ax
