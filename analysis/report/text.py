"""Small wording helpers shared by the report's sentences and tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from analysis.investigation.intervals import Rate

SHORT_ID_LENGTH = 8
# Ids named one by one in a sentence before "and N more" (data-quality ids, profile gaps).
MAX_IDS_SHOWN = 5
DATE_FORMAT = "%d %b %Y"
TIME_FORMAT = "%d %b %Y %H:%M:%S %Z"


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """``0.837`` → ``83.7 %``; None → ``n/a``."""
    return "n/a" if value is None or pd.isna(value) else f"{value * 100:.{decimals}f} %"


def fmt_count(value: Any) -> str:
    """A count with thousands separators: ``12345`` → ``12,345`` (a float is rounded:
    ``41351.9`` → ``41,352``); None or NaN → ``n/a``."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{round(float(value)):,}"


def plural(count: Any, noun: str) -> str:
    """``plural(1, "mechanic")`` → ``1 mechanic``; 3 → ``3 mechanics``; 1000 → ``1,000
    mechanics`` (``fmt_count``: the noun agrees with the number written, 0.6 → ``1
    mechanic``)."""
    written = fmt_count(count)
    return f"{written} {noun}" if written == "1" else f"{written} {noun}s"


def join_words(words: Sequence[str], last: str = "and") -> str:
    """``["a", "b", "c"]`` → ``a, b and c``."""
    items = [str(w) for w in words]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def short_id(value: str | None) -> str:
    """The first block of a UUID, as the original report wrote them (``c62837da``)."""
    return str(value)[:SHORT_ID_LENGTH] if value else "—"


def short_ids(values: Iterable[Any]) -> list[str]:
    """Ids shown together, each as short as tells it from the others (``id_labels``); a
    missing id (None, NaN, NA, "") is a dash. A report labels its ids with one map for all
    its lists (``analysis.report.labels``), not list by list."""
    items = list(values)
    labels = id_labels(items)
    return [labels.get(id_text(v), "—") for v in items]


def id_labels(values: Iterable[Any]) -> dict[str, str]:
    """Each distinct id (as text) → its label: the first block of a UUID (``short_id``) when
    no other id starts with it; ids that share their first block (sequential or
    time-ordered ids) get it and as many of their last characters as tell them apart
    (``00000003…0001``), the whole id when that is no longer. Missing ids are left out."""
    groups: dict[str, set[str]] = {}
    for v in values:
        text = id_text(v)
        if text:
            groups.setdefault(text[:SHORT_ID_LENGTH], set()).add(text)
    labels: dict[str, str] = {}
    for ids in groups.values():
        tail = 0
        while len({_shortened(t, tail) for t in ids}) < len(ids):
            tail += 4 if tail == 0 else 2
        labels.update((t, _shortened(t, tail)) for t in ids)
    return labels


def id_text(value: Any) -> str:
    """An id as text; "" when missing (None, NaN, NA, "")."""
    missing = value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value))
    return "" if missing else str(value)


def some_ids(
    ids: Sequence[Any],
    labels: Callable[[Iterable[Any]], list[str]] | None = None,
    limit: int = MAX_IDS_SHOWN,
) -> str:
    """The first ``limit`` ids in backticks, labelled by ``labels`` (a report's
    ``analysis.report.labels.labels_of``; default ``short_ids``), then how many more: bounded
    whatever the data's size (``a``, ``b`` and ``1,234 more``)."""
    shown = [f"`{i}`" for i in (labels or short_ids)(list(ids)[:limit])]
    return first_few(shown, len(ids) - limit)


def first_few(shown: Sequence[str], more: int, rest: str = "more") -> str:
    """``shown`` joined, then how many were left out (``more``, when above 0): ``a, b and
    1,234 more``; bounded whatever the data's size."""
    return join_words([*shown, *([f"{fmt_count(more)} {rest}"] if more > 0 else [])])


def all_others(count: int, noun: str) -> str:
    """``All other 7,524 customers``; ``1 other customer``."""
    return f"1 other {noun}" if count == 1 else f"All other {count:,} {noun}s"


def _shortened(text: str, tail: int) -> str:
    if not tail:
        return text[:SHORT_ID_LENGTH]
    return (
        text
        if len(text) <= SHORT_ID_LENGTH + 1 + tail
        else f"{text[:SHORT_ID_LENGTH]}…{text[-tail:]}"
    )


def words(name: str) -> str:
    """``years_of_experience`` → ``years of experience``."""
    return name.replace("_", " ")


def fmt_interval(low: Any, high: Any) -> str:
    """``0.38, 0.96`` → ``38–96 %``; unknown → ``—``."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "—"
    return f"{low * 100:.0f}–{high * 100:.0f} %"


def fmt_rate(rate: Any, low: Any, high: Any) -> str:
    """A rate with its (already computed) 95 % interval: ``80 % (38–96 %)``; unknown → ``—``."""
    if rate is None or pd.isna(rate):
        return "—"
    return f"{rate * 100:.0f} % ({fmt_interval(low, high)})"


def rate_text(rate: Rate) -> str:
    """``fmt_rate`` of a ``Rate``."""
    return fmt_rate(rate.rate, rate.low, rate.high)


def rate_column(table: pd.DataFrame, name: str) -> list[str]:
    """``fmt_rate`` of each row's ``<name>``, ``<name>_low`` and ``<name>_high`` columns (the
    intervals the investigation computed, never recomputed here)."""
    return [
        fmt_rate(r, lo, hi)
        for r, lo, hi in zip(table[name], table[f"{name}_low"], table[f"{name}_high"], strict=True)
    ]


def yes_no(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return "yes" if bool(value) else "no"
