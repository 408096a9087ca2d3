"""Supply against demand: requests and accepting mechanics per local weekday × hour slot, how
fast requests are accepted (the acceptance curve), and what retries say about customer needs.

Mechanics are counted in the slot in which they accepted (``accepted_at``), requests in the
slot in which they were made; a slot with requests and no mechanic accepting anything is
demand that met no supply.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.domain import MISSING_TYPE
from analysis.investigation.drivers import CANCELLED, NEVER_ASSIGNED, WEEKDAYS

SLOT_COLUMNS = [
    "weekday",
    "hour",
    "requests",
    NEVER_ASSIGNED,
    CANCELLED,
    "mechanics",
    "never_assigned_rate",
    "no_supply",
]


def coverage_table(counts: pd.DataFrame) -> pd.DataFrame:
    """All 168 local slots, Monday 00:00 first.

    ``counts``: ``queries.coverage_counts`` (weekday 0 = Monday, hour, requests,
    never_assigned, cancelled; mechanics on supply rows). Returns ``SLOT_COLUMNS``: weekday
    (0–6), hour, the counts (0 when none), never_assigned_rate (NaN without requests) and
    no_supply (requests made, no mechanic accepted anything in the slot).
    """
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    numbers = ["requests", NEVER_ASSIGNED, CANCELLED, "mechanics"]
    frame = counts.copy()
    for column in ["weekday", "hour", *numbers]:
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype(int)
    table = (
        frame.groupby(["weekday", "hour"])[numbers].sum().reindex(grid, fill_value=0).reset_index()
    )
    requests = table["requests"].to_numpy()
    table["never_assigned_rate"] = [
        k / n if n else None for k, n in zip(table[NEVER_ASSIGNED], requests, strict=True)
    ]
    table["no_supply"] = (table["requests"] > 0) & (table["mechanics"] == 0)
    return table[SLOT_COLUMNS]


def unserved_slots(coverage: pd.DataFrame) -> pd.DataFrame:
    """Slots with requests and no accepting mechanic, most requests first (then in week
    order). ``coverage``: ``coverage_table``; same columns."""
    slots = coverage[coverage["no_supply"]]
    return slots.sort_values(
        ["requests", "weekday", "hour"], ascending=[False, True, True], ignore_index=True
    )


def coverage_grid(coverage: pd.DataFrame, column: str) -> pd.DataFrame:
    """One ``coverage_table`` column as a 7 × 24 grid (rows ``WEEKDAYS``, columns 0–23)."""
    grid = coverage.pivot(index="weekday", columns="hour", values=column)
    grid.index = pd.Index([WEEKDAYS[int(d)] for d in grid.index], name="weekday")
    return grid


ALL = "all"


def acceptance_curve(counts: pd.DataFrame, minutes: tuple[int, ...]) -> pd.DataFrame:
    """The share of all requests accepted within each of ``minutes``, overall and per session
    type.

    ``counts``: ``queries.acceptance_counts`` (session_type, band, requests). Returns
    session_type (``ALL`` first, then the busiest types; a missing type as ``unknown``),
    requests, and ``within_<m>`` shares (None for no requests). Never-accepted requests count
    as not accepted, so a curve ends at the share accepted within the last threshold.
    """
    within = [f"within_{m}" for m in minutes]
    frame = counts.copy()
    frame["session_type"] = [
        MISSING_TYPE if t is None or (isinstance(t, float) and np.isnan(t)) else str(t)
        for t in frame["session_type"]
    ]
    frame["requests"] = pd.to_numeric(frame["requests"]).fillna(0).astype(int)
    band = pd.to_numeric(frame["band"])
    for i, column in enumerate(within):
        frame[column] = np.where(band.notna() & (band <= i), frame["requests"], 0)
    frame = frame.groupby("session_type", as_index=False)[["requests", *within]].sum()
    frame = frame.sort_values(["requests", "session_type"], ascending=[False, True])
    total = frame[["requests", *within]].sum().to_frame().T.assign(session_type=ALL)
    table = pd.concat([total, frame], ignore_index=True)
    requests = table["requests"].to_numpy(dtype=float)
    for column in within:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = table[column].to_numpy(dtype=float) / requests
        table[column] = [float(s) if n else None for s, n in zip(share, requests, strict=True)]
    table["requests"] = table["requests"].astype(int)
    return table[["session_type", "requests", *within]].reset_index(drop=True)


def retry_summary(counts: pd.DataFrame) -> dict[str, int]:
    """requests, retries, needs, needs_failed and requests_failed (never assigned or
    cancelled) of the period, from ``queries.retry_counts`` (one row per retry flag)."""
    frame = counts.copy()
    numbers = ["requests", "failed", "needs", "needs_failed"]
    for column in ["retry", *numbers]:
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype(int)
    totals: dict[str, Any] = {c: int(frame[c].sum()) for c in numbers}
    return {
        "requests": totals["requests"],
        "retries": int(frame.loc[frame["retry"] == 1, "requests"].sum()),
        "needs": totals["needs"],
        "needs_failed": totals["needs_failed"],
        "requests_failed": totals["failed"],
    }
