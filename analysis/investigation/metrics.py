"""Metric functions: pure, small, typed. Query results in, tables or values out.

Input frames are the results of the builders in ``analysis.investigation.queries``; each
docstring names the columns it reads and returns.
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis.domain import (
    CANCELLED,
    COMPLETED,
    INDEPENDENT_WORKSHOP,
    MISSING_ROUTING,
    MISSING_STATUS,
    MISSING_TYPE,
    TOP_SHARES,
    VIRTUAL,
    WORKSHOP_AFFILIATED,
    WORKSHOP_MECHANIC_ACCOUNT,
)
from analysis.investigation.intervals import with_interval
from analysis.period import Period
from analysis.source.dialect import day_from_number


def rate(part: float, whole: float) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


def total_requests(cube: pd.DataFrame) -> int:
    """Sum of ``requests`` in a request cube (see ``queries.request_cube``)."""
    return int(cube["requests"].sum()) if len(cube) else 0


def breakdown(cube: pd.DataFrame, column: str, missing: str) -> pd.DataFrame:
    """Requests by ``column`` of the cube, NULL counted under ``missing``.

    Returns columns ``column``, requests, share (of all requests); largest first.
    """
    keys = cube[column].astype("object").where(cube[column].notna(), missing)
    counts = cube.groupby(keys)["requests"].sum()
    table = counts.rename_axis(column).reset_index(name="requests")
    table["requests"] = table["requests"].astype(int)
    table["share"] = table["requests"] / table["requests"].sum() if len(table) else []
    return table.sort_values(["requests", column], ascending=[False, True], ignore_index=True)


def status_breakdown(cube: pd.DataFrame) -> pd.DataFrame:
    """Columns: status, requests, share."""
    return breakdown(cube, "status", MISSING_STATUS)


def type_breakdown(cube: pd.DataFrame) -> pd.DataFrame:
    """Columns: session_type, requests, share."""
    return breakdown(cube, "session_type", MISSING_TYPE)


def status_count(cube: pd.DataFrame, status: str) -> int:
    """Requests in the cube whose status is ``status``."""
    return int(cube.loc[cube["status"] == status, "requests"].sum())


def as_counts(table: pd.DataFrame, key: str) -> dict[str, int]:
    """A breakdown table as ``{key value: requests}``."""
    return {str(k): int(v) for k, v in zip(table[key], table["requests"], strict=True)}


def assignment(cube: pd.DataFrame) -> dict[str, int]:
    """Assigned (mechanic_id set) and never-assigned requests, from the cube's ``assigned``."""
    assigned = int(cube.loc[cube["assigned"] == 1, "requests"].sum())
    return {"assigned": assigned, "never_assigned": total_requests(cube) - assigned}


def cancellation_timing(cube: pd.DataFrame) -> dict[str, int]:
    """Cancelled requests split by whether a mechanic had been assigned (cube columns status,
    assigned, requests)."""
    cancelled = cube[cube["status"] == CANCELLED]
    after = int(cancelled.loc[cancelled["assigned"] == 1, "requests"].sum())
    total = int(cancelled["requests"].sum())
    return {"total": total, "before_assignment": total - after, "after_assignment": after}


def routing(cube: pd.DataFrame) -> dict[str, Any]:
    """Requests by routing_type (NULL as ``none``), served by a workshop, with a preferred one."""
    by_type = breakdown(cube, "routing_type", MISSING_ROUTING)
    return {
        "by_type": as_counts(by_type, "routing_type"),
        "workshop_served": int(cube.loc[cube["workshop_served"] == 1, "requests"].sum()),
        "preferred_workshop": int(cube.loc[cube["preferred_workshop"] == 1, "requests"].sum()),
    }


