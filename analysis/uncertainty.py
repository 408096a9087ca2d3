"""How sure a rate is: 95 % Wilson score intervals and the "too few to judge" rule.

A rate of 4 out of 5 (80 %) is compatible with anything from about 38 % to 96 %; these
functions attach that range to every rate so the report never crowns a winner on five requests.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

Z_95 = 1.959963984540054  # two-sided 95 %
# Below this many requests a rate is shown with its interval but not judged.
FEW_TO_JUDGE = 20


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float | None, float | None]:
    """The Wilson score interval of ``successes / trials``; ``(None, None)`` when trials is 0."""
    if trials <= 0:
        return None, None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= trials else min(1.0, centre + half)
    return low, high


def rate_entry(successes: int, trials: int) -> dict[str, Any]:
    """``{"count", "of", "rate", "low", "high", "too_few"}`` for findings.json."""
    low, high = wilson(successes, trials)
    return {
        "count": int(successes),
        "of": int(trials),
        "rate": successes / trials if trials else None,
        "low": low,
        "high": high,
        "too_few": too_few(trials),
    }


def too_few(trials: int) -> bool:
    """True when a rate over ``trials`` requests is too uncertain to judge."""
    return trials < FEW_TO_JUDGE


def with_interval(frame: pd.DataFrame, successes: str, trials: str, name: str) -> pd.DataFrame:
    """``frame`` plus ``<name>``, ``<name>_low`` and ``<name>_high`` for the rate
    ``frame[successes] / frame[trials]`` (columns of counts)."""
    out = frame.copy()
    hits = out[successes].fillna(0).astype(int) if len(out) else pd.Series(dtype=int)
    totals = out[trials].fillna(0).astype(int) if len(out) else pd.Series(dtype=int)
    bounds = [wilson(int(k), int(n)) for k, n in zip(hits, totals, strict=True)]
    out[name] = [k / n if n else None for k, n in zip(hits, totals, strict=True)]
    out[f"{name}_low"] = [b[0] for b in bounds]
    out[f"{name}_high"] = [b[1] for b in bounds]
    return out


def overlap(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    """Whether two intervals overlap (an unknown interval overlaps everything)."""
    if None in a or None in b:
        return True
    return not (a[1] < b[0] or b[1] < a[0])  # type: ignore[operator]


def fmt_interval(low: float | None, high: float | None) -> str:
    """``0.38, 0.96`` → ``38–96 %``; unknown → ``—``."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "—"
    return f"{low * 100:.0f}–{high * 100:.0f} %"


def fmt_rate(successes: int, trials: int) -> str:
    """``4, 5`` → ``80 % (38–96 %)``, the rate with its 95 % interval."""
    if not trials:
        return "—"
    low, high = wilson(successes, trials)
    return f"{successes / trials * 100:.0f} % ({fmt_interval(low, high)})"
