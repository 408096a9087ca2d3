"""Charts. Each takes data already computed (never loads it), draws on ``ax`` if given, and
returns the Axes. The seaborn theme is set here, once, by ``use_theme``."""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any, ParamSpec

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from analysis.domain import MISSING_STATUS, TOP_N
from analysis.investigation.drivers import most_telling
from analysis.investigation.metrics import request_bands as bands_of
from analysis.report.text import fmt_count

# Stacking order: the good outcomes at the base.
STATUS_ORDER = ("completed", "accepted", "pending", "cancelled", "expired", "unattended")
STATUS_COLORS = {
    "completed": "#2a9d8f",
    "accepted": "#8ab17d",
    "pending": "#e9c46a",
    "cancelled": "#e76f51",
    "expired": "#9c6644",
    "unattended": "#6c757d",
}
OTHER_COLOR = "#adb5bd"
COUNT_FORMAT = "{x:,.0f}"  # 200,000 requests (a new formatter per axis)
HEATMAP_COLORS = "rocket_r"  # seaborn's, registered with matplotlib when seaborn is imported
FIGSIZE = (9, 4)
P = ParamSpec("P")


def use_theme() -> None:
    """The one place the look of every chart is decided."""
    sns.set_theme(context="notebook", style="whitegrid", font_scale=0.95)
    plt.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 110,
            "axes.titleweight": "bold",
            "svg.fonttype": "none",  # text stays text: smaller, and drawn by the reader's fonts
        }
    )
    _show_as_svg()


def _show_as_svg() -> None:
    """In IPython (a notebook, the runner's kernel) figures are shown as SVG: sharp at any
    zoom, and quicker to make than a PNG. A chart of this module has its margins set
    (``fit``) and is drawn once; any other figure is cropped to its content as usual (which
    draws it twice)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg")
    shell.display_formatter.formatters["image/svg+xml"].for_type(
        Figure,
        lambda figure: print_figure(
            figure, "svg", bbox_inches=None if figure in _FITTED else "tight"
        ),
    )


_FITTED: weakref.WeakSet[Figure] = weakref.WeakSet()
MARGIN_POINTS = 6


def fit(figure: Figure) -> Figure:
    """Set ``figure``'s subplot margins so that its tick labels, axis labels, titles, colour
    bars and legends fit inside it with ``MARGIN_POINTS`` around. Only those texts are
    measured, not the whole figure drawn (as a tight crop does, every annotation included).
    Measured twice when a colour bar or a title wider than its axes moves with the margins;
    labels too wide for the figure leave the plot a quarter of it, and are cut. A figure with
    no axes has nothing to measure: it is left as it is."""
    if not figure.axes:
        return figure
    renderer = figure.canvas.get_renderer()
    _fit_once(figure, renderer)
    titles = [ax.title.get_window_extent(renderer).width for ax in figure.axes]
    if len(figure.axes) > 1 or any(
        w > ax.get_window_extent(renderer).width for w, ax in zip(titles, figure.axes, strict=True)
    ):
        _fit_once(figure, renderer)
    pad = MARGIN_POINTS / 72 * figure.dpi
    for ax in figure.axes:  # a centred title wider than its axes: moved back inside
        box, axes_width = ax.title.get_window_extent(renderer), ax.bbox.width
        shift = max(box.x1 - (figure.bbox.width - pad), 0) or min(box.x0 - pad, 0)
        if ax.title.get_text() and shift:
            ax.title.set_x(ax.title.get_position()[0] - shift / axes_width)
    _FITTED.add(figure)
    return figure


def _fit_once(figure: Figure, renderer: Any) -> None:
    for ax in figure.axes:
        ax.apply_aspect()  # a colour bar takes its drawn width
    params = figure.subplotpars
    width, height = figure.bbox.width, figure.bbox.height
    region = Bbox.from_extents(
        params.left * width, params.bottom * height, params.right * width, params.top * height
    )
    boxes = []
    for ax in figure.axes:
        boxes += [ax.get_window_extent(renderer)]
        boxes += [axis.get_tightbbox(renderer) for axis in (ax.xaxis, ax.yaxis)]
        boxes += [ax.title.get_window_extent(renderer)] if ax.title.get_text() else []
        if ax.get_legend() is not None:
            boxes.append(ax.get_legend().get_window_extent(renderer))
    content = Bbox.union([b for b in boxes if b is not None and b.width and b.height])
    pad = MARGIN_POINTS / 72 * figure.dpi
    left = min((region.x0 - content.x0 + pad) / width, 0.6)
    right = max(1 - (content.x1 - region.x1 + pad) / width, left + 0.25)
    bottom = min((region.y0 - content.y0 + pad) / height, 0.6)
    top = max(1 - (content.y1 - region.y1 + pad) / height, bottom + 0.25)
    figure.subplots_adjust(left=left, right=right, bottom=bottom, top=top)


def chart(draw: Callable[P, Axes]) -> Callable[P, Axes]:
    """A chart function that, when it made its own figure (no ``ax`` given), ``fit``s it."""
    signature = inspect.signature(draw)

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> Axes:
        given = signature.bind(*args, **kwargs).arguments.get("ax")
        ax = draw(*args, **kwargs)
        if given is None and ax.figure not in _FITTED:
            fit(ax.figure)
        return ax

    return drawn


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=FIGSIZE)[1]


def note_in_middle(ax: Axes, text: str) -> None:
    """A grey note in the middle of an empty chart."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#6c757d")


