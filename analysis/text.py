"""Small wording helpers shared by the verdict, recommendations and report sections."""

from __future__ import annotations

from collections.abc import Sequence

SHORT_ID_LENGTH = 8


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """``0.837`` → ``83.7 %``; None → ``n/a``."""
    return "n/a" if value is None else f"{value * 100:.{decimals}f} %"


def plural(count: int, noun: str) -> str:
    """``plural(1, "mechanic")`` → ``1 mechanic``; 3 → ``3 mechanics``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def join_words(words: Sequence[str], last: str = "and") -> str:
    """``["a", "b", "c"]`` → ``a, b and c``."""
    items = [str(w) for w in words]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def short_id(value: str | None) -> str:
    """The first block of a UUID, as the original report wrote them (``c62837da``)."""
    return str(value)[:SHORT_ID_LENGTH] if value else "—"
