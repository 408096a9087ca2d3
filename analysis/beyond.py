"""What the original investigation did not look at: data quality, uncertainty, the previous
period, time patterns and mechanic success factors. ``collect_beyond`` runs its queries;
``Beyond.to_dict`` is merged into findings.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from analysis import compare, factors, metrics, quality, queries, timing
from analysis.db import read_frame
from analysis.period import Period
from analysis.snapshot import covers, snapshot_range
from analysis.uncertainty import rate_entry, with_interval

# findings.json "rates" key → headline figure
RATE_NAMES = {
    "cancellation": "cancel_rate",
    "completion": "completion_rate",
    "assignment": "assignment_rate",
}


@dataclass
class Beyond:
    """The extra figures for one period (DataFrames as documented in each module)."""

    anomalies: pd.DataFrame  # quality.anomalies
    rates: dict[str, dict[str, Any]]  # uncertainty.rate_entry per headline rate
    previous_period: Period
    current_figures: dict[str, Any]  # compare.headline_figures
    previous_figures: dict[str, Any]
    comparison: pd.DataFrame  # compare.comparison
    hour_weekday: pd.DataFrame  # timing.hour_weekday_matrix
    waits: pd.DataFrame  # timing.unassigned_waits
    factors: pd.DataFrame  # factors.factor_table
    # Why the previous period can't be compared (a snapshot of this period only), else None
    previous_unavailable: str | None = None

    @property
    def movements(self) -> pd.DataFrame:
        return compare.biggest_movements(self.comparison)

    def to_dict(self) -> dict[str, Any]:
        p = self.previous_period
        if self.previous_unavailable:
            previous = {"start": p.start, "end": p.end, "unavailable": self.previous_unavailable}
            compared: dict[str, Any] = {"comparison": [], "what_changed": []}
        else:
            previous = {"start": p.start, "end": p.end, "figures": _plain(self.previous_figures)}
            compared = {
                "comparison": self.comparison.drop(columns="kind").to_dict(orient="records"),
                "what_changed": list(self.movements["figure"]),
            }
        return {
            "anomalies": [
                {"check": r.check, "count": int(r.count), "request_ids": list(r.request_ids)}
                for r in self.anomalies.itertuples()
            ],
            "rates": self.rates,
            "previous_period": previous,
            **compared,
            "requests_by_weekday_hour": {
                day: {str(h): int(n) for h, n in row.items() if n}
                for day, row in self.hour_weekday.iterrows()
            },
            "unassigned_waits": self.waits.to_dict(orient="records"),
            "success_factors": self.factors.to_dict(orient="records"),
        }


def _plain(figures: dict[str, Any]) -> dict[str, Any]:
    """Headline figures for JSON: rates as ``rate_entry`` dicts, the rest as they are."""
    return {
        k: rate_entry(v["count"], v["of"]) if isinstance(v, dict) else v for k, v in figures.items()
    }


def headline_rates(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``rate_entry`` (rate, 95 % interval, too_few) of each rate in ``headline_figures``."""
    return {
        short: rate_entry(figures[name]["count"], figures[name]["of"])
        for short, name in RATE_NAMES.items()
    }


def collect_beyond(
    conn: Connection,
    period: Period,
    cube: pd.DataFrame,
    median_minutes: float | None,
    mechanics: pd.DataFrame,
    customers: int,
    now: datetime,
) -> Beyond:
    """Run the extra queries for ``period`` (and its predecessor) on ``conn``.

    ``cube``, ``median_minutes``: this period's ``request_cube`` and median response, already
    read;
    ``mechanics``: ``metrics.mechanic_table``; ``customers``: distinct customers;
    ``now``: when the data is read (UTC); pending requests' waits are measured to the
    period's end, or to ``now`` if that is sooner.
    """
    previous = period.previous()
    held = snapshot_range(conn)
    unavailable = None
    if held is not None and not covers(held, previous):
        unavailable = f"the snapshot holds requests from {held[0]} to {held[1]} only"
    current = compare.headline_figures(cube, customers, len(mechanics), median_minutes)
    if unavailable:  # nothing to read: the source holds no requests before this period
        before = compare.headline_figures(cube.iloc[0:0], 0, 0, None)
    else:
        who = read_frame(conn, queries.participants(previous))
        before = compare.headline_figures(
            read_frame(conn, queries.request_cube(previous)),
            int(who["customers"].iloc[0]) if len(who) else 0,
            int(who["mechanics"].iloc[0]) if len(who) else 0,
            metrics.response_stats(read_frame(conn, queries.response_summary(previous)))["median"],
        )
    return Beyond(
        anomalies=quality.anomalies(read_frame(conn, quality.anomaly_rows(period))),
        rates=headline_rates(current),
        previous_period=previous,
        current_figures=current,
        previous_figures=before,
        comparison=compare.comparison(current, before),
        hour_weekday=timing.hour_weekday_matrix(
            read_frame(conn, queries.hour_weekday_counts(period))
        ),
        waits=timing.unassigned_waits(
            read_frame(conn, queries.unassigned_waits(period)), min(now, period.utc_end)
        ),
        factors=factors.factor_table(mechanics),
        previous_unavailable=unavailable,
    )


def with_rate_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """A per-mechanic or per-customer table (``requests`` and a column per status) plus
    completion_rate and cancel_rate, each with ``_low``/``_high`` 95 % bounds."""
    if table.empty:
        return table
    counted = table.assign(
        completed=table.get(metrics.COMPLETED, 0), cancelled=table.get(metrics.CANCELLED, 0)
    )
    out = with_interval(counted, "completed", "requests", "completion_rate")
    out = with_interval(out, "cancelled", "requests", "cancel_rate")
    return out