def _empty(ax: Axes, title: str) -> Axes:
    ax.set_title(title)
    note_in_middle(ax, "No requests in this period")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def status_legend(ax: Axes) -> None:
    """The statuses' legend, one per line, right of the axes: clear of the data, whatever the
    number of statuses."""
    ax.legend(title="", frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))


def status_palette(statuses: list[str]) -> dict[str, str]:
    """Fixed colours for known statuses, the same in every chart; grey shades for others."""
    extra = [s for s in statuses if s not in STATUS_COLORS]
    greys = sns.color_palette("Greys", len(extra) + 2).as_hex()[1:]
    return {**STATUS_COLORS, **dict(zip(extra, greys, strict=False))}


def status_order(statuses: pd.Series) -> list[str]:
    present = {str(s) for s in statuses.unique()}
    return [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))


@chart
def requests_by_status(status: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bar per status. ``status``: status, requests, share (metrics.status_breakdown)."""
    ax = _axes(ax)
    title = "Requests by status"
    if status.empty:
        return _empty(ax, title)
    order = status_order(status["status"])
    sns.barplot(
        data=status,
        y="status",
        x="requests",
        hue="status",
        order=order,
        palette=status_palette(order),
        legend=False,
        ax=ax,
    )
    for container in ax.containers:
        labels = [f"{int(v):,} ({v / status['requests'].sum():.0%})" for v in container.datavalues]
        ax.bar_label(container, labels=labels, padding=3)
    ax.set(title=title, xlabel="requests", ylabel="")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole requests only
    ax.xaxis.set_major_formatter(COUNT_FORMAT)
    ax.margins(x=0.15)
    return ax


@chart
def daily_requests(daily: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Stacked bars of requests per local day by status. ``daily``: day, status, requests
    (metrics.daily_by_status). Readable from a week to a year: bars become a stacked area."""
    ax = _axes(ax)
    title = "Requests per day by status (local dates)"
    if daily.empty:
        return _empty(ax, title)
    wide = daily.pivot_table(
        index="day", columns="status", values="requests", aggfunc="sum", fill_value=0
    )
    wide.index = pd.to_datetime(wide.index)
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="D"), fill_value=0)
    order = status_order(daily["status"])
    colors = status_palette(order)
    bottom = np.zeros(len(wide))
    for status in order:
        values = wide[status].to_numpy()
        if len(wide) <= 62:
            ax.bar(wide.index, values, bottom=bottom, width=0.8, color=colors[status], label=status)
        else:
            ax.fill_between(
                wide.index,
                bottom,
                bottom + values,
                step="mid",
                color=colors[status],
                label=status,
                linewidth=0,
            )
        bottom += values
    locator = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set(title=title, xlabel="", ylabel="requests")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole requests only
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    status_legend(ax)
    ax.set_ylim(0, bottom.max() * 1.05)
    return ax


