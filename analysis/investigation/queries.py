"""Query builders, declared by name: each returns a SQLAlchemy ``Select`` and runs nothing.

``QUERIES`` maps a name to its builder (``@query`` registers one); ``QueryRunner`` runs them by
name and can time each, which is how the benchmarks profile the findings. Every period filter
is a bound, half-open UTC range on ``created_at`` (index-friendly); aggregation happens in the
database, so only small results come back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.domain import ACCEPTANCE_MINUTES, CANCELLED, RETRY_WINDOW_MINUTES
from analysis.period import Period
from analysis.source.dialect import (
    as_text,
    bucket,
    computed_once,
    epoch_seconds,
    floor_int,
    in_time_range,
    local_day_number,
    local_epoch_seconds,
    median,
    minutes_between,
    sortable,
    utc_moment,
)
from analysis.source.engine import QueryTimeout, read_frame
from analysis.source.schema import mechanics, organizations, profiles, session_requests

sr = session_requests
Builder = Callable[..., sa.Select]
QUERIES: dict[str, Builder] = {}


def query(builder: Builder) -> Builder:
    """Declare ``builder`` under its function name in ``QUERIES``."""
    QUERIES[builder.__name__] = builder
    return builder


@dataclass
class QueryRunner:
    """Runs declared queries by name on one connection; with ``timings``, records
    ``(name, seconds)`` for each (fetching included)."""

    conn: Connection
    timings: list[tuple[str, float]] | None = field(default=None)

    def __call__(self, name: str, *args: Any, label: str | None = None) -> pd.DataFrame:
        began = time.perf_counter()
        try:
            frame = read_frame(self.conn, QUERIES[name](*args))
        except QueryTimeout as exc:  # one line naming the query
            raise QueryTimeout(f"query {label or name}: {exc}") from None
        if self.timings is not None:
            self.timings.append((label or name, time.perf_counter() - began))
        return frame


def in_period(period: Period) -> sa.ColumnElement[bool]:
    """The period's requests: ``created_at`` in its half-open UTC range, however stored."""
    return in_time_range(sr.c.created_at, period.utc_start, period.utc_end)


def category(name: str) -> sa.Label[str]:
    """A categorical request column (status, session_type, routing_type) as text, labelled
    with its name: an enum column is cast, so it compares with and groups as text."""
    return as_text(sr.c[name]).label(name)


