"""This period against the previous one of the same length: each headline figure and its change.

Counts change by a difference and a relative change; rates by percentage points, and a rate's
change counts as real only when the two periods' 95 % intervals do not overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import metrics
from analysis.uncertainty import overlap, wilson

MOVEMENTS = 3  # how many of the biggest movements "What changed" names


@dataclass(frozen=True)
class Figure:
    """One headline figure: a count, minutes, or a rate with its numerator and denominator."""

    name: str
    label: str
    kind: str  # "count", "minutes" or "rate"


FIGURES: tuple[Figure, ...] = (
    Figure("requests", "Requests", "count"),
    Figure("cancelled", "Cancelled", "count"),
    Figure("completed", "Completed", "count"),
    Figure("never_assigned", "Never assigned", "count"),
    Figure("cancel_rate", "Cancellation rate", "rate"),
    Figure("completion_rate", "Completion rate", "rate"),
    Figure("assignment_rate", "Assignment rate", "rate"),
    Figure("customers", "Customers", "count"),
    Figure("mechanics", "Mechanics taking requests", "count"),
    Figure("median_response_minutes", "Median time to acceptance (min)", "minutes"),
)


def headline_figures(
    cube: pd.DataFrame, customers: int, mechanics: int, median_minutes: float | None
) -> dict[str, Any]:
    """The figures compared between periods.

    ``cube``: ``queries.request_cube``; ``customers``, ``mechanics``: distinct counts
    (``queries.participants``); ``median_minutes``: the period's median response.
    Rates are ``{"count", "of"}`` pairs so intervals can be drawn; the rest are numbers
    (the median is None when nothing was accepted).
    """
    total = metrics.total_requests(cube)
    cancelled = metrics.status_count(cube, metrics.CANCELLED)
    completed = metrics.status_count(cube, metrics.COMPLETED)
    assigned = metrics.assignment(cube)["assigned"]
    return {
        "requests": total,
        "cancelled": cancelled,
        "completed": completed,
        "never_assigned": total - assigned,
        "cancel_rate": {"count": cancelled, "of": total},
        "completion_rate": {"count": completed, "of": total},
        "assignment_rate": {"count": assigned, "of": total},
        "customers": int(customers),
        "mechanics": int(mechanics),
        "median_response_minutes": _minutes(median_minutes),
    }


def _minutes(value: float | None) -> float | None:
    """Minutes to 2 decimals, as everywhere in the findings (engines differ below that)."""
    return None if value is None else round(value, 2)


def _value(figure: Figure, raw: Any) -> float | None:
    if figure.kind == "rate":
        return raw["count"] / raw["of"] if raw["of"] else None
    return None if raw is None else float(raw)


def comparison(current: dict[str, Any], previous: dict[str, Any]) -> pd.DataFrame:
    """Each figure in both periods.

    Returns figure, label, kind, current, previous, change (difference; percentage points as a
    fraction for rates), relative_change (None when the previous value is 0 or unknown),
    real_change (rates: the 95 % intervals do not overlap; others: None).
    """
    rows = []
    for fig in FIGURES:
        now, before = _value(fig, current[fig.name]), _value(fig, previous[fig.name])
        change = now - before if now is not None and before is not None else None
        relative = change / before if change is not None and before else None
        real = None
        if fig.kind == "rate" and change is not None:
            a, b = current[fig.name], previous[fig.name]
            real = not overlap(wilson(a["count"], a["of"]), wilson(b["count"], b["of"]))
        rows.append((fig.name, fig.label, fig.kind, now, before, change, relative, real))
    return pd.DataFrame(
        rows,
        columns=[
            "figure",
            "label",
            "kind",
            "current",
            "previous",
            "change",
            "relative_change",
            "real_change",
        ],
    )


def biggest_movements(table: pd.DataFrame, n: int = MOVEMENTS) -> pd.DataFrame:
    """The ``n`` figures that moved most, by size of relative change (rates: by percentage
    points against the larger of the two rates). Figures that did not move, or had no
    previous value, are left out. Same columns as ``comparison``."""

    def size(row: pd.Series) -> float:
        if row["change"] is None or pd.isna(row["change"]) or row["change"] == 0:
            return 0.0
        if row["kind"] == "rate":
            return abs(row["change"]) / max(row["current"], row["previous"])
        if row["relative_change"] is None or pd.isna(row["relative_change"]):
            return 0.0
        return abs(row["relative_change"])

    if table.empty:
        return table
    sizes = table.apply(size, axis=1)
    moved = table.assign(size=sizes)[sizes > 0]
    return moved.sort_values("size", ascending=False).head(n).drop(columns="size")