@chart
def response_times(bins: pd.DataFrame, median: float | None, ax: Axes | None = None) -> Axes:
    """Requests per response-time bin (``metrics.response_histogram``: label, lower, upper,
    requests; binned in the database), with the bin holding the median marked."""
    ax = _axes(ax)
    title = "Time to acceptance"
    if bins.empty or int(bins["requests"].sum()) == 0:
        return _empty(ax, title)
    sns.barplot(data=bins, x="label", y="requests", color="#457b9d", ax=ax)
    if median is not None:
        inside = (bins["lower"] <= median) & (bins["upper"].isna() | (median < bins["upper"]))
        position = int(np.flatnonzero(inside.to_numpy())[0])
        ax.axvline(position, color="#e76f51", linestyle="--", label=f"median {median:.2f} min")
        ax.legend(frameon=False)
    ax.set(title=title, xlabel="minutes from request to acceptance", ylabel="requests")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    return ax


def stacked_status_bars(
    counts: pd.DataFrame,
    key: str,
    ax: Axes,
    horizontal: bool = False,
    width: float = 0.7,
    keys: list | None = None,
) -> Axes:
    """Bars of requests stacked by status, one per ``key`` value (``keys``, default: in order
    of first appearance) at positions 0, 1, …; the statuses in ``status_order`` with their
    fixed colours, and a legend. ``counts``: key, status, requests (long). The report's
    per-customer and per-mechanic charts and the index's per-period chart all draw with this."""
    wide = counts.pivot_table(
        index=key, columns="status", values="requests", aggfunc="sum", fill_value=0, sort=False
    )
    if keys is not None:
        wide = wide.reindex(keys, fill_value=0)
    order = status_order(counts["status"])
    colors = status_palette(order)
    positions = np.arange(len(wide))
    base = np.zeros(len(wide))
    draw = ax.barh if horizontal else ax.bar
    for status in order:
        values = wide[status].to_numpy(dtype=float) if status in wide else np.zeros(len(wide))
        offset = {"left": base} if horizontal else {"bottom": base}
        draw(positions, values, width, **offset, color=colors[status], label=status)
        base = base + values
    status_legend(ax)
    return ax


def top_with_others(
    table: pd.DataFrame, key: str, top_n: int = TOP_N, statuses: list[str] | None = None
) -> pd.DataFrame:
    """Long (key, status, requests) rows for the ``top_n`` busiest keys plus one ``others`` row
    per status. ``table``: one row per key with ``requests`` and a column per status in
    ``statuses`` (default: every column that is a known status or ``unknown``; pass the
    period's statuses so an unexpected one is drawn, not dropped)."""
    if statuses is None:
        statuses = [c for c in table.columns if c in STATUS_COLORS or c == MISSING_STATUS]
    statuses = [s for s in statuses if s in table.columns]
    ranked = table.sort_values("requests", ascending=False)
    head, tail = ranked.head(top_n), ranked.iloc[top_n:]
    long = head.melt(id_vars=[key], value_vars=statuses, var_name="status", value_name="n")
    long[key] = pd.Categorical(long[key], categories=list(head[key]))
    long = long.sort_values(key, kind="stable").astype({key: str})
    if len(tail):
        others = tail[statuses].sum().rename_axis("status").reset_index(name="n")
        others[key] = f"{fmt_count(len(tail))} others"
        long = pd.concat([long, others[[key, "status", "n"]]], ignore_index=True)
    return long[long["n"] > 0].rename(columns={"n": "requests"})


