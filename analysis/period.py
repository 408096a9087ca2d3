"""A reporting period: two inclusive local dates in a named time zone.

Conversion to UTC happens here and nowhere else; everything downstream works in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.errors import AnalysisError

DEFAULT_TIMEZONE = "America/Toronto"


def parse_date(value: str | date, name: str) -> date:
    """An ISO date (``YYYY-MM-DD``), or an AnalysisError naming the parameter."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise AnalysisError(
            f"{name} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-10-29"
        ) from None


def zone(name: str) -> ZoneInfo:
    """The named IANA time zone, or an AnalysisError saying how to name one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
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