def time_span(span: pd.DataFrame, period: Period) -> dict[str, Any]:
    """First and last request in local time and the days they span, inclusive.

    Reads the single row of ``queries.request_span`` (first_at, last_at in UTC).
    """
    row = span.iloc[0] if len(span) else None
    if row is None or pd.isna(row["first_at"]):
        return {"first_at": None, "last_at": None, "days": 0}
    first: datetime = period.to_local(pd.Timestamp(row["first_at"]).to_pydatetime())
    last: datetime = period.to_local(pd.Timestamp(row["last_at"]).to_pydatetime())
    return {"first_at": first, "last_at": last, "days": (last.date() - first.date()).days + 1}


def response_stats(summary: pd.DataFrame) -> dict[str, Any]:
    """Response-time statistics from ``queries.response_summary``'s single row.

    Returns count, excluded_negative (accepted before created), and mean, median, min, max
    in minutes (None when no request was accepted).
    """
    row = summary.iloc[0] if len(summary) else pd.Series(dtype=object)
    count = int(row.get("count", 0) or 0)
    stats: dict[str, Any] = {
        "count": count,
        "excluded_negative": int(row.get("excluded_negative", 0) or 0),
    }
    for name in ("mean", "median", "min", "max"):
        value = row.get(name)
        stats[name] = float(value) if count and value is not None and not pd.isna(value) else None
    return stats


def response_histogram(bins: pd.DataFrame, edges: tuple[float, ...]) -> pd.DataFrame:
    """Every bin of ``edges`` with its count (zeros included), from ``queries.response_bins``
    (bin, requests). Returns label, lower, upper (None for the open last bin), requests."""
    counts = dict(zip(bins["bin"].astype(int), bins["requests"].astype(int), strict=True))
    rows = []
    for i, lower in enumerate(edges):
        upper = edges[i + 1] if i + 1 < len(edges) else None
        label = f"{lower:g}–{upper:g}" if upper is not None else f"{lower:g}+"
        rows.append((label, lower, upper, counts.get(i, 0)))
    return pd.DataFrame(rows, columns=["label", "lower", "upper", "requests"])


def daily_by_status(daily: pd.DataFrame) -> pd.DataFrame:
    """Local-date rows from ``queries.daily_status_counts``.

    Returns columns day (date), status (NULL as ``unknown``), requests; ordered by day.
    """
    if daily.empty:
        return pd.DataFrame({"day": pd.Series(dtype="object"), "status": [], "requests": []})
    table = pd.DataFrame(
        {
            "day": [day_from_number(n) for n in daily["day_number"]],
            "status": daily["status"]
            .astype("object")
            .where(daily["status"].notna(), MISSING_STATUS),
            "requests": daily["requests"].astype(int),
        }
    )
    return table.sort_values(["day", "status"], ignore_index=True)


def status_columns(counts: pd.DataFrame, key: str) -> pd.DataFrame:
    """Long (key, status, requests) counts pivoted to one row per key: a column per status
    plus ``requests`` (their total); largest first."""
    if counts.empty:
        return pd.DataFrame(columns=[key, "requests"])
    status = counts["status"].astype("object").where(counts["status"].notna(), MISSING_STATUS)
    wide = (
        counts.assign(status=status)
        .pivot_table(index=key, columns="status", values="requests", aggfunc="sum", fill_value=0)
        .astype(int)
    )
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "requests", wide.sum(axis=1))
    wide = wide.reset_index().sort_values(["requests", key], ascending=[False, True])
    return wide.reset_index(drop=True)


def by_status_dict(row: pd.Series, statuses: list[str]) -> dict[str, int]:
    """The non-zero per-status counts of one pivoted row."""
    return {s: int(row[s]) for s in statuses if s in row and int(row[s])}


def missing_fields(frame: pd.DataFrame, fields: tuple[str, ...]) -> pd.Series:
    """Per row, the list of ``fields`` that are NULL or blank (vectorised per field)."""
    if frame.empty:
        return pd.Series([], dtype="object")
    gaps = {
        f: (frame[f].isna() | (frame[f].astype("string").str.strip() == "")).to_numpy(bool)
        for f in fields
    }
    lists = [[f for f in fields if gaps[f][i]] for i in range(len(frame))]
    return pd.Series(lists, index=frame.index, dtype="object")