@chart
def requests_per(
    table: pd.DataFrame,
    key: str,
    title: str,
    ax: Axes | None = None,
    top_n: int = TOP_N,
    statuses: list[str] | None = None,
) -> Axes:
    """Horizontal stacked bars of requests by status per ``key`` (customer or mechanic), the
    ``top_n`` busiest (busiest on top) and the rest folded into one "others" bar; ``statuses``
    as in ``top_with_others``."""
    ax = _axes(ax)
    if table.empty:
        return _empty(ax, title)
    long = top_with_others(table, key, top_n, statuses)
    stacked_status_bars(long, key, ax, horizontal=True)
    labels = list(dict.fromkeys(long[key]))
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set(title=title, xlabel="requests", ylabel="")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(COUNT_FORMAT)
    ax.grid(axis="y", visible=False)
    return ax


@chart
def requests_per_or_bands(
    table: pd.DataFrame,
    key: str,
    title: str,
    ax: Axes | None = None,
    top_n: int = TOP_N,
    statuses: list[str] | None = None,
) -> Axes:
    """One bar per ``key`` (customer, mechanic: ``requests_per``) while there are at most
    ``top_n`` of them; beyond, how requests spread over them (``request_bands``), so the chart
    has the same size whatever their number. ``table``: one row per key with ``requests``
    and a column per status."""
    if len(table) <= top_n:
        return requests_per(table, key, title, ax, top_n, statuses)
    return request_bands(bands_of(table["requests"]), key, ax)


@chart
def request_bands(bands: pd.DataFrame, noun: str, ax: Axes | None = None) -> Axes:
    """How requests spread over customers (or mechanics, ``noun``): bars of how many made 1,
    2, 3–4, 5–9, … requests, each labelled with its share of the bands' requests; the
    same size whatever the number of people. ``bands``: band, entities, requests
    (``metrics.request_bands``)."""
    ax = _axes(ax)
    title = f"{noun.capitalize()}s by number of requests"
    if bands.empty or not bands["entities"].sum():
        return _empty(ax, title)
    positions = np.arange(len(bands))
    ax.bar(positions, bands["entities"], 0.7, color="#457b9d")
    total = bands["requests"].sum()
    top = bands["entities"].max()
    for x, n, r in zip(positions, bands["entities"], bands["requests"], strict=True):
        if n:
            share = r / total
            text = f"{share:.0%}" if share >= 0.005 else "<1%"
            ax.text(x, n + top * 0.01, text, ha="center", va="bottom", fontsize=8)
    slanted = len(bands) > 6 and bands["band"].str.len().max() > 7
    ax.set_xticks(
        positions,
        bands["band"],
        rotation=25 if slanted else 0,
        ha="right" if slanted else "center",
        rotation_mode="anchor",  # the label's end under its bar
    )
    ax.set(
        # the share of the requests in the bands: for mechanics, of those assigned to one
        title=f"{title} (labels: their share of the {total:,} requests)",
        xlabel=f"requests per {noun}",
        ylabel=f"{noun}s",
    )
    ax.set_ylim(0, top * 1.12)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(COUNT_FORMAT)
    ax.grid(axis="x", visible=False)
    return ax


