"""How sure a rate is: 95 % Wilson score intervals and the "too few to judge" rule.

A rate of 4 out of 5 (80 %) is compatible with anything from about 38 % to 96 %; every rate
the package states carries that range, computed once (``Rate``, ``with_interval``) and read by
the tables, the text, findings.json and the index alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
# Below this many requests a rate is shown with its interval but not judged.
FEW_TO_JUDGE = 20


def wilson_bounds(successes: Any, trials: Any) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson score bounds (statsmodels); NaN where there are no trials. Exactly 0
    (1) when nothing (everything) succeeded."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    some = n > 0
    if some.any():
        # imported where used, as in drivers.p_value
        from statsmodels.stats.proportion import proportion_confint

        lo, hi = proportion_confint(k[some], n[some], alpha=1 - CONFIDENCE, method="wilson")
        low[some] = np.where(k[some] <= 0, 0.0, np.clip(lo, 0.0, 1.0))
        high[some] = np.where(k[some] >= n[some], 1.0, np.clip(hi, 0.0, 1.0))
    return low, high


def too_few(trials: int) -> bool:
    """True when a rate over ``trials`` requests is too uncertain to judge."""
    return trials < FEW_TO_JUDGE


@dataclass(frozen=True)
class Rate:
    """``count`` of ``of`` requests, with the rate and its 95 % Wilson interval (None when
    ``of`` is 0) and whether there are too few requests to judge it."""

    count: int
    of: int

    @property
    def rate(self) -> float | None:
        return self.count / self.of if self.of else None

    @property
    def interval(self) -> tuple[float | None, float | None]:
        if not self.of:
            return None, None
        low, high = wilson_bounds([self.count], [self.of])
        return float(low[0]), float(high[0])

    @property
    def low(self) -> float | None:
        return self.interval[0]

    @property
    def high(self) -> float | None:
        return self.interval[1]

    @property
    def too_few(self) -> bool:
        return too_few(self.of)

    def separated_from(self, other: Rate) -> bool:
        """Whether the two 95 % intervals do not overlap (a change beyond the noise)."""
        return not overlap(self.interval, other.interval)

    def to_dict(self) -> dict[str, Any]:
        """``{"count", "of", "rate", "low", "high", "too_few"}`` for findings.json."""
        low, high = self.interval
        return {
            "count": self.count,
            "of": self.of,
            "rate": self.rate,
            "low": low,
            "high": high,
            "too_few": self.too_few,
        }


def with_interval(frame: pd.DataFrame, successes: str, trials: str, name: str) -> pd.DataFrame:
    """``frame`` plus ``<name>``, ``<name>_low`` and ``<name>_high`` for the rate
    ``frame[successes] / frame[trials]`` (columns of counts); NaN where trials is 0."""
    out = frame.copy()
    hits = out[successes].fillna(0).astype(int).to_numpy()
    totals = out[trials].fillna(0).astype(int).to_numpy()
    low, high = wilson_bounds(hits, totals)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[name] = np.where(totals > 0, hits / np.maximum(totals, 1), np.nan)
    out[f"{name}_low"] = low
    out[f"{name}_high"] = high
    return out


def overlap(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    """Whether two intervals overlap (an unknown interval overlaps everything)."""
    if None in a or None in b or any(pd.isna(v) for v in (*a, *b)):
        return True
    return not (a[1] < b[0] or b[1] < a[0])  # type: ignore[operator]
