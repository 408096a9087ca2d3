"""The requests behind the figures: one row per request of a period, with the flags every
figure of the report is built from.

``request_rows`` (a declared query) selects the period's requests, filtered in the database
(``RequestFilter``), joined once to the tables the data-quality checks look at, with one 0/1
column per check (``quality.row_conditions``: the checks' own SQL, not a copy);
``request_row_count`` counts them first, so a period too large to load is refused before any
row comes back. ``request_frame`` turns the rows into the analyst's frame (local times, flags,
the grouping key, test accounts). ``requests`` is ``analysis.requests``; ``Findings.requests``
calls ``fetch`` for its own period and source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.domain import CANCELLED, DEFAULT_TIMEZONE, DRILL_DOWN_LIMIT
from analysis.errors import AnalysisError
from analysis.investigation import metrics, quality
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.queries import category, customer_key, in_period, query
from analysis.period import Period
from analysis.source.dialect import minutes_between, sortable, utc_moment
from analysis.source.engine import connect, read_frame, read_frames
from analysis.source.provenance import check_coverage
from analysis.source.schema import session_requests
from analysis.source.urls import resolve_url

sr = session_requests
# An id may be given whole or by a prefix at least this long (the report shows 8 characters).
MIN_ID_PREFIX = 8
FLAG_PREFIX = "fails_"
# Rows fetched and turned into the frame at a time, so the driver's rows never all sit in
# memory beside the frame.
CHUNK_ROWS = 100_000
# The drill-down's columns, in order (see ``request_frame``).
COLUMNS = (
    "id",
    "created_local",
    "status",
    "session_type",
    "customer",
    "test_account",
    "assigned",
    "mechanic_id",
    "mechanic_type",
    "accepted_local",
    "response_minutes",
    "cancelled_before_assignment",
    "routing_type",
    "workshop_id",
    "preferred_workshop_id",
    "customer_id",
    "customer_email",
    "anomalies",
    "created_at",
    "accepted_at",
)

Values = str | Iterable[str | None] | None


def _values(value: Values, name: str) -> tuple[str | None, ...] | None:
    """A filter's values: None (no filter), one value, or several (None among them: NULL)."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    try:
        values = tuple(value)
    except TypeError:
        raise AnalysisError(
            f"{name}={value!r} is not a filter: give a value or a list of values"
        ) from None
    wrong = [v for v in values if v is not None and not isinstance(v, str)]
    if wrong:
        raise AnalysisError(f"{name} values must be text: {wrong[0]!r} is not")
    return values