def mechanic_type(workshop_id: Any, account_type: Any) -> str:
    """SCHEMA.md's derivation: no workshop → virtual; ``workshop_mechanic`` → workshop-affiliated;
    otherwise independent workshop."""
    if pd.isna(workshop_id) or str(workshop_id).strip() == "":
        return VIRTUAL
    if account_type == WORKSHOP_MECHANIC_ACCOUNT:
        return WORKSHOP_AFFILIATED
    return INDEPENDENT_WORKSHOP


def mechanic_profiles(roster: pd.DataFrame, fields: tuple[str, ...]) -> pd.DataFrame:
    """Roster (``queries.mechanic_roster``) plus missing (list), profile_complete, mechanic_type."""
    table = roster.copy()
    table["years_of_experience"] = table["years_of_experience"].astype("Int64")
    table["missing"] = missing_fields(table, fields) if len(table) else []
    # Typed explicitly: an empty list would give an object column that ~ can't negate.
    table["profile_complete"] = pd.Series(
        [not m for m in table["missing"]], dtype=bool, index=table.index
    )
    table["mechanic_type"] = [
        mechanic_type(w, a)
        for w, a in zip(table["workshop_id"], table["account_type"], strict=True)
    ]
    return table


def with_rate_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """A per-mechanic or per-customer table (``requests`` and a column per status) plus
    completion_rate and cancel_rate, each with ``_low``/``_high`` 95 % bounds."""
    counted = table.assign(
        completed=table.get(COMPLETED, 0), cancelled=table.get(CANCELLED, 0)
    ).astype({"completed": int, "cancelled": int})
    out = with_interval(counted, "completed", "requests", "completion_rate")
    return with_interval(out, "cancelled", "requests", "cancel_rate")


MECHANIC_ATTRIBUTES = (
    "name",
    "profile_complete",
    "red_seal_certified",
    "workshop_name",
    "years_of_experience",
    "city",
    "mechanic_type",
)
RATE_COLUMNS = tuple(
    f"{name}{suffix}"
    for name in ("completion_rate", "cancel_rate")
    for suffix in ("", "_low", "_high")
)


