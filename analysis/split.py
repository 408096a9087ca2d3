"""Splitting a date range into calendar periods: days, weeks (Monday–Sunday) or months.

Dates are local calendar dates in the report's time zone, as everywhere (``analysis.period``).
A first or last period that only partly falls inside the range is **clipped to the range**:
``2025-10-01 .. 2025-10-31`` by week starts with Wednesday 1 – Sunday 5 October and ends with
Monday 27 – Friday 31 October. So the periods cover the range exactly, no day twice and no day
outside it, and their request counts add up to the whole range's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, get_args

from analysis.errors import AnalysisError
from analysis.period import Period

Every = Literal["day", "week", "month"]
EVERY: tuple[str, ...] = get_args(Every)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def unit_end(day: date, every: str) -> date:
    """The last day of the calendar ``every`` (day, Monday–Sunday week, month) holding ``day``."""
    if every == "day":
        return day
    if every == "week":
        return day + timedelta(days=6 - day.weekday())
    if every == "month":
        return _next_month(day) - timedelta(days=1)
    raise AnalysisError(f"--every {every!r} is not a period length: use one of {', '.join(EVERY)}")


def split(whole: Period, every: str) -> list[Period]:
    """The calendar periods of ``every`` covering ``whole``, first and last clipped to it."""
    unit_end(whole.start, every)  # validates ``every``
    periods: list[Period] = []
    start = whole.start
    while start <= whole.end:
        end = min(unit_end(start, every), whole.end)
        periods.append(Period(start, end, whole.timezone))
        start = end + timedelta(days=1)
    return periods