def _ids(values: tuple[str | None, ...] | None, name: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    short = [v for v in values if v is None or len(v.strip()) < MIN_ID_PREFIX]
    if short:
        raise AnalysisError(
            f"{name} {short[0]!r}: give the whole id, or at least its first {MIN_ID_PREFIX} "
            "characters as the report shows them"
        )
    return tuple(v.strip().lower() for v in values if v is not None)


def _one_of(
    column: sa.ColumnElement[Any], values: tuple[str | None, ...]
) -> sa.ColumnElement[bool]:
    """``column`` is one of ``values``; a None among them matches NULL."""
    known = [v for v in values if v is not None]
    parts = [column.in_(known)] if known else []
    if None in values:
        parts.append(column.is_(None))
    return sa.or_(sa.false(), *parts)


def _id_matches(column: sa.ColumnElement[Any], ids: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """``column`` (a UUID) is one of ``ids``, each whole or a prefix of it."""
    text = sa.cast(column, sa.String)
    return sa.or_(sa.false(), *[text.startswith(i, autoescape=True) for i in ids])


@dataclass(frozen=True)
class RequestFilter:
    """Which of the period's requests to list; None means "any". Several values of one
    filter are alternatives; different filters must all hold.

    ``status``, ``session_type``: values (None among them: NULL); ``customer``: the grouping
    key (the request's e-mail, else its customer id) or a customer id (whole or its first 8
    characters); ``mechanic``: mechanic ids (whole or their first 8 characters);
    ``anomaly``: names of data-quality checks (``quality.CHECK_NAMES``) the request fails;
    ``clean``: the request fails none of them.
    """

    status: tuple[str | None, ...] | None = None
    session_type: tuple[str | None, ...] | None = None
    customer: tuple[str | None, ...] | None = None
    mechanic: tuple[str, ...] | None = None
    anomaly: tuple[str, ...] | None = None
    clean: bool = False

    @classmethod
    def given(
        cls,
        status: Values = None,
        session_type: Values = None,
        customer: Values = None,
        mechanic: Values = None,
        anomaly: Values | bool = None,
    ) -> RequestFilter:
        """Filters as an analyst writes them: a value or a list of values per filter;
        ``anomaly=True`` means "fails any check", ``anomaly=False`` "fails none"."""
        checks: tuple[str, ...] | None
        if anomaly is True:
            checks = quality.CHECK_NAMES
        elif anomaly is None or anomaly is False:
            checks = None
        else:
            named = _values(anomaly, "anomaly") or ()
            unknown = [a for a in named if a not in quality.CHECK_NAMES]
            if unknown:
                raise AnalysisError(
                    f"anomaly {unknown[0]!r} is not a data-quality check: use one of "
                    f"{', '.join(quality.CHECK_NAMES)} (or True for any)"
                )
            checks = tuple(a for a in named if a is not None)
        return cls(
            status=_values(status, "status"),
            session_type=_values(session_type, "session_type"),
            customer=_values(customer, "customer"),
            mechanic=_ids(_values(mechanic, "mechanic"), "mechanic"),
            anomaly=checks,
            clean=anomaly is False,
        )

    def conditions(self, period: Period, j: quality.Joined) -> list[sa.ColumnElement[bool]]:
        """The filters as SQL conditions on ``j.from_clause()`` (bound parameters only)."""
        out: list[sa.ColumnElement[bool]] = []
        if self.status is not None:
            out.append(_one_of(category("status"), self.status))
        if self.session_type is not None:
            out.append(_one_of(category("session_type"), self.session_type))
        if self.customer is not None:
            ids = tuple(v.strip().lower() for v in self.customer if v and len(v) >= MIN_ID_PREFIX)
            out.append(
                sa.or_(_one_of(customer_key(), self.customer), _id_matches(sr.c.customer_id, ids))
            )
        if self.mechanic is not None:
            out.append(_id_matches(sr.c.mechanic_id, self.mechanic))
        if self.anomaly is not None:
            flagged = quality.row_conditions(period, j, self.anomaly)
            out.append(sa.or_(sa.false(), *flagged.values()))
        if self.clean:
            # As 0/1 flags: a condition that is NULL (unknown) is not a failure, as in the
            # checks' own counts; NOT would turn it into "excluded".
            flags = quality.row_conditions(period, j).values()
            out.append(sa.and_(*[sa.case((c, 1), else_=0) == 0 for c in flags]))
        return out

    @property
    def joins(self) -> bool:
        """Whether the filters look at joined tables (the data-quality checks do)."""
        return self.anomaly is not None or self.clean


EVERY_REQUEST = RequestFilter()


def _as_text(column: sa.ColumnElement[Any], name: str) -> sa.Label[str]:
    """A UUID column as its text, cast in the database: drivers otherwise build a Python UUID
    object per value, which made fetching a period's rows three times slower."""
    return sa.cast(column, sa.String).label(name)


@query
def request_row_count(period: Period, only: RequestFilter = EVERY_REQUEST) -> sa.Select:
    """Columns: requests (how many rows ``request_rows`` would return)."""
    j = quality.Joined.aliases()
    return (
        sa.select(sa.func.count().label("requests"))
        .select_from(j.from_clause() if only.joins else sr)
        .where(in_period(period), *only.conditions(period, j))
    )


@query
def request_rows(period: Period, only: RequestFilter = EVERY_REQUEST) -> sa.Select:
    """One row per request of the period that ``only`` lets through, oldest first.

    Columns: id, created_at, accepted_at (UTC), status, session_type, routing_type,
    customer_id, customer_email, customer (``customer_key``), mechanic_id,
    mechanic_on_record (0/1), mechanic_workshop_id, mechanic_account_type (the mechanic's
    roster row), workshop_id, preferred_workshop_id, minutes (accepted_at - created_at, NULL
    when not accepted), and ``fails_<check>`` (0/1) per data-quality check.
    """
    j = quality.Joined.aliases()
    checks = quality.row_conditions(period, j)
    m = j.mechanic
    request_id = _as_text(sr.c.id, "id")
    return (
        sa.select(
            request_id,
            utc_moment(sr.c.created_at).label("created_at"),
            utc_moment(sr.c.accepted_at).label("accepted_at"),
            category("status"),
            category("session_type"),
            category("routing_type"),
            _as_text(sr.c.customer_id, "customer_id"),
            sr.c.customer_email,
            customer_key().label("customer"),
            _as_text(sr.c.mechanic_id, "mechanic_id"),
            sa.case((m.c.id.is_not(None), 1), else_=0).label("mechanic_on_record"),
            _as_text(m.c.workshop_id, "mechanic_workshop_id"),
            m.c.account_type.label("mechanic_account_type"),
            _as_text(sr.c.workshop_id, "workshop_id"),
            _as_text(sr.c.preferred_workshop_id, "preferred_workshop_id"),
            minutes_between(sr.c.created_at, sr.c.accepted_at).label("minutes"),
            *[
                sa.case((condition, 1), else_=0).label(FLAG_PREFIX + name)
                for name, condition in checks.items()
            ],
        )
        .select_from(j.from_clause())
        .where(in_period(period), *only.conditions(period, j))
        .order_by(sortable(sr.c.created_at), request_id)
    )


def _text(values: Any) -> pd.Series:
    """A text column as objects with None for missing (never a mix of None and NaN)."""
    series = pd.Series(values, dtype=object)
    return series.where(series.notna(), None)


def _local(moments: pd.Series, period: Period) -> pd.Series:
    """UTC moments (aware datetimes or None) in the period's time zone."""
    return pd.to_datetime(moments, utc=True).dt.tz_convert(period.timezone)


def _anomaly_lists(rows: pd.DataFrame) -> list[list[str]]:
    names = quality.CHECK_NAMES
    if rows.empty:
        return []
    fails = rows[[FLAG_PREFIX + n for n in names]].to_numpy(dtype=int) == 1
    lists: list[list[str]] = [[] for _ in range(len(rows))]
    for i in np.flatnonzero(fails.any(axis=1)):
        lists[i] = [names[k] for k in np.flatnonzero(fails[i])]
    return lists


def request_frame(rows: pd.DataFrame, period: Period, rules: TestAccountRules) -> pd.DataFrame:
    """The analyst's frame from ``request_rows``: one row per request, columns ``COLUMNS``.

    id; created_local, accepted_local (the period's time zone) and created_at, accepted_at
    (UTC); status, session_type, routing_type as stored (NULL as missing); customer (the
    grouping key: the request's e-mail, else its customer id), customer_id, customer_email;
    test_account (``rules`` applied to the key, as ``investigate`` does); assigned (a mechanic
    is named); mechanic_id, mechanic_type (of the named mechanic's roster row: virtual,
    workshop-affiliated, independent workshop; missing when unassigned or not on the roster);
    response_minutes (accepted_at - created_at, missing when not accepted or accepted before
    created, as in the report's response times); cancelled_before_assignment (cancelled with
    no mechanic named); workshop_id (served by a workshop), preferred_workshop_id; anomalies
    (the names of the data-quality checks the request fails, a list).
    """
    minutes = pd.to_numeric(rows["minutes"], errors="coerce").astype(float)
    assigned = rows["mechanic_id"].notna().to_numpy(bool)
    on_record = rows["mechanic_on_record"].to_numpy(dtype=int) == 1
    flags = {c: rules.is_test(c) for c in rows["customer"].dropna().unique()}
    frame = pd.DataFrame(
        {
            "id": _text(rows["id"]),
            "created_local": _local(rows["created_at"], period),
            "status": _text(rows["status"]),
            "session_type": _text(rows["session_type"]),
            "customer": _text(rows["customer"]),
            "test_account": np.array([flags.get(c, False) for c in rows["customer"]], dtype=bool),
            "assigned": assigned,
            "mechanic_id": _text(rows["mechanic_id"]),
            "mechanic_type": _text(
                [
                    metrics.mechanic_type(w, a) if known else None
                    for w, a, known in zip(
                        rows["mechanic_workshop_id"],
                        rows["mechanic_account_type"],
                        on_record & assigned,
                        strict=True,
                    )
                ]
            ),
            "accepted_local": _local(rows["accepted_at"], period),
            "response_minutes": minutes.where(minutes >= 0),
            "cancelled_before_assignment": (rows["status"] == CANCELLED).to_numpy(bool) & ~assigned,
            "routing_type": _text(rows["routing_type"]),
            "workshop_id": _text(rows["workshop_id"]),
            "preferred_workshop_id": _text(rows["preferred_workshop_id"]),
            "customer_id": _text(rows["customer_id"]),
            "customer_email": _text(rows["customer_email"]),
            "anomalies": pd.Series(_anomaly_lists(rows), index=rows.index, dtype=object),
            "created_at": pd.to_datetime(rows["created_at"], utc=True),
            "accepted_at": pd.to_datetime(rows["accepted_at"], utc=True),
        },
        index=rows.index,
    )
    return frame[list(COLUMNS)].reset_index(drop=True)


def fetch(
    conn: Connection,
    period: Period,
    only: RequestFilter = EVERY_REQUEST,
    rules: TestAccountRules | None = None,
    limit: int | None = DRILL_DOWN_LIMIT,
) -> pd.DataFrame:
    """The drill-down frame (``request_frame``) on an open connection; the rows are counted
    first, and more than ``limit`` (None: no limit) is an AnalysisError."""
    if limit is not None:
        count = int(read_frame(conn, request_row_count(period, only))["requests"].iloc[0])
        if count > limit:
            which = "" if only == EVERY_REQUEST else " matching the filters"
            raise AnalysisError(
                f"{count:,} requests{which} from {period.start} to {period.end} are more than "
                f"limit={limit:,} rows to load at once: narrow the period or the filters, "
                "raise limit=, or use investigate() for the figures (computed in the database)"
            )
    rules = rules or TestAccountRules()
    frames = [
        request_frame(rows, period, rules)
        for rows in read_frames(conn, request_rows(period, only), CHUNK_ROWS)
    ]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def requests(
    start: str | date,
    end: str | date,
    timezone: str = DEFAULT_TIMEZONE,
    db: str | None = None,
    schema: str | None = None,
    *,
    status: Values = None,
    session_type: Values = None,
    customer: Values = None,
    mechanic: Values = None,
    anomaly: Values | bool = None,
    rules: TestAccountRules | None = None,
    limit: int | None = DRILL_DOWN_LIMIT,
    naive_timezone: str | None = None,
    query_timeout: float | None = None,
) -> pd.DataFrame:
    """The requests of ``start`` .. ``end`` (inclusive local dates in ``timezone``), one row
    each, with the flags every figure of the report is built from (columns: see
    ``request_frame``); unmasked, for the analyst (``Findings.requests`` of a masked report
    masks them as the report does).

    Filters (each a value or a list of values; together, all must hold): ``status``,
    ``session_type`` (None in a list: NULL), ``customer`` (the grouping key, or a customer
    id whole or by its first 8 characters), ``mechanic`` (an id, whole or by its first 8
    characters), ``anomaly`` (data-quality check names; True: any, False: none). ``rules``: which
    customers are test accounts (default: the library's, as in ``investigate``). The database
    is ``db``, else ``$ANALYSIS_DATABASE_URL``, else the demo database, read-only; only the
    period's rows are read. More than ``limit`` rows is refused (use ``investigate``).
    ``naive_timezone`` and ``query_timeout`` as in ``investigate``.

    Every headline figure is one line of pandas on this frame, e.g. ``len(r)``,
    ``r.status.value_counts()``, ``r.assigned.sum()``, ``r.cancelled_before_assignment.sum()``,
    ``r.response_minutes.mean()``, ``r.groupby("customer").size()``.
    """
    period = Period.parse(start, end, timezone)
    only = RequestFilter.given(status, session_type, customer, mechanic, anomaly)
    with connect(resolve_url(db), schema, naive_timezone, query_timeout) as conn:
        check_coverage(conn, period)
        return fetch(conn, period, only, rules, limit)