def mechanic_table(status_counts: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Per mechanic who took requests: counts by status, rates and profile attributes.

    ``status_counts``: mechanic_id, status, requests. ``profiles``: ``mechanic_profiles`` output.
    Returns mechanic_id, name, requests, a column per status, completed, cancelled,
    completion_rate and cancel_rate with ``_low``/``_high`` bounds, profile_complete,
    red_seal_certified, workshop_name, years_of_experience, city, mechanic_type; busiest first.
    Mechanics missing from the roster keep their counts (their attributes are missing).
    """
    wide = status_columns(status_counts, "mechanic_id")
    if wide.empty:
        return pd.DataFrame(
            columns=[
                "mechanic_id",
                "requests",
                "completed",
                "cancelled",
                *RATE_COLUMNS,
                *MECHANIC_ATTRIBUTES,
            ]
        )
    table = with_rate_intervals(wide).merge(
        profiles[["mechanic_id", *MECHANIC_ATTRIBUTES]], on="mechanic_id", how="left"
    )
    front = ["mechanic_id", "name", "requests"]
    return table[front + [c for c in table.columns if c not in front]]


def customer_table(
    status_counts: pd.DataFrame,
    activity: pd.DataFrame,
    span_days: int,
    test_flags: dict[str, bool],
) -> pd.DataFrame:
    """Per customer: requests by status, rates, share, per-day rates, busiest day, pattern.

    ``status_counts``: customer, status, requests. ``activity``: customer, active_days,
    busiest_day_number, busiest_day_requests. ``test_flags``: customer → is a test account.
    Returns customer, requests, a column per status, completed, cancelled, completion_rate and
    cancel_rate with ``_low``/``_high`` bounds, share, per_day (over the ``span_days`` of the
    period's activity), active_days, per_active_day, busiest_day (date),
    busiest_day_requests, test_account, pattern (``request_pattern``); busiest first.
    """
    wide = status_columns(status_counts, "customer")
    if wide.empty:
        return pd.DataFrame(columns=["customer", "requests", "share", "test_account", "pattern"])
    table = with_rate_intervals(wide).merge(activity, on="customer", how="left")
    total = int(table["requests"].sum())
    table["share"] = table["requests"] / total
    table["per_day"] = table["requests"] / span_days if span_days else float("nan")
    table["per_active_day"] = table["requests"] / table["active_days"]
    table["busiest_day"] = [day_from_number(n) for n in table.pop("busiest_day_number")]
    table["test_account"] = [bool(test_flags.get(c, False)) for c in table["customer"]]
    table["pattern"] = [
        request_pattern(int(r), float(s), float(p))
        for r, s, p in zip(table["requests"], table["share"], table["per_active_day"], strict=True)
    ]
    return table


# Request patterns: a customer making half the requests, or 5+ on the days they are active,
# is "heavy"; 3+ requests is "repeated".
HEAVY_SHARE = 0.5
HEAVY_PER_ACTIVE_DAY = 5.0
REPEATED_REQUESTS = 3
PATTERNS = ("single", "occasional", "repeated", "heavy")


def request_pattern(requests: int, share: float, per_active_day: float) -> str:
    """``single``, ``heavy``, ``repeated`` or ``occasional`` (see the constants above)."""
    if requests <= 1:
        return "single"
    if share >= HEAVY_SHARE or per_active_day >= HEAVY_PER_ACTIVE_DAY:
        return "heavy"
    if requests >= REPEATED_REQUESTS:
        return "repeated"
    return "occasional"


def customer_profile_table(profiles: pd.DataFrame, fields: tuple[str, ...]) -> pd.DataFrame:
    """Customer profiles (``queries.period_customer_profiles``) with missing (list),
    profile_complete and deleted."""
    table = profiles.copy()
    table["missing"] = missing_fields(table, fields) if len(table) else []
    table["profile_complete"] = pd.Series(
        [not m for m in table["missing"]], dtype=bool, index=table.index
    )
    table["deleted"] = table["deleted_at"].notna().astype(bool)
    return table


def unknown_values(cube: pd.DataFrame, known: dict[str, tuple[str, ...]]) -> dict[str, dict]:
    """Per column of ``known`` (e.g. status → KNOWN_STATUSES), the requests whose value is
    outside the known vocabulary or NULL, counted by value, most requests first. Columns with
    none are omitted."""
    found: dict[str, dict[str, int]] = {}
    for column, vocabulary in known.items():
        values = cube[column].astype("object").where(cube[column].notna(), None)
        odd = cube[~values.isin(vocabulary)]
        if len(odd):
            keys = odd[column].astype("object").where(odd[column].notna(), "NULL")
            counts = odd.groupby(keys)["requests"].sum()
            counts = counts.sort_values(ascending=False, kind="stable")  # ties: by value
            found[column] = {str(k): int(v) for k, v in counts.items()}
    return found


def distribution(requests: pd.Series, top_shares: tuple[float, ...] = TOP_SHARES) -> dict:
    """How requests spread over customers (or mechanics), at a glance: ``requests`` holds one
    count per entity. Returns ``entities`` (how many), ``requests`` (their total), ``median``,
    ``p90`` and ``max`` requests per entity, ``single`` (entities with exactly one request) and
    ``top``: for each fraction in ``top_shares`` (0.01: the busiest 1 %), keyed ``"1 %"``,
    ``entities`` (the busiest ⌈fraction × entities⌉, at least one) and ``share`` (of all
    requests, theirs). With no entity the figures are None (counts 0, ``top`` empty)."""
    counts = np.sort(pd.to_numeric(requests, errors="coerce").fillna(0).to_numpy(float))[::-1]
    n, total = len(counts), float(counts.sum())
    keys = [_share_key(x) for x in top_shares]
    if not n:
        return {
            "entities": 0,
            "requests": 0,
            "median": None,
            "p90": None,
            "max": None,
            "single": 0,
            "top": {},
        }
    shares = {}
    for key, fraction in zip(keys, top_shares, strict=True):
        k = max(1, math.ceil(n * fraction))
        shares[key] = {"entities": k, "share": float(counts[:k].sum()) / total if total else None}
    return {
        "entities": n,
        "requests": int(total),
        # interpolated: 2 decimals, not the float noise of 3739.099999999998
        "median": round(float(np.median(counts)), 2),
        "p90": round(float(np.quantile(counts, 0.9)), 2),
        "max": int(counts[0]),
        "single": int((counts == 1).sum()),
        "top": shares,
    }


def _share_key(fraction: float) -> str:
    """``0.01`` → ``"1 %"``."""
    return f"{fraction * 100:g} %"


def top_and_rest(
    table: pd.DataFrame, top_n: int, sums: list[str]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The ``top_n`` busiest rows of ``table`` (by ``requests``, ties in their order) and the
    rest folded into one summary: ``count`` (rows left out) and the sum of each column of
    ``sums`` (e.g. ``requests`` and one column per status) over them. Head plus rest add up
    to the whole table's sums."""
    ranked = table.sort_values("requests", ascending=False, kind="stable") if len(table) else table
    head, tail = ranked.head(max(top_n, 0)), ranked.iloc[max(top_n, 0) :]
    rest: dict[str, Any] = {"count": len(tail)}
    for column in sums:
        rest[column] = int(tail[column].sum()) if column in tail and len(tail) else 0
    return head, rest


# From this largest count on, request_bands grows by powers of ten rather than 1-2-5.
DECADE_BANDS_FROM = 1000


def request_bands(requests: pd.Series) -> pd.DataFrame:
    """Entities (customers, mechanics) by how many requests each made, in bands growing 1-2-5
    (``1``, ``2``, ``3–4``, ``5–9``, ``10–19``, ``20–49``, …) while the largest count is under
    ``DECADE_BANDS_FROM``, else by powers of ten (``1``, ``2–4``, ``5–9``, ``10–99``,
    ``100–999``, ``1,000–9,999``, …), so there are a dozen bands at most for any realistic
    count. ``requests``: one count per entity. Returns band (label), lower, upper
    (inclusive), entities, requests; every band up to the largest, empty ones included."""
    counts = pd.to_numeric(requests, errors="coerce").fillna(0).astype(int)
    counts = counts[counts > 0]
    rows: list[tuple[str, int, int, int, int]] = []
    if counts.empty:
        return pd.DataFrame(rows, columns=["band", "lower", "upper", "entities", "requests"])
    top = int(counts.max())
    if top < DECADE_BANDS_FROM:
        edges, scale = [1, 2, 3], 1
        while edges[-1] <= top:
            edges += [step * scale for step in (5, 10, 20)]
            scale *= 10
    else:
        edges = [1, 2, 5, 10]
        while edges[-1] <= top:
            edges.append(edges[-1] * 10)
    for lower, nxt in itertools.pairwise(edges):
        if lower > top:
            break
        upper = nxt - 1
        inside = counts[(counts >= lower) & (counts <= upper)]
        label = f"{lower:,}" if lower == upper else f"{lower:,}–{upper:,}"
        rows.append((label, lower, upper, len(inside), int(inside.sum())))
    return pd.DataFrame(rows, columns=["band", "lower", "upper", "entities", "requests"])