def same_id(left: sa.ColumnElement[Any], right: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """Two id columns equal, compared as text where one is uuid and the other text."""
    return as_text(left) == as_text(right)


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """0/1 rather than a boolean: the same type back from every engine."""
    return sa.case((condition, 1), else_=0)


def customer_key() -> sa.ColumnElement[str]:
    """SCHEMA.md's customer grouping key: the request's e-mail, else its customer id."""
    return sa.func.coalesce(sr.c.customer_email, sa.cast(sr.c.customer_id, sa.String))


@query
def request_cube(period: Period) -> sa.Select:
    """Requests counted by every categorical attribute the report breaks down by.

    Columns: status, session_type, routing_type, assigned, workshop_served,
    preferred_workshop (0/1), requests. One scan serves the status, type, assignment,
    cancellation and routing sections.
    """
    keys = [
        category("status"),
        category("session_type"),
        category("routing_type"),
        _flag(sr.c.mechanic_id.is_not(None)).label("assigned"),
        _flag(sr.c.workshop_id.is_not(None)).label("workshop_served"),
        _flag(sr.c.preferred_workshop_id.is_not(None)).label("preferred_workshop"),
    ]
    return (
        sa.select(*keys, sa.func.count().label("requests")).where(in_period(period)).group_by(*keys)
    )


@query
def request_span(period: Period) -> sa.Select:
    """Columns: requests, first_at, last_at (UTC)."""
    return sa.select(
        sa.func.count().label("requests"),
        sa.func.min(utc_moment(sr.c.created_at)).label("first_at"),
        sa.func.max(utc_moment(sr.c.created_at)).label("last_at"),
    ).where(in_period(period))


@query
def daily_status_counts(period: Period) -> sa.Select:
    """Columns: day_number (local date, days since 1970-01-01), status, requests."""
    day = local_day_number(sr.c.created_at, period.utc_offsets()).label("day_number")
    return (
        sa.select(day, category("status"), sa.func.count().label("requests"))
        .where(in_period(period))
        .group_by(day, category("status"))
    )


@query
def mechanic_status_counts(period: Period) -> sa.Select:
    """Columns: mechanic_id, status, requests, over assigned requests only."""
    return (
        sa.select(sr.c.mechanic_id, category("status"), sa.func.count().label("requests"))
        .where(in_period(period), sr.c.mechanic_id.is_not(None))
        .group_by(sr.c.mechanic_id, category("status"))
    )


def _grouped_by_customer(period: Period, *columns: sa.ColumnElement[Any]) -> sa.Subquery:
    """Requests counted (``n``) by raw e-mail and customer id plus ``columns``.

    Grouping on the raw pair first and building the text key afterwards casts a UUID per
    group instead of per request.
    """
    raw = [sr.c.customer_email, sr.c.customer_id, *columns]
    return (
        sa.select(*raw, sa.func.count().label("n"))
        .where(in_period(period))
        .group_by(*raw)
        .subquery("by_customer")
    )


def _total(counts: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    """A sum of counts, as an integer on every engine (PostgreSQL's sum(bigint) is numeric)."""
    return sa.cast(sa.func.sum(counts), sa.BigInteger)


def _key_of(grouped: sa.Subquery) -> sa.ColumnElement[str]:
    """``customer_key`` over a ``_grouped_by_customer`` subquery."""
    return sa.func.coalesce(grouped.c.customer_email, sa.cast(grouped.c.customer_id, sa.String))


@query
def customer_status_counts(period: Period) -> sa.Select:
    """Columns: customer (grouping key), status, requests."""
    grouped = _grouped_by_customer(period, category("status"))
    key = _key_of(grouped).label("customer")
    requests = _total(grouped.c.n).label("requests")
    return sa.select(key, grouped.c.status, requests).group_by(key, grouped.c.status)


@query
def customer_activity(period: Period) -> sa.Select:
    """Columns: customer, active_days, busiest_day_number, busiest_day_requests.

    The busiest day is the local date with most requests (the earliest on a tie).
    """
    day = local_day_number(sr.c.created_at, period.utc_offsets()).label("day_number")
    grouped = _grouped_by_customer(period, day)
    key = _key_of(grouped)
    per_day = (
        sa.select(key.label("customer"), grouped.c.day_number, _total(grouped.c.n).label("n"))
        .group_by(key, grouped.c.day_number)
        .subquery("per_day")
    )
    ranked = sa.select(
        per_day,
        sa.func.row_number()
        .over(partition_by=per_day.c.customer, order_by=[per_day.c.n.desc(), per_day.c.day_number])
        .label("rank"),
    ).subquery("ranked")
    return sa.select(
        ranked.c.customer,
        sa.func.count().label("active_days"),
        sa.func.max(sa.case((ranked.c.rank == 1, ranked.c.day_number))).label("busiest_day_number"),
        sa.func.max(ranked.c.n).label("busiest_day_requests"),
    ).group_by(ranked.c.customer)


# Histogram bin edges for response minutes: fine under a few minutes, coarse after.
RESPONSE_BIN_EDGES = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 240.0)


def _accepted_minutes(period: Period) -> sa.CTE:
    """The period's accepted requests' response minutes (negatives included), computed once."""
    minutes = minutes_between(sr.c.created_at, sr.c.accepted_at).label("minutes")
    query = sa.select(minutes).where(in_period(period), sr.c.accepted_at.is_not(None))
    return computed_once(query, "accepted")


@query
def response_summary(period: Period) -> sa.Select:
    """One row over accepted requests: count, mean, median, min, max of the response minutes
    (accepted_at - created_at) that are not negative, and excluded_negative (accepted before
    created: bad data, left out of the statistics)."""
    minutes = _accepted_minutes(period).c.minutes
    valid = sa.case((minutes >= 0, minutes))
    return sa.select(
        sa.func.count(valid).label("count"),
        sa.func.avg(valid).label("mean"),
        median(valid).label("median"),
        sa.func.min(valid).label("min"),
        sa.func.max(valid).label("max"),
        sa.func.count(sa.case((minutes < 0, 1))).label("excluded_negative"),
    )


@query
def response_bins(period: Period) -> sa.Select:
    """Columns: bin (index into ``RESPONSE_BIN_EDGES``), requests; non-negative responses."""
    minutes = _accepted_minutes(period).c.minutes
    index = bucket(minutes, RESPONSE_BIN_EDGES).label("bin")
    return sa.select(index, sa.func.count().label("requests")).where(minutes >= 0).group_by(index)


@query
def mechanic_roster() -> sa.Select:
    """Every mechanic on record with the profile attributes the report uses.

    Columns: mechanic_id, name, email, phone, city, province, postal_code,
    years_of_experience, red_seal_certified, account_type, workshop_id, workshop_name.
    """
    m = mechanics
    return (
        sa.select(
            m.c.id.label("mechanic_id"),
            m.c.name,
            m.c.email,
            m.c.phone,
            m.c.city,
            m.c.province,
            m.c.postal_code,
            m.c.years_of_experience,
            m.c.red_seal_certified,
            m.c.account_type,
            m.c.workshop_id,
            organizations.c.name.label("workshop_name"),
        )
        .select_from(m.outerjoin(organizations, same_id(organizations.c.id, m.c.workshop_id)))
        .order_by(m.c.id)
    )


@query
def period_customer_profiles(period: Period) -> sa.Select:
    """Profiles of the customers who made requests in the period.

    Columns: customer_id, email, full_name, postal_code, city, province, phone, latitude,
    longitude, deleted_at.
    """
    p = profiles
    customers = sa.select(as_text(sr.c.customer_id)).where(in_period(period)).distinct()
    return (
        sa.select(
            p.c.id.label("customer_id"),
            p.c.email,
            p.c.full_name,
            p.c.postal_code,
            p.c.city,
            p.c.province,
            p.c.phone,
            p.c.latitude,
            p.c.longitude,
            p.c.deleted_at,
        )
        .where(as_text(p.c.id).in_(customers))
        .order_by(p.c.id)
    )


@query
def participants(period: Period) -> sa.Select:
    """Columns: customers (distinct grouping keys), mechanics (distinct non-null mechanic_id)."""
    return sa.select(
        sa.func.count(sa.distinct(customer_key())).label("customers"),
        sa.func.count(sa.distinct(sr.c.mechanic_id)).label("mechanics"),
    ).where(in_period(period))


@query
def hour_weekday_counts(period: Period) -> sa.Select:
    """Columns: weekday (0 = Monday), hour (local, 0–23), requests.

    Requests are first counted per local hour since 1970 (one expression per row), then the
    few thousand hours are folded into hour of day and weekday with FLOOR and arithmetic only
    (no modulo, no date functions), so every engine agrees. 1970-01-01 was a Thursday.
    """
    local = local_epoch_seconds(sr.c.created_at, period.utc_offsets())
    hour_number = floor_int(local / 3600.0).label("hour_number")
    per_hour = (
        sa.select(hour_number, sa.func.count().label("n"))
        .where(in_period(period))
        .group_by(hour_number)
        .subquery("per_hour")
    )
    day = floor_int(per_hour.c.hour_number / 24.0)
    hour = (per_hour.c.hour_number - day * 24).label("hour")
    shifted = day + 3
    weekday = (shifted - 7 * floor_int(shifted / 7.0)).label("weekday")
    return sa.select(weekday, hour, _total(per_hour.c.n).label("requests")).group_by(weekday, hour)


# --- Root causes: failures per dimension level, supply by hour of week, acceptance ---------

# Time from a request to its ``expires_at``, counted in steps of this many seconds.
EXPIRY_STEP_SECONDS = 1800
# Differences of epoch seconds carry float error that differs by engine (SQLite rounds to the
# millisecond): a request exactly 30 minutes after another must count as within 30 minutes
# everywhere, so comparisons allow this much.
SLACK_SECONDS = 0.001


def _weekday_hour(
    hour_number: sa.ColumnElement[int],
) -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    """Local weekday (0 = Monday) and hour of a local hour number (hours since 1970-01-01, a
    Thursday), with FLOOR and arithmetic only, so every engine agrees."""
    day = floor_int(hour_number / 24.0)
    shifted = day + 3
    return shifted - 7 * floor_int(shifted / 7.0), hour_number - day * 24


def _failed() -> sa.ColumnElement[int]:
    """1 when a request ended without a session: never assigned, or cancelled."""
    return _flag(sa.or_(sr.c.mechanic_id.is_(None), category("status") == CANCELLED))


OUTCOME_COLUMNS = ("never_assigned", "cancelled", "failed")


def _outcome_sums(
    never: sa.ColumnElement[int], cancelled: sa.ColumnElement[int], failed: sa.ColumnElement[int]
) -> list[sa.ColumnElement[Any]]:
    """never_assigned, cancelled, failed: integer sums of 0/1 flags or of counts."""
    return [
        _total(never).label("never_assigned"),
        _total(cancelled).label("cancelled"),
        _total(failed).label("failed"),
    ]


def _per_request() -> list[sa.ColumnElement[Any]]:
    """n, never_assigned, cancelled, failed of the requests grouped."""
    return [
        sa.func.count().label("n"),
        *_outcome_sums(
            _flag(sr.c.mechanic_id.is_(None)), _flag(category("status") == CANCELLED), _failed()
        ),
    ]


def _summed(source: sa.Subquery | sa.CTE) -> list[sa.ColumnElement[Any]]:
    """requests, never_assigned, cancelled, failed summed over rows of ``_per_request``."""
    return [
        _total(source.c.n).label("requests"),
        *_outcome_sums(*(source.c[c] for c in OUTCOME_COLUMNS)),
    ]


def _level(dimension: str, value: sa.ColumnElement[Any]) -> list[sa.ColumnElement[Any]]:
    return [
        sa.cast(sa.literal(dimension), sa.String).label("dimension"),
        sa.cast(value, sa.String).label("level"),
    ]


# Dimension → the column of the attribute cube (``failure_counts``) it is summed from; those
# of optional source columns only when the source has them.
CUBE_DIMENSIONS = {
    "session_type": "session_type",
    "routing_type": "routing_type",
    "is_urgent": "urgent",
    "plan_code": "plan_code",
    "expiry_window": "expiry_band",
}


@query
def failure_counts(period: Period, present: frozenset[str] = frozenset()) -> sa.CompoundSelect:
    """Requests and failures per level of each request attribute, in one statement.

    Columns: dimension (a ``CUBE_DIMENSIONS`` key, ``customer_city`` or
    ``customer_history``), level (text; NULL when the value is missing; 0/1 flags as
    ``'0'``/``'1'``, customer_history ``'1'`` being the customer's first request on record,
    the whole table considered; expiry bands as their index into ``EXPIRY_WINDOW_EDGES``),
    requests, never_assigned, cancelled, failed (never assigned or cancelled).
    ``present``: the optional columns the source has; the others are never named.

    The period's requests are grouped small before anything is joined: once by all their
    own attributes together (a cube each attribute's levels are summed from), the requests
    without a city of their own once more by customer (joined to the profiles for the city),
    and once joined to each customer's first request on record.
    """
    keys: list[sa.ColumnElement[Any]] = [category("session_type"), category("routing_type")]
    if "is_urgent" in present:
        urgent = sa.case((sr.c.is_urgent.is_(True), 1), (sr.c.is_urgent.is_(False), 0))
        keys.append(urgent.label("urgent"))
    if "plan_code" in present:
        keys.append(sr.c.plan_code)
    if "expires_at" in present:
        # Whole steps: one expression per row (a CASE over bands would repeat it).
        seconds = epoch_seconds(sr.c.expires_at) - epoch_seconds(sr.c.created_at)
        keys.append(floor_int((seconds + SLACK_SECONDS) / EXPIRY_STEP_SECONDS).label("expiry_band"))
    if "customer_city" in present:
        keys.append(sa.func.nullif(sr.c.customer_city, "").label("request_city"))
    cube = computed_once(
        sa.select(*keys, *_per_request()).where(in_period(period)).group_by(*keys), "cube"
    )
    branches = [
        sa.select(*_level(dimension, cube.c[column]), *_summed(cube)).group_by(cube.c[column])
        for dimension, column in CUBE_DIMENSIONS.items()
        if column in cube.c
    ]
    # The customer's city: the request's customer_city (in the cube), else the profile's city
    # (requests without one are grouped by customer, then joined to the profiles).
    counts = ("n", *OUTCOME_COLUMNS)
    without_city = sa.select(sr.c.customer_id, *_per_request()).where(in_period(period))
    if "customer_city" in present:
        without_city = without_city.where(sa.func.nullif(sr.c.customer_city, "").is_(None))
    by_customer = without_city.group_by(sr.c.customer_id).subquery("by_customer")
    from_profile = sa.select(
        sa.func.nullif(profiles.c.city, "").label("city"), *(by_customer.c[c] for c in counts)
    ).select_from(
        by_customer.outerjoin(profiles, same_id(profiles.c.id, by_customer.c.customer_id))
    )
    if "customer_city" in present:
        from_request = sa.select(
            cube.c.request_city.label("city"), *(cube.c[c] for c in counts)
        ).where(cube.c.request_city.is_not(None))
        located = sa.union_all(from_request, from_profile).subquery("located")
    else:
        located = from_profile.subquery("located")
    branches.append(
        sa.select(*_level("customer_city", located.c.city), *_summed(located)).group_by(
            located.c.city
        )
    )
    # New customers: requests made at their customer's first moment on record.
    firsts = (
        sa.select(sr.c.customer_id, sa.func.min(sortable(sr.c.created_at)).label("first_at"))
        .where(in_time_range(sr.c.created_at, None, period.utc_end))
        .group_by(sr.c.customer_id)
        .subquery("firsts")
    )
    first = sa.and_(
        firsts.c.customer_id == sr.c.customer_id, firsts.c.first_at == sortable(sr.c.created_at)
    )
    newcomers = (
        sa.select(*_per_request())
        .select_from(sr.join(firsts, first))
        .where(in_period(period))
        .subquery("newcomers")
    )
    everyone = sa.select(*_summed(cube)).subquery("everyone")
    both = everyone.join(newcomers, sa.true())
    columns = list(zip(("requests", *OUTCOME_COLUMNS), ("n", *OUTCOME_COLUMNS), strict=True))
    new = [sa.func.coalesce(newcomers.c[n], 0).label(c) for c, n in columns]
    returning = [(everyone.c[c] - sa.func.coalesce(newcomers.c[n], 0)).label(c) for c, n in columns]
    branches += [  # none for an empty period (``everyone`` then sums nothing: NULL)
        sa.select(*_level("customer_history", sa.literal(1)), *new)
        .select_from(both)
        .where(everyone.c.requests > 0),
        sa.select(*_level("customer_history", sa.literal(0)), *returning)
        .select_from(both)
        .where(everyone.c.requests > 0),
    ]
    return sa.union_all(*branches)


@query
def retry_counts(period: Period, retry_minutes: int = RETRY_WINDOW_MINUTES) -> sa.Select:
    """Requests that retry a failed one, and customer needs, by whether the request is a retry.

    A request is a retry when the same customer's previous request failed (never assigned, or
    cancelled) at most ``retry_minutes`` before it; a need is a request plus the retries that
    follow it, and it ends with the first request not followed by a retry. Columns: retry
    (0/1), requests, never_assigned, cancelled, failed, needs (requests that ended a need:
    needs are counted by their last attempt, so each is counted once across consecutive
    periods) and needs_failed (of those, the ones whose last attempt failed). Neighbours are
    looked for ``retry_minutes`` beyond both ends of the period.

    Only the request's time and its outcome (``state``: 2 × never assigned + cancelled) go
    through the window's sort. Ties on time are ordered by state, so requests that still tie
    are interchangeable and every engine gives the same counts.
    """
    window = retry_minutes * 60.0 + SLACK_SECONDS
    reach = timedelta(minutes=retry_minutes)
    state = 2 * _flag(sr.c.mechanic_id.is_(None)) + _flag(category("status") == CANCELLED)
    states = (
        sa.select(sr.c.customer_id, sr.c.created_at, state.label("state"))
        .where(in_time_range(sr.c.created_at, period.utc_start - reach, period.utc_end + reach))
        .subquery("states")
    )
    s = states
    order: dict[str, Any] = {
        "partition_by": s.c.customer_id,
        "order_by": [sortable(s.c.created_at), s.c.state],
    }
    moment = epoch_seconds(s.c.created_at)
    around = sa.select(
        s.c.created_at,
        s.c.state,
        (moment - sa.func.lag(moment).over(**order)).label("since_previous"),
        sa.func.lag(s.c.state).over(**order).label("previous_state"),
        (sa.func.lead(moment).over(**order) - moment).label("until_next"),
    ).subquery("around")
    a = around
    retry = _flag(sa.and_(a.c.previous_state > 0, a.c.since_previous <= window)).label("retry")
    ends_need = sa.case((sa.and_(a.c.state > 0, a.c.until_next <= window), 0), else_=1)
    never, cancelled, failed = (
        _flag(a.c.state >= 2),
        _flag(a.c.state.in_([1, 3])),
        _flag(a.c.state > 0),
    )
    return (
        sa.select(
            retry,
            sa.func.count().label("requests"),
            _total(never).label("never_assigned"),
            _total(cancelled).label("cancelled"),
            _total(failed).label("failed"),
            _total(ends_need).label("needs"),
            _total(ends_need * failed).label("needs_failed"),
        )
        .where(in_time_range(a.c.created_at, period.utc_start, period.utc_end))
        .group_by(retry)
    )


@query
def coverage_counts(period: Period) -> sa.CompoundSelect:
    """Demand and supply per local weekday × hour slot.

    Columns: weekday (0 = Monday), hour, requests, never_assigned, cancelled (of requests
    made in the slot; NULL on supply rows) and mechanics (distinct mechanics who accepted a
    request of the period in the slot, by ``accepted_at``; NULL on demand rows). Demand is
    counted per local hour since 1970 first and folded, as in ``hour_weekday_counts``.
    """
    offsets = period.utc_offsets()
    hour_number = floor_int(local_epoch_seconds(sr.c.created_at, offsets) / 3600.0)
    per_hour = (
        sa.select(
            hour_number.label("hour_number"),
            sa.func.count().label("n"),
            _total(_flag(sr.c.mechanic_id.is_(None))).label("never"),
            _total(_flag(category("status") == CANCELLED)).label("cancelled"),
        )
        .where(in_period(period))
        .group_by(hour_number)
        .subquery("per_hour")
    )
    day_of_week, hour_of_day = _weekday_hour(per_hour.c.hour_number)
    weekday, hour = day_of_week.label("weekday"), hour_of_day.label("hour")
    demand = sa.select(
        weekday,
        hour,
        _total(per_hour.c.n).label("requests"),
        _total(per_hour.c.never).label("never_assigned"),
        _total(per_hour.c.cancelled).label("cancelled"),
        sa.cast(sa.null(), sa.BigInteger).label("mechanics"),
    ).group_by(weekday, hour)
    accepted = floor_int(local_epoch_seconds(sr.c.accepted_at, offsets) / 3600.0)
    accepted_day, accepted_of_day = _weekday_hour(accepted)
    accepted_weekday, accepted_hour = accepted_day.label("weekday"), accepted_of_day.label("hour")
    supply = (
        sa.select(
            accepted_weekday,
            accepted_hour,
            sa.cast(sa.null(), sa.BigInteger).label("requests"),
            sa.cast(sa.null(), sa.BigInteger).label("never_assigned"),
            sa.cast(sa.null(), sa.BigInteger).label("cancelled"),
            sa.func.count(sa.distinct(sr.c.mechanic_id)).label("mechanics"),
        )
        .where(in_period(period), sr.c.accepted_at.is_not(None), sr.c.mechanic_id.is_not(None))
        .group_by(accepted_weekday, accepted_hour)
    )
    return sa.union_all(demand, supply)


@query
def acceptance_counts(period: Period, minutes: tuple[int, ...] = ACCEPTANCE_MINUTES) -> sa.Select:
    """Requests per session type and acceptance band, for the acceptance curve.

    Columns: session_type, band, requests. ``band`` is the index of the first threshold in
    ``minutes`` the request was accepted within (``len(minutes)``: later), NULL when it was
    never accepted or accepted before it was made (bad data, not known to be in time). One
    band per request (rather than one count per threshold) keeps the work per row small; the
    curve is the cumulative sum.
    """
    delay = minutes_between(sr.c.created_at, sr.c.accepted_at).label("minutes")
    waits = computed_once(
        sa.select(category("session_type"), delay).where(in_period(period)), "waits"
    )
    band = sa.case(
        (waits.c.minutes < 0, None),
        *[(waits.c.minutes <= m + SLACK_SECONDS / 60, i) for i, m in enumerate(minutes)],
        else_=sa.case((waits.c.minutes.is_not(None), len(minutes))),
    ).label("band")
    return sa.select(waits.c.session_type, band, sa.func.count().label("requests")).group_by(
        waits.c.session_type, band
    )


@query
def unassigned_waits(period: Period) -> sa.Select:
    """Never-assigned requests by status. Columns: status, requests, first_at, last_at (UTC)."""
    return (
        sa.select(
            category("status"),
            sa.func.count().label("requests"),
            sa.func.min(utc_moment(sr.c.created_at)).label("first_at"),
            sa.func.max(utc_moment(sr.c.created_at)).label("last_at"),
        )
        .where(in_period(period), sr.c.mechanic_id.is_(None))
        .group_by(category("status"))
    )


@query
def customers_without_profile(period: Period) -> sa.Select:
    """Columns: customer_id, requests, for the period's customers with no profile row."""
    has_profile = sa.select(profiles.c.id).where(same_id(profiles.c.id, sr.c.customer_id)).exists()
    return (
        sa.select(sr.c.customer_id, sa.func.count().label("requests"))
        .where(in_period(period), ~has_profile)
        .group_by(sr.c.customer_id)
        .order_by(sr.c.customer_id)
    )


@query
def customer_id_counts(period: Period) -> sa.Select:
    """Columns: customer_id, requests (per customer id, not the e-mail grouping key)."""
    return (
        sa.select(sr.c.customer_id, sa.func.count().label("requests"))
        .where(in_period(period))
        .group_by(sr.c.customer_id)
    )


@query
def customer_email_counts(period: Period) -> sa.Select:
    """Columns: customer_id, customer_email, requests: how the two customer keys (the
    investigation's e-mail, the audit's customer id) map onto each other."""
    return (
        sa.select(sr.c.customer_id, sr.c.customer_email, sa.func.count().label("requests"))
        .where(in_period(period))
        .group_by(sr.c.customer_id, sr.c.customer_email)
    )