def heatmap(
    ax: Axes,
    values: pd.DataFrame,
    annotations: pd.DataFrame | None = None,
    label: str = "",
    limits: tuple[float, float] | None = None,
    number_format: str | None = None,
) -> Axes:
    """``values`` (rows × columns, NaN: a blank cell) as coloured cells labelled by its index
    and columns, with a colour bar (``label``, ``number_format``) and each cell's
    ``annotations`` value written in it (a whole number; NaN: none). Drawn with matplotlib
    alone: seaborn's heatmap draws the whole figure once more to thin its tick labels."""
    data = values.to_numpy(dtype=float)
    rows, columns = data.shape
    vmin, vmax = limits or (None, None)
    mesh = ax.pcolormesh(
        np.ma.masked_invalid(data),
        cmap=HEATMAP_COLORS,
        vmin=vmin,
        vmax=vmax,
        edgecolors="#eeeeee",
        linewidth=0.5,
    )
    ax.set_xlim(0, columns)
    ax.set_ylim(rows, 0)  # first row on top
    ax.set_xticks(np.arange(columns) + 0.5, [str(c) for c in values.columns])
    ax.set_yticks(np.arange(rows) + 0.5, [str(i) for i in values.index])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = ax.figure.colorbar(mesh, ax=ax, shrink=0.8, label=label, format=number_format)
    bar.outline.set_visible(False)
    if number_format == COUNT_FORMAT:  # whole counts: no tick between two of them
        bar.locator = MaxNLocator(integer=True)
    if annotations is not None:
        numbers = annotations.to_numpy(dtype=float)
        shades = mesh.cmap(mesh.norm(data))
        for (i, j), number in np.ndenumerate(numbers):
            if np.isnan(number) or np.isnan(data[i, j]):
                continue
            dark = sns.utils.relative_luminance(shades[i, j]) <= 0.408  # seaborn's threshold
            ax.text(
                j + 0.5,
                i + 0.5,
                f"{number:.0f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "#262626",
            )
    return ax


