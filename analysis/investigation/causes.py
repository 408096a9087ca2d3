"""Root causes of one period, computed from the data: drivers of failure, coverage by hour of
week, the acceptance curve and retries (``RootCauses``), from four aggregated queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.domain import ACCEPTANCE_MINUTES, RETRY_WINDOW_MINUTES, TOP_N
from analysis.investigation import coverage as cov
from analysis.investigation import drivers as drv
from analysis.investigation.queries import QueryRunner
from analysis.period import Period
from analysis.source.schema import OPTIONAL_COLUMNS

OPTIONAL = OPTIONAL_COLUMNS["session_requests"]


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass(frozen=True)
class RootCauses:
    """Why requests went unassigned or were cancelled, as data.

    ``present``: the optional request columns the source has (``OPTIONAL``);
    ``retry_window_minutes``; ``counts`` (``drivers.level_counts``), ``cities``
    (``drivers.city_table``), ``dimensions``
    (``drivers.dimension_table``), ``drivers`` (``drivers.driver_table``), ``effects``
    (``drivers.effects``), ``hour_ranges`` (``drivers.hour_ranges``), ``causes``
    (``drivers.causes``), ``coverage`` (``coverage.coverage_table``), ``acceptance``
    (``coverage.acceptance_curve``), ``acceptance_minutes`` and ``retries``
    (``coverage.retry_summary``).
    """

    present: frozenset[str] = frozenset()
    retry_window_minutes: int = RETRY_WINDOW_MINUTES
    counts: pd.DataFrame = field(default_factory=lambda: _empty(drv.COUNT_COLUMNS))
    cities: pd.DataFrame = field(default_factory=lambda: _empty(drv.CITY_COLUMNS))
    dimensions: pd.DataFrame = field(
        default_factory=lambda: drv.dimension_table(_empty(drv.COUNT_COLUMNS), ())
    )
    drivers: pd.DataFrame = field(default_factory=lambda: _empty(drv.DRIVER_COLUMNS))
    effects: pd.DataFrame = field(
        default_factory=lambda: _empty(["outcome", "dimension", "effect"])
    )
    hour_ranges: pd.DataFrame = field(default_factory=lambda: _empty(drv.RANGE_COLUMNS))
    causes: pd.DataFrame = field(default_factory=lambda: _empty(drv.CAUSE_COLUMNS))
    coverage: pd.DataFrame = field(
        default_factory=lambda: cov.coverage_table(
            pd.DataFrame(
                columns=["weekday", "hour", "requests", "never_assigned", "cancelled"]
            ).assign(mechanics=[])
        )
    )
    acceptance: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["session_type", "requests", *(f"within_{m}" for m in ACCEPTANCE_MINUTES)]
        )
    )
    acceptance_minutes: tuple[int, ...] = ACCEPTANCE_MINUTES
    retries: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("requests", "retries", "needs", "needs_failed", "requests_failed"), 0
        )
    )

    @property
    def missing(self) -> list[str]:
        """The optional request columns the source lacks."""
        return [c for c in OPTIONAL if c not in self.present]

    def to_dict(self, top_n: int = TOP_N) -> dict[str, Any]:
        """findings.json's root-cause keys: drivers (sorted by excess), drivers_others,
        driver_dimensions, hour_ranges, coverage (slots with requests or mechanics),
        acceptance_curve, retries, retry_window_minutes and optional_columns.

        A dimension whose levels are the data's own values (``drivers.DATA_LEVELS``: cities,
        plans, …) keeps its first ``top_n`` levels per outcome (the largest excess first);
        ``drivers_others`` has one entry (outcome, dimension, levels, requests, failures)
        per outcome and dimension with levels left out."""
        effects = {(r.outcome, r.dimension): r.effect for r in self.effects.itertuples(index=False)}
        drivers, others = _bounded(self.drivers, top_n)
        curve = self.acceptance
        share = lambda row: [row[f"within_{m}"] for m in self.acceptance_minutes]  # noqa: E731
        rows = curve.to_dict(orient="records")
        return {
            "drivers": [
                {
                    "outcome": r.outcome,
                    "dimension": r.dimension,
                    "level": r.level,
                    "requests": int(r.requests),
                    "failures": int(r.failures),
                    "rate": r.rate,
                    "interval": [r.rate_low, r.rate_high],
                    "rest_rate": r.rest_rate,
                    "excess": r.excess,
                    "p_value": r.p_value,
                    "enough_data": bool(r.enough_data),
                }
                for r in drivers.itertuples(index=False)
            ],
            "drivers_others": others,
            "driver_dimensions": [
                {
                    "dimension": r.dimension,
                    "column": r.column,
                    "status": r.status,
                    "levels": int(r.levels),
                    "effect": {o: effects.get((o, r.dimension)) for o in drv.OUTCOMES},
                }
                for r in self.dimensions.itertuples(index=False)
            ],
            "hour_ranges": self.hour_ranges.to_dict(orient="records"),
            "coverage": [
                {
                    "weekday": drv.WEEKDAYS[int(r.weekday)],
                    "hour": int(r.hour),
                    "requests": int(r.requests),
                    "never_assigned": int(r.never_assigned),
                    "never_assigned_rate": r.never_assigned_rate,
                    "mechanics": int(r.mechanics),
                    "no_supply": bool(r.no_supply),
                }
                for r in self.coverage.itertuples(index=False)
                if r.requests or r.mechanics
            ],
            "acceptance_curve": {
                "minutes": list(self.acceptance_minutes),
                "share": share(rows[0]) if rows else [None] * len(self.acceptance_minutes),
                "by_session_type": {r["session_type"]: share(r) for r in rows[1:]},
            },
            "retries": self.retries,
            "retry_window_minutes": self.retry_window_minutes,
            "optional_columns": {"present": sorted(self.present), "missing": self.missing},
        }


def _bounded(drivers: pd.DataFrame, top_n: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """``drivers`` (outcome, dimension, requests, failures, …, in their order) with at most
    ``top_n`` levels per outcome of each ``drivers.DATA_LEVELS`` dimension, and one entry
    per outcome and dimension for the levels left out: outcome, dimension, levels, requests,
    failures."""
    if drivers.empty:
        return drivers, []
    rank = drivers.groupby(["outcome", "dimension"], sort=False).cumcount()
    cut = drivers["dimension"].isin(drv.DATA_LEVELS) & (rank >= top_n)
    rest = drivers[cut].groupby(["outcome", "dimension"], sort=False)
    others = [
        {
            "outcome": outcome,
            "dimension": dimension,
            "levels": len(rows),
            "requests": int(rows["requests"].sum()),
            "failures": int(rows["failures"].sum()),
        }
        for (outcome, dimension), rows in rest
    ]
    return drivers[~cut], others


def gather(
    run: QueryRunner,
    period: Period,
    present: frozenset[str],
    roster: pd.DataFrame,
    retry_minutes: int = RETRY_WINDOW_MINUTES,
    minutes: tuple[int, ...] = ACCEPTANCE_MINUTES,
) -> RootCauses:
    """Run the root-cause queries for ``period`` and compute the ``RootCauses``.

    ``present``: the optional request columns the source has
    (``inspection.optional_columns``); ``roster``: every mechanic on record (its ``city``
    column says where mechanics work).
    """
    slots = cov.coverage_table(run("coverage_counts", period))
    retries = run("retry_counts", period, retry_minutes)
    failures = run("failure_counts", period, present)
    cities = drv.city_table(failures, roster.get("city", []))
    counts = drv.level_counts(failures, slots, retries, cities)
    dimensions = drv.dimension_table(counts, present)
    drivers = drv.driver_table(counts, dimensions)
    ranges = drv.hour_ranges(drivers)
    return RootCauses(
        present=present,
        retry_window_minutes=retry_minutes,
        counts=counts,
        cities=cities,
        dimensions=dimensions,
        drivers=drivers,
        effects=drv.effects(drivers, dimensions),
        hour_ranges=ranges,
        causes=drv.causes(drivers, ranges),
        coverage=slots,
        acceptance=cov.acceptance_curve(run("acceptance_counts", period, minutes), minutes),
        acceptance_minutes=minutes,
        retries=cov.retry_summary(retries),
    )
