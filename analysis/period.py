"""A reporting period: two inclusive local dates in a named time zone, and calendar splits.

Conversion to UTC happens here and nowhere else; everything downstream works in UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.domain import DEFAULT_TIMEZONE
from analysis.errors import AnalysisError

if TYPE_CHECKING:
    import pandas as pd

Every = Literal["day", "week", "month"]
EVERY: tuple[str, ...] = get_args(Every)
# pandas period frequencies: calendar days, Monday–Sunday weeks, calendar months.
FREQUENCIES = {"day": "D", "week": "W-SUN", "month": "M"}
# The dates a period may have: UTC bounds must stay representable (a day either side).
FIRST_YEAR, LAST_DATE = 1900, date(9999, 12, 30)


def parse_date(value: str | date, name: str) -> date:
    """An ISO date (``YYYY-MM-DD``), or an AnalysisError naming the parameter and what is wrong
    with it (a malformed date, or a day its month doesn't have)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12:
            raise AnalysisError(f"{name} {text}: there is no month {month} (months are 1–12)")
        days = calendar.monthrange(year, month)[1]
        raise AnalysisError(
            f"{name} {text}: {calendar.month_name[month]} {year} has {days} days"
        ) from None
    raise AnalysisError(
        f"{name} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-10-29"
    ) from None


def zone(name: str) -> ZoneInfo:
    """The named IANA time zone, or an AnalysisError saying how to name one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise AnalysisError(
            f"time zone {name!r} is unknown: use an IANA name such as America/Toronto or UTC"
        ) from None


@dataclass(frozen=True)
class Period:
    """``start`` .. ``end``, both inclusive, as calendar dates in ``timezone``."""

    start: date
    end: date
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        zone(self.timezone)
        if self.end < self.start:
            raise AnalysisError(
                f"the period ends ({self.end}) before it starts ({self.start}): "
                "give an end date on or after the start date"
            )
        for name, day in (("start", self.start), ("end", self.end)):
            if day.year < FIRST_YEAR or day > LAST_DATE:
                raise AnalysisError(
                    f"the {name} date {day} is outside the dates a report can cover "
                    f"({FIRST_YEAR}-01-01 to {LAST_DATE}): check the year"
                )

    @classmethod
    def parse(cls, start: str | date, end: str | date, timezone: str = DEFAULT_TIMEZONE) -> Period:
        return cls(parse_date(start, "start date"), parse_date(end, "end date"), timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def local_midnight_utc(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)

    @property
    def utc_start(self) -> datetime:
        """Inclusive lower bound: local midnight starting ``start``, in UTC."""
        return self.local_midnight_utc(self.start)

    @property
    def utc_end(self) -> datetime:
        """Exclusive upper bound: local midnight after ``end``, in UTC (DST-aware)."""
        return self.local_midnight_utc(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same length immediately before this one."""
        return Period(
            self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.timezone
        )

    def utc_offsets(self) -> list[tuple[datetime, int]]:
        """UTC offsets in force across the period, as ``(from_utc, offset_seconds)`` pairs.

        The first pair starts at ``utc_start``; one more begins at each daylight-saving change.
        """
        return _utc_offsets(self.utc_start, self.utc_end, self.timezone)

    def to_local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def ensure_not_future(self, now: datetime) -> None:
        """A period that starts after ``now`` can hold no requests: almost surely a typo."""
        if self.utc_start > now:
            today = now.astimezone(self.tz).date()
            raise AnalysisError(
                f"the period {self.start} to {self.end} is entirely in the future (today is "
                f"{today} in {self.timezone}): give dates up to today"
            )

    def split(self, every: str) -> list[Period]:
        """The calendar days, Monday–Sunday weeks or months covering this period, the first
        and last clipped to it: ``2025-10-01 .. 2025-10-31`` by week starts with Wednesday
        1 – Sunday 5 October. So the periods cover the range exactly, no day twice, and their
        request counts add up to the whole range's."""
        if every not in FREQUENCIES:
            raise AnalysisError(
                f"--every {every!r} is not a period length: use one of {', '.join(EVERY)}"
            )
        import pandas as pd  # here: the command line imports this module before anything else

        units = pd.period_range(self.start, self.end, freq=FREQUENCIES[every])
        return [
            Period(max(self.start, _first_day(u)), min(self.end, _last_day(u)), self.timezone)
            for u in units
        ]


def _first_day(unit: pd.Period) -> date:
    # Through daily periods, not Timestamps: those end in 2262.
    day = unit.asfreq("D", how="start")
    return date(day.year, day.month, day.day)


def _last_day(unit: pd.Period) -> date:
    day = unit.asfreq("D", how="end")
    return date(day.year, day.month, day.day)


STEP = timedelta(minutes=15)  # every real-world offset change falls on a quarter hour


def _offset_at(moment: datetime, tz: ZoneInfo) -> int:
    offset = moment.astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


@lru_cache(maxsize=256)
def _utc_offsets(start: datetime, end: datetime, timezone: str) -> list[tuple[datetime, int]]:
    """Offsets checked day by day; a day whose offset changed is searched by quarter hour."""
    tz = ZoneInfo(timezone)
    offsets = [(start, _offset_at(start, tz))]
    day = start
    while day < end:
        following = min(day + timedelta(days=1), end)
        if _offset_at(following, tz) != offsets[-1][1] or following == end:
            moment = day
            while moment < following:
                seconds = _offset_at(moment, tz)
                if seconds != offsets[-1][1]:
                    offsets.append((moment, seconds))
                moment += STEP
        day = following
    return offsets