@chart
def hour_weekday_heatmap(grid: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Heatmap of requests by local weekday (rows) and hour (columns).

    ``grid``: 7 × 24 counts (``timing.hour_weekday_matrix``); empty cells stay blank.
    """
    ax = _axes(ax)
    title = "Requests by weekday and hour (local time)"
    if grid.empty or int(grid.to_numpy().sum()) == 0:
        return _empty(ax, title)
    annotate = bool(grid.to_numpy().max() < 100)
    heatmap(
        ax,
        grid.where(grid != 0),
        annotations=grid.where(grid != 0) if annotate else None,
        label="requests",
        number_format=COUNT_FORMAT,
    )
    ax.set(title=title, xlabel="hour of day", ylabel="")
    return ax


@chart
def factor_rates(factors: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Completion rate with its 95 % interval per factor level (``factors.factor_table``)."""
    ax = _axes(ax)
    title = "Completion rate by mechanic attribute (95 % intervals)"
    rows = factors.dropna(subset=["completion_rate"])
    if rows.empty:
        return _empty(ax, title)
    labels = [
        f"{f}: {lvl} (n={fmt_count(n)})"
        for f, lvl, n in rows[["factor", "level", "requests"]].itertuples(index=False)
    ]
    y = np.arange(len(rows))[::-1]
    rate = rows["completion_rate"].astype(float).to_numpy()
    low = rows["completion_rate_low"].astype(float).to_numpy()
    high = rows["completion_rate_high"].astype(float).to_numpy()
    ax.errorbar(
        rate,
        y,
        xerr=[rate - low, high - rate],
        fmt="o",
        color="#2a9d8f",
        ecolor="#457b9d",
        capsize=3,
    )
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set(title=title, xlabel="completion rate", ylabel="")
    return ax


# --- Root causes ---------------------------------------------------------------------------

DRIVER_TOP_N = 10
OUTCOME_COLORS = {"never_assigned": "#e76f51", "cancelled": "#9c6644"}
REST_COLOR = "#6c757d"


@chart
def driver_rates(
    drivers: pd.DataFrame,
    outcome: str,
    title: str,
    ax: Axes | None = None,
    top_n: int = DRIVER_TOP_N,
    labels: dict[str, str] | None = None,
) -> Axes:
    """Rate with its 95 % interval (dot and bar) against the rest's rate (grey tick) for the
    ``top_n`` levels of ``outcome`` worth showing (``drivers.most_telling``: beyond the noise
    first, then by excess), top down; a star marks a difference beyond the noise.

    ``drivers``: ``drivers.driver_table``; ``labels``: dimension → words for the axis.
    """
    rows = most_telling(drivers, outcome, top_n)
    if ax is None:  # one line per level: the chart's height follows them
        ax = plt.subplots(figsize=(FIGSIZE[0], 1.4 + 0.35 * max(len(rows), 2)))[1]
    if rows.empty:
        ax.set_title(title)
        note_in_middle(ax, "No level with enough requests fails more often than the rest")
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    names = labels or {}
    y = np.arange(len(rows))[::-1]
    rate = rows["rate"].astype(float).to_numpy()
    low = rows["rate_low"].astype(float).to_numpy()
    high = rows["rate_high"].astype(float).to_numpy()
    color = OUTCOME_COLORS.get(outcome, "#457b9d")
    ax.errorbar(rate, y, xerr=[rate - low, high - rate], fmt="o", color=color, capsize=3)
    ax.scatter(rows["rest_rate"].astype(float), y, marker="|", s=250, color=REST_COLOR, zorder=3)
    tick_labels = [
        f"{'* ' if r.significant else ''}{names.get(r.dimension, r.dimension)}: {r.level} "
        f"(n={fmt_count(r.requests)}, {r.excess:+,.0f})"
        for r in rows.itertuples()
    ]
    ax.set_yticks(y, tick_labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set(title=title, xlabel="rate (dot, 95 % interval) against the rest (grey tick)", ylabel="")
    ax.grid(axis="y", visible=False)
    return ax


@chart
def coverage_heatmap(coverage: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Never-assigned rate by local weekday (rows) and hour (columns), each slot annotated
    with the mechanics who accepted anything in it; slots with requests and no mechanic are
    outlined. ``coverage``: ``coverage.coverage_table`` (168 slots); empty slots blank."""
    ax = _axes(ax)
    title = "Never-assigned rate by weekday and hour; numbers: mechanics accepting in the slot"
    if int(coverage["requests"].sum()) == 0:
        return _empty(ax, title)
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    rate = coverage.pivot(index="weekday", columns="hour", values="never_assigned_rate")
    rate = rate.astype(float).reindex(index=range(7), columns=range(24))
    mechanics = coverage.pivot(index="weekday", columns="hour", values="mechanics")
    mechanics = mechanics.reindex(index=range(7), columns=range(24)).fillna(0).astype(int)
    heatmap(
        ax,
        rate,
        annotations=mechanics.where(rate.notna()),
        label="never-assigned rate",
        limits=(0, 1),
        number_format="{x:.0%}",
    )
    for slot in coverage[coverage["no_supply"]].itertuples():
        ax.add_patch(
            plt.Rectangle((slot.hour, slot.weekday), 1, 1, fill=False, edgecolor="#1d3557", lw=1.8)
        )
    ax.set_yticks(np.arange(7) + 0.5, weekdays)
    ax.set(title=title, xlabel="hour of day (outlined: requests, no mechanic accepting)", ylabel="")
    return ax


@chart
def acceptance_curve(curve: pd.DataFrame, minutes: tuple[int, ...], ax: Axes | None = None) -> Axes:
    """Cumulative share of all requests accepted within each threshold, overall (thick) and
    per session type. ``curve``: ``coverage.acceptance_curve`` (session_type ``all`` first,
    ``within_<m>`` shares); ``minutes``: its thresholds."""
    ax = _axes(ax)
    title = "Share of all requests accepted within … minutes"
    if curve.empty or int(curve["requests"].iloc[0]) == 0:
        return _empty(ax, title)
    columns = [f"within_{m}" for m in minutes]
    palette = sns.color_palette("deep", len(curve))
    for i, row in enumerate(curve.itertuples(index=False)):
        shares = [getattr(row, c) for c in columns]
        overall = i == 0
        ax.plot(
            minutes,
            [np.nan if s is None else s for s in shares],
            marker="o",
            lw=3 if overall else 1.5,
            color="#264653" if overall else palette[i],
            label=f"{row.session_type} (n={fmt_count(row.requests)})",
            zorder=3 if overall else 2,
        )
    ax.set_xscale("log")
    ax.set_xticks(list(minutes), [str(m) for m in minutes])
    ax.minorticks_off()
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set(title=title, xlabel="minutes after the request (log scale)", ylabel="accepted")
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax
