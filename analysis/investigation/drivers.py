"""Drivers of failure: which requests go unassigned or get cancelled more often than the rest.

For each outcome (never assigned, cancelled) and each level of each request dimension (hour,
weekday, session type, city, …): the rate with its 95 % Wilson interval, the rate of all
other requests, the **excess** — ``(rate − rest_rate) × requests``, the failures that would
not have happened had the level done as well as the rest — and a p-value (two-proportion
z-test; Fisher's exact test when a cell expects fewer than ``SMALL_EXPECTED``) adjusted for
every comparison made for that outcome (Holm). Levels with fewer than ``FEW_TO_JUDGE``
requests (or a rest that small) are kept with ``enough_data`` false and never ranked.

Each level is compared with all other requests, one dimension at a time: effects that go
together (night requests from a city with no mechanic) are not separated, and excesses of
different dimensions overlap rather than add up.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis.domain import MISSING_ROUTING, MISSING_TYPE
from analysis.investigation.intervals import FEW_TO_JUDGE, wilson_bounds

NEVER_ASSIGNED, CANCELLED = "never_assigned", "cancelled"
OUTCOMES = (NEVER_ASSIGNED, CANCELLED)
SIGNIFICANCE = 0.05  # adjusted p-values below this are differences beyond the noise
SMALL_EXPECTED = 5  # below this expected count in a cell, Fisher's exact test

HOUR, WEEKDAY = "hour_of_day", "weekday"
CITY, MECHANIC_IN_CITY = "customer_city", "mechanic_in_city"
# Every dimension, in the order the report shows them, with the optional source column it
# needs (None: always available).
DIMENSIONS: dict[str, str | None] = {
    HOUR: None,
    WEEKDAY: None,
    "session_type": None,
    "routing_type": None,
    "is_urgent": "is_urgent",
    "plan_code": "plan_code",
    "expiry_window": "expires_at",
    CITY: None,
    MECHANIC_IN_CITY: None,
    "customer_history": None,
    "retry": None,
}
# Dimensions whose levels are the data's own values, as many as the data holds (a city per
# customer city); the others have a fixed set of levels (hours, weekdays, yes/no, bands).
DATA_LEVELS = frozenset({"session_type", "routing_type", "plan_code", CITY})
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOT_RECORDED = "not recorded"
# Levels that stand for a missing value, per dimension.
MISSING_LEVEL = {
    "session_type": MISSING_TYPE,
    "routing_type": MISSING_ROUTING,
    "is_urgent": NOT_RECORDED,
    "plan_code": "none",
    "expiry_window": NOT_RECORDED,
    CITY: "unknown",
    MECHANIC_IN_CITY: "unknown",
}
# Raw 0/1 (and band index) levels from the database, as words.
LEVEL_WORDS = {
    "is_urgent": {"1": "urgent", "0": "not urgent"},
    "customer_history": {"1": "new", "0": "returning"},
    "retry": {"1": "retry", "0": "first attempt"},
    MECHANIC_IN_CITY: {"True": "yes", "False": "no"},
}

# Time to expiry: whole half hours (``queries.failure_counts``) → bands, by their first step.
EXPIRY_BANDS = ((1, "under 30 min"), (2, "30–59 min"), (4, "60–119 min"))
EXPIRY_LAST_BAND = "2 h or more"


def expiry_band(steps: object) -> str:
    """``0`` (or less) → ``under 30 min``, ``1`` → ``30–59 min``, ``2``/``3`` →
    ``60–119 min``, ``4`` and more → ``2 h or more``."""
    n = int(float(str(steps)))
    return next((name for below, name in EXPIRY_BANDS if n < below), EXPIRY_LAST_BAND)


# Dimension statuses: compared, or why not.
COMPARED, MISSING_COLUMN, NO_REQUESTS, ONE_LEVEL = (
    "compared",
    "missing_column",
    "no_requests",
    "one_level",
)
# Per outcome and compared dimension: what the data says.
EFFECT, NO_EFFECT, TOO_FEW = "effect", "no_effect", "too_few"

COUNT_COLUMNS = ["dimension", "level", "position", "requests", NEVER_ASSIGNED, CANCELLED]


def city_key(city: object) -> str | None:
    """A city name compared loosely: spaces collapsed, case folded; None when blank."""
    if not isinstance(city, str) or not city.strip():
        return None
    return " ".join(city.split()).casefold()


CITY_COLUMNS = ["city", "requests", NEVER_ASSIGNED, CANCELLED, "mechanic"]


def city_table(failures: pd.DataFrame, mechanic_cities: Iterable[object]) -> pd.DataFrame:
    """Requests per customer city, and whether a mechanic on record works there.

    ``failures``: ``queries.failure_counts``; ``mechanic_cities``: the roster's ``city``
    values. Cities that differ only in spacing or case are one (named by their most frequent
    spelling); requests with no city are one row with city None and mechanic None. Returns
    ``CITY_COLUMNS``, most requests first.
    """
    rows = _counts(failures[failures["dimension"] == CITY])
    if rows.empty:
        return pd.DataFrame(columns=CITY_COLUMNS)
    keys = [city_key(c) for c in rows["level"]]
    rows = rows.assign(key=keys)
    known = rows[rows["key"].notna()]
    spelling = (
        known.sort_values(["requests", "level"], ascending=[False, True])
        .drop_duplicates("key")
        .set_index("key")["level"]
    )
    grouped = (
        rows.assign(key=rows["key"].fillna(""))
        .groupby("key", as_index=False)[["requests", NEVER_ASSIGNED, CANCELLED]]
        .sum()
    )
    working = {city_key(c) for c in mechanic_cities} - {None}
    grouped["city"] = [spelling[k] if k else None for k in grouped["key"]]
    grouped["mechanic"] = [k in working if k else None for k in grouped["key"]]
    grouped = grouped.sort_values(["requests", "key"], ascending=[False, True], ignore_index=True)
    grouped["city"] = grouped["city"].astype(object).where(grouped["city"].notna(), None)
    return grouped[CITY_COLUMNS]


def level_counts(
    failures: pd.DataFrame,
    slots: pd.DataFrame,
    retries: pd.DataFrame,
    cities: pd.DataFrame,
) -> pd.DataFrame:
    """Requests and failures per level of every dimension, from the database's counts.

    ``failures``: ``queries.failure_counts`` (dimension, level, requests, never_assigned,
    cancelled); ``slots``: weekday, hour, requests, never_assigned, cancelled per local slot
    (``coverage.coverage_table``); ``retries``: ``queries.retry_counts``; ``cities``:
    ``city_table``. Hours and weekdays are folded from the slots, and whether a mechanic on
    record works in the customer's city is summed from the cities. Returns ``COUNT_COLUMNS``:
    ``position`` orders levels within a dimension (the hour, the weekday, else busiest first).
    """
    parts = [_folded(slots, "hour", HOUR, lambda h: f"{int(h):02d}:00")]
    parts.append(_folded(slots, "weekday", WEEKDAY, lambda d: WEEKDAYS[int(d)]))
    for dimension, rows in failures.groupby("dimension", sort=False):
        if dimension != CITY:
            parts.append(_named(rows, str(dimension)))
    if len(cities):
        parts.append(_named(cities.assign(level=cities["city"]), CITY))
        parts.append(
            _named(cities.assign(level=cities["mechanic"].astype(object)), MECHANIC_IN_CITY)
        )
    if len(retries):
        parts.append(_named(retries.assign(level=retries["retry"]), "retry"))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    return pd.concat(parts, ignore_index=True)[COUNT_COLUMNS]


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("requests", NEVER_ASSIGNED, CANCELLED):
        out[column] = pd.to_numeric(out[column]).fillna(0).astype(int)
    return out


def _folded(
    slots: pd.DataFrame, key: str, dimension: str, name: Callable[[Any], str]
) -> pd.DataFrame:
    rows = _counts(slots[slots["requests"].fillna(0) > 0])
    if rows.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    grouped = rows.groupby(key, as_index=False)[["requests", NEVER_ASSIGNED, CANCELLED]].sum()
    return grouped.assign(
        dimension=dimension, level=grouped[key].map(name), position=grouped[key].astype(int)
    )[COUNT_COLUMNS]


def _named(rows: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Raw levels as words (missing values under the dimension's missing level), busiest
    first (ties by name)."""
    words = LEVEL_WORDS.get(dimension, {})
    missing = MISSING_LEVEL.get(dimension, NOT_RECORDED)
    levels = [
        missing
        if _missing(v)
        else expiry_band(v)
        if dimension == "expiry_window"
        else words.get(str(v), v)
        for v in rows["level"]
    ]
    out = _counts(rows).assign(dimension=dimension, level=[str(v) for v in levels])
    if out["level"].duplicated().any():  # values sharing a name (or a band): one level
        out = out.groupby(["dimension", "level"], as_index=False)[
            ["requests", NEVER_ASSIGNED, CANCELLED]
        ].sum()
    out = out.sort_values(["requests", "level"], ascending=[False, True], ignore_index=True)
    return out.assign(position=range(len(out)))[COUNT_COLUMNS]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def dimension_table(counts: pd.DataFrame, present: Iterable[str]) -> pd.DataFrame:
    """Which dimensions were compared, and why the others were not.

    ``counts``: ``level_counts``; ``present``: the optional source columns the source has.
    Returns dimension, column (the optional source column it needs, else None), status
    (``COMPARED``; ``MISSING_COLUMN``: the source lacks the column; ``NO_REQUESTS``;
    ``ONE_LEVEL``: every request has the same value, or none is recorded), levels, and
    only_level (the single level's name, for ``ONE_LEVEL``).
    """
    have = set(present)
    rows = []
    for dimension, column in DIMENSIONS.items():
        levels = counts[(counts["dimension"] == dimension) & (counts["requests"] > 0)]
        if column is not None and column not in have:
            status = MISSING_COLUMN
        elif levels.empty:
            status = NO_REQUESTS
        elif len(levels) == 1:
            status = ONE_LEVEL
        else:
            status = COMPARED
        only = str(levels["level"].iloc[0]) if status == ONE_LEVEL else None
        rows.append((dimension, column, status, len(levels), only))
    return pd.DataFrame(rows, columns=["dimension", "column", "status", "levels", "only_level"])


DRIVER_COLUMNS = [
    "outcome",
    "dimension",
    "level",
    "position",
    "requests",
    "failures",
    "rate",
    "rate_low",
    "rate_high",
    "rest_requests",
    "rest_failures",
    "rest_rate",
    "excess",
    "share_of_failures",
    "p_value",
    "enough_data",
    "significant",
]


def driver_table(counts: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """Every level of every compared dimension against the rest, for both outcomes.

    ``counts``: ``level_counts``; ``dimensions``: ``dimension_table``. Returns
    ``DRIVER_COLUMNS``: failures are the level's requests with the outcome; rest_* are all
    other requests of the period; share_of_failures is the excess over all the period's
    failures of that outcome; p_value is Holm-adjusted over every level compared for the
    outcome (None where a rate can't be compared); significant means enough data and an
    adjusted p below ``SIGNIFICANCE``. Sorted by excess, largest first.
    """
    compared = set(dimensions.loc[dimensions["status"] == COMPARED, "dimension"])
    levels = counts[counts["dimension"].isin(compared)]
    if levels.empty:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    parts = []
    for outcome in OUTCOMES:
        parts.append(_against_rest(levels, outcome))
    table = pd.concat(parts, ignore_index=True)
    table["outcome_order"] = table["outcome"].map(OUTCOMES.index)
    table["dimension_order"] = table["dimension"].map(order)
    table = table.sort_values(
        ["excess", "outcome_order", "dimension_order", "position"],
        ascending=[False, True, True, True],
        ignore_index=True,
    )
    return table[DRIVER_COLUMNS]


def _against_rest(levels: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One outcome's rates, excesses and adjusted p-values for ``levels`` (every dimension's
    levels; each dimension's levels add up to all the period's requests)."""
    frames = []
    for _, rows in levels.groupby("dimension", sort=False):
        total, failed = int(rows["requests"].sum()), int(rows[outcome].sum())
        n = rows["requests"].to_numpy(dtype=int)
        k = rows[outcome].to_numpy(dtype=int)
        frames.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "dimension": rows["dimension"].to_numpy(),
                    "level": rows["level"].to_numpy(),
                    "position": rows["position"].to_numpy(dtype=int),
                    "requests": n,
                    "failures": k,
                    "rest_requests": total - n,
                    "rest_failures": failed - k,
                    "all_failures": failed,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    n, k = table["requests"].to_numpy(), table["failures"].to_numpy()
    rest_n, rest_k = table["rest_requests"].to_numpy(), table["rest_failures"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        rest_rate = np.where(rest_n > 0, rest_k / np.maximum(rest_n, 1), np.nan)
        excess = (rate - rest_rate) * n
        share = np.where(table["all_failures"] > 0, excess / table["all_failures"], np.nan)
    low, high = wilson_bounds(k, n)
    raw = np.array([p_value(*cells) for cells in zip(k, n, rest_k, rest_n, strict=True)])
    table["rate"], table["rate_low"], table["rate_high"] = rate, low, high
    table["rest_rate"], table["excess"], table["share_of_failures"] = rest_rate, excess, share
    table["p_value"] = holm(raw)
    table["enough_data"] = (n >= FEW_TO_JUDGE) & (rest_n >= FEW_TO_JUDGE)
    table["significant"] = table["enough_data"] & (table["p_value"] < SIGNIFICANCE)
    return table.drop(columns="all_failures")


def p_value(failures: int, requests: int, rest_failures: int, rest_requests: int) -> float:
    """Two-sided p-value for "the level's rate equals the rest's": a two-proportion z-test,
    or Fisher's exact test when a cell of the 2 × 2 table expects fewer than
    ``SMALL_EXPECTED``. NaN when either side has no requests; 1 when no request (or every
    request) failed."""
    total, failed = requests + rest_requests, failures + rest_failures
    if requests == 0 or rest_requests == 0:
        return float("nan")
    if failed == 0 or failed == total:
        return 1.0
    # scipy and statsmodels are imported where used (about a second): the command line and
    # the index import this layer without computing any test.
    from scipy.stats import fisher_exact
    from statsmodels.stats.proportion import proportions_ztest

    expected = min(requests, rest_requests) * min(failed, total - failed) / total
    if expected < SMALL_EXPECTED:
        table = [[failures, requests - failures], [rest_failures, rest_requests - rest_failures]]
        return float(fisher_exact(table).pvalue)
    _, p = proportions_ztest([failures, rest_failures], [requests, rest_requests])
    return float(p)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels); NaN entries stay NaN and are not counted."""
    adjusted = np.full(len(p_values), np.nan)
    valid = ~np.isnan(p_values)
    if valid.any():
        from statsmodels.stats.multitest import multipletests  # where used: see p_value

        # statsmodels' Holm ends with gc.collect(), which walks every object in the process
        # (about 0.2 s per call with a report's heap); frozen objects are not walked.
        gc.freeze()
        try:
            adjusted[valid] = multipletests(p_values[valid], method="holm")[1]
        finally:
            gc.unfreeze()
    return adjusted


def effects(drivers: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """What each compared dimension shows, per outcome: ``EFFECT`` (a level differs beyond
    the noise), ``NO_EFFECT`` (levels with enough data, none differing) or ``TOO_FEW`` (no
    level has enough requests to judge). Columns: outcome, dimension, effect."""
    compared = list(dimensions.loc[dimensions["status"] == COMPARED, "dimension"])
    seen = (
        drivers[drivers["dimension"].isin(compared)]
        .groupby(["outcome", "dimension"])[["significant", "enough_data"]]
        .any()
    )
    rows = []
    for outcome in OUTCOMES:
        for dimension in compared:
            significant, enough = (
                seen.loc[(outcome, dimension)] if (outcome, dimension) in seen.index else (0, 0)
            )
            verdict = EFFECT if significant else NO_EFFECT if enough else TOO_FEW
            rows.append((outcome, dimension, verdict))
    return pd.DataFrame(rows, columns=["outcome", "dimension", "effect"])


RANGE_COLUMNS = [
    "outcome",
    "first_hour",
    "last_hour",
    "hours",
    "requests",
    "failures",
    "rate",
    "rate_low",
    "rate_high",
    "rest_rate",
    "excess",
    "share_of_failures",
    "p_value",
]


def hour_ranges(drivers: pd.DataFrame) -> pd.DataFrame:
    """Runs of two or more consecutive local hours (across midnight too) in which every hour
    fails significantly more often than the rest, summed into one range per run.

    ``drivers``: ``driver_table``. Each range's rate, interval, rest rate and excess are
    recomputed from its hours' counts against all other requests; its p_value is the largest
    of its hours' adjusted p-values (every hour in it differs at least that surely), not a
    test of the range chosen after looking at the data. Columns ``RANGE_COLUMNS``.
    """
    rows = []
    for outcome in OUTCOMES:
        hours = drivers[(drivers["outcome"] == outcome) & (drivers["dimension"] == HOUR)]
        if hours.empty:
            continue
        worse = hours[hours["significant"] & (hours["excess"] > 0)].set_index("position")
        for run in _circular_runs(sorted(int(h) for h in worse.index)):
            if len(run) < 2:
                continue
            members = worse.loc[run]
            n, k = int(members["requests"].sum()), int(members["failures"].sum())
            total = int(hours["requests"].sum())
            failed = int(hours["failures"].sum())
            rest_rate = (failed - k) / (total - n) if total > n else float("nan")
            low, high = wilson_bounds([k], [n])
            excess = (k / n - rest_rate) * n
            rows.append(
                {
                    "outcome": outcome,
                    "first_hour": run[0],
                    "last_hour": run[-1],
                    "hours": len(run),
                    "requests": n,
                    "failures": k,
                    "rate": k / n,
                    "rate_low": float(low[0]),
                    "rate_high": float(high[0]),
                    "rest_rate": rest_rate,
                    "excess": excess,
                    "share_of_failures": excess / failed if failed else float("nan"),
                    "p_value": float(members["p_value"].max()),
                }
            )
    table = pd.DataFrame(rows, columns=RANGE_COLUMNS)
    return table.sort_values("excess", ascending=False, ignore_index=True)


def _circular_runs(hours: list[int]) -> list[list[int]]:
    """Consecutive hours grouped, a run through midnight joined (22, 23, 0, 1)."""
    if not hours:
        return []
    if len(hours) == 24:
        return [hours]
    runs: list[list[int]] = [[hours[0]]]
    for h in hours[1:]:
        if h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 23:
        runs[0] = runs.pop() + runs[0]
    return runs


# Dimensions that follow from an earlier outcome rather than precede it: a retry exists because
# a request failed, so it is never ranked as a cause (its figures stay in the drivers).
CONSEQUENCES = ("retry",)
CAUSE_COLUMNS = [
    "outcome",
    "dimension",
    "level",
    "requests",
    "failures",
    "rate",
    "rate_low",
    "rate_high",
    "rest_rate",
    "excess",
    "share_of_failures",
    "p_value",
    "first_hour",
    "last_hour",
]


def causes(drivers: pd.DataFrame, ranges: pd.DataFrame) -> pd.DataFrame:
    """The causes the data supports, per outcome, ranked by excess: levels with enough data
    that fail significantly more often than the rest, hour ranges standing in for the hours
    they hold, ``CONSEQUENCES`` left out. Columns ``CAUSE_COLUMNS`` (first_hour and
    last_hour set for hour ranges, whose level reads ``HH:00–HH:59``)."""
    candidate = drivers["significant"] & (drivers["excess"] > 0)
    picked = drivers[candidate & ~drivers["dimension"].isin(CONSEQUENCES)]
    parts = []
    for outcome in OUTCOMES:
        mine = picked[picked["outcome"] == outcome].assign(first_hour=None, last_hour=None)
        spans = ranges[ranges["outcome"] == outcome]
        covered = {
            h % 24 for r in spans.itertuples() for h in range(r.first_hour, r.first_hour + r.hours)
        }
        mine = mine[~((mine["dimension"] == HOUR) & mine["position"].isin(covered))]
        if len(spans):
            mine = pd.concat(
                [
                    spans.assign(
                        dimension=HOUR,
                        level=[
                            f"{a:02d}:00–{b:02d}:59"
                            for a, b in zip(spans["first_hour"], spans["last_hour"], strict=True)
                        ],
                    ),
                    mine,
                ],
                ignore_index=True,
            )
        parts.append(mine.sort_values("excess", ascending=False, kind="stable")[CAUSE_COLUMNS])
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=CAUSE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def most_telling(drivers: pd.DataFrame, outcome: str, n: int) -> pd.DataFrame:
    """The ``n`` levels of ``outcome`` to show first: those beyond the noise that fail more
    often than the rest, by excess, then the other levels with enough data and a positive
    excess, by excess. ``drivers``: ``driver_table``; same columns."""
    mine = drivers[(drivers["outcome"] == outcome) & drivers["enough_data"]]
    mine = mine[mine["excess"] > 0]
    ordered = pd.concat([mine[mine["significant"]], mine[~mine["significant"]]])
    return ordered.head(n)
