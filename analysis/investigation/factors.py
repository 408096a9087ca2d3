"""Mechanic success factors: completion and cancellation rates by a mechanic's attributes.

Replaces the original report's anecdote ("complete profiles with certifications = successful
matches", drawn from one mechanic) with counts and 95 % intervals per attribute level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.investigation.intervals import overlap, too_few, with_interval

UNKNOWN = "unknown"
# Experience bands (years): upper bounds inclusive.
EXPERIENCE_BANDS: tuple[tuple[int, str], ...] = (
    (2, "0–2 years"),
    (5, "3–5 years"),
    (10, "6–10 years"),
)
EXPERIENCE_TOP = "11+ years"


def experience_band(years: Any) -> str:
    """``8`` → ``6–10 years``; missing → ``unknown``."""
    if years is None or pd.isna(years):
        return UNKNOWN
    for upper, label in EXPERIENCE_BANDS:
        if int(years) <= upper:
            return label
    return EXPERIENCE_TOP


def _yes_no(value: Any, yes: str, no: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return UNKNOWN
    return yes if bool(value) else no


FACTORS: dict[str, Callable[[pd.Series], str]] = {
    "profile": lambda r: _yes_no(r.get("profile_complete"), "complete", "incomplete"),
    "Red Seal": lambda r: _yes_no(r.get("red_seal_certified"), "certified", "not certified"),
    "workshop": lambda r: (
        UNKNOWN
        if pd.isna(r.get("mechanic_type"))
        else ("no workshop" if r.get("mechanic_type") == "virtual" else "has a workshop")
    ),
    "experience": lambda r: (
        UNKNOWN
        if pd.isna(r.get("mechanic_type"))
        else experience_band(r.get("years_of_experience"))
    ),
    "mechanic type": lambda r: UNKNOWN if pd.isna(r.get("mechanic_type")) else r["mechanic_type"],
}


def factor_table(mechanics: pd.DataFrame) -> pd.DataFrame:
    """Completion and cancellation rates per level of each factor.

    ``mechanics``: ``metrics.mechanic_table`` (mechanic_id, requests, completed, cancelled,
    profile_complete, red_seal_certified, years_of_experience, mechanic_type; a mechanic absent
    from the roster has missing attributes and lands under ``unknown``).
    Returns factor, level, mechanics, requests, completed, cancelled, completion_rate,
    completion_rate_low, completion_rate_high, cancel_rate, cancel_rate_low, cancel_rate_high,
    too_few (fewer requests than ``uncertainty.FEW_TO_JUDGE``); factors in ``FACTORS`` order,
    levels busiest first.
    """
    columns = ["factor", "level", "mechanics", "requests", "completed", "cancelled"]
    if mechanics.empty:
        return _rates(pd.DataFrame(columns=columns))
    frame = mechanics.assign(
        completed=mechanics.get("completed", 0), cancelled=mechanics.get("cancelled", 0)
    )
    parts = []
    for name, level_of in FACTORS.items():
        levels = frame.apply(level_of, axis=1)
        grouped = (
            frame.assign(level=levels)
            .groupby("level")
            .agg(
                mechanics=("mechanic_id", "nunique"),
                requests=("requests", "sum"),
                completed=("completed", "sum"),
                cancelled=("cancelled", "sum"),
            )
            .reset_index()
            .sort_values(["requests", "level"], ascending=[False, True])
        )
        parts.append(grouped.assign(factor=name)[columns])
    return _rates(pd.concat(parts, ignore_index=True))


def _rates(table: pd.DataFrame) -> pd.DataFrame:
    table = with_interval(table, "completed", "requests", "completion_rate")
    table = with_interval(table, "cancelled", "requests", "cancel_rate")
    table["too_few"] = [too_few(int(n)) for n in table["requests"]]
    return table


def separated(table: pd.DataFrame, factor: str, rate: str = "completion_rate") -> bool:
    """Whether any two levels of ``factor`` have non-overlapping 95 % intervals for ``rate``:
    only then does the data say the attribute goes with a different rate."""
    rows = table[table["factor"] == factor]
    bounds = list(zip(rows[f"{rate}_low"], rows[f"{rate}_high"], strict=True))
    return any(not overlap(a, b) for i, a in enumerate(bounds) for b in bounds[i + 1 :])


def coinciding(mechanics: pd.DataFrame) -> list[list[str]]:
    """Groups of factors that split this period's mechanics in exactly the same way.

    When profile completeness, certification and workshop all pick out the same mechanics, the
    data cannot say which of them goes with success. ``mechanics`` as in ``factor_table``;
    returns groups of two or more factor names, in ``FACTORS`` order.
    """
    if mechanics.empty:
        return []
    groups: dict[frozenset[frozenset[str]], list[str]] = {}
    for name, level_of in FACTORS.items():
        levels = mechanics.apply(level_of, axis=1)
        partition = frozenset(
            frozenset(str(i) for i in mechanics.loc[levels == lvl, "mechanic_id"])
            for lvl in levels.unique()
        )
        groups.setdefault(partition, []).append(name)
    return [names for names in groups.values() if len(names) > 1]
