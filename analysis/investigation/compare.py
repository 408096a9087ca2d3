"""This period against the previous one of the same length: each headline figure and its change.

Counts change by a difference and a relative change; rates by percentage points, and a rate's
change counts as real only when the two periods' 95 % intervals do not overlap.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.domain import CANCELLED, COMPLETED
from analysis.investigation import metrics
from analysis.investigation.intervals import Rate

MOVEMENTS = 3  # how many of the biggest movements "What changed" names
COUNT, MINUTES, RATE = "count", "minutes", "rate"
# The figures compared, in the order shown, with their kind.
FIGURES: dict[str, str] = {
    "requests": COUNT,
    "cancelled": COUNT,
    "completed": COUNT,
    "never_assigned": COUNT,
    "cancel_rate": RATE,
    "completion_rate": RATE,
    "assignment_rate": RATE,
    "customers": COUNT,
    "mechanics": COUNT,
    "median_response_minutes": MINUTES,
}


def headline_figures(
    cube: pd.DataFrame, customers: int, mechanics: int, median_minutes: float | None
) -> dict[str, Any]:
    """The figures compared between periods.

    ``cube``: ``queries.request_cube``; ``customers``, ``mechanics``: distinct counts
    (``queries.participants``); ``median_minutes``: the period's median response.
    Rates are ``Rate`` values (with their intervals); the rest are numbers (the median is
    None when nothing was accepted).
    """
    total = metrics.total_requests(cube)
    cancelled = metrics.status_count(cube, CANCELLED)
    completed = metrics.status_count(cube, COMPLETED)
    assigned = metrics.assignment(cube)["assigned"]
    return {
        "requests": total,
        "cancelled": cancelled,
        "completed": completed,
        "never_assigned": total - assigned,
        "cancel_rate": Rate(cancelled, total),
        "completion_rate": Rate(completed, total),
        "assignment_rate": Rate(assigned, total),
        "customers": int(customers),
        "mechanics": int(mechanics),
        "median_response_minutes": _minutes(median_minutes),
    }


def _minutes(value: float | None) -> float | None:
    """Minutes to 2 decimals, as everywhere in the findings (engines differ below that)."""
    return None if value is None else round(value, 2)


def _value(raw: Any) -> float | None:
    if isinstance(raw, Rate):
        return raw.rate
    return None if raw is None else float(raw)


def comparison(current: dict[str, Any], previous: dict[str, Any] | None) -> pd.DataFrame:
    """Each figure in both periods (``previous`` None: unknown, so no change either).

    Returns figure, kind (``count``, ``minutes`` or ``rate``), current, previous, change
    (difference; percentage points as a fraction for rates), relative_change (None when the
    previous value is 0 or unknown), real_change (rates: the 95 % intervals do not overlap;
    others: None).
    """
    rows = []
    for name, kind in FIGURES.items():
        now = _value(current[name])
        before = _value(previous[name]) if previous is not None else None
        change = now - before if now is not None and before is not None else None
        relative = change / before if change is not None and before else None
        real = None
        if kind == RATE and change is not None:
            real = current[name].separated_from(previous[name])  # type: ignore[index]
        rows.append((name, kind, now, before, change, relative, real))
    columns = ["figure", "kind", "current", "previous", "change", "relative_change", "real_change"]
    return pd.DataFrame(rows, columns=columns)


def biggest_movements(table: pd.DataFrame, n: int = MOVEMENTS) -> pd.DataFrame:
    """The ``n`` figures that moved most, by size of relative change (rates: by percentage
    points against the larger of the two rates). Figures that did not move, or had no
    previous value, are left out. Same columns as ``comparison``."""

    def size(row: pd.Series) -> float:
        if row["change"] is None or pd.isna(row["change"]) or row["change"] == 0:
            return 0.0
        if row["kind"] == RATE:
            return abs(row["change"]) / max(row["current"], row["previous"])
        if row["relative_change"] is None or pd.isna(row["relative_change"]):
            return 0.0
        return abs(row["relative_change"])

    if table.empty:
        return table
    sizes = table.apply(size, axis=1)
    moved = table.assign(size=sizes)[sizes > 0]
    return moved.sort_values("size", ascending=False).head(n).drop(columns="size")
