"""The investigation for one period: run the queries, apply the metrics, judge, serialise.

``investigate`` is what the notebook calls; ``Findings.to_dict`` is ``findings.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from analysis import metrics, queries
from analysis.accounts import TestAccountRules
from analysis.assessment import Headline, Thresholds, readiness, recommendations, verdict
from analysis.beyond import Beyond, collect_beyond, with_rate_intervals
from analysis.db import connect, read_frame, resolve_url
from analysis.period import DEFAULT_TIMEZONE, Period
from analysis.schema import (
    CUSTOMER_PROFILE_FIELDS,
    KNOWN_ROUTING_TYPES,
    KNOWN_SESSION_TYPES,
    KNOWN_STATUSES,
    MECHANIC_PROFILE_FIELDS,
)
from analysis.snapshot import check_coverage, describe_source

RESPONSE_DECIMALS = 2
KNOWN_VALUES = {
    "status": KNOWN_STATUSES,
    "session_type": KNOWN_SESSION_TYPES,
    "routing_type": KNOWN_ROUTING_TYPES,
}


@dataclass
class Findings:
    """Every figure of the report for one period; tables are DataFrames (see ``metrics``)."""

    period: Period
    database: str  # described without user or password (db.describe_url)
    status: pd.DataFrame
    types: pd.DataFrame
    assignment: dict[str, int]
    mechanics: pd.DataFrame
    mechanic_roster: pd.DataFrame
    span: dict[str, Any]
    response: dict[str, Any]
    response_bins: pd.DataFrame  # metrics.response_histogram
    customers: pd.DataFrame
    customer_profiles: pd.DataFrame
    cancellations: dict[str, int]
    routing: dict[str, Any]
    unknown_values: dict[str, dict[str, int]]
    daily: pd.DataFrame
    verdict: dict[str, Any]
    readiness: pd.DataFrame
    recommendations: list[str]
    thresholds: Thresholds
    beyond: Beyond
    rules: TestAccountRules = field(default_factory=TestAccountRules)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def total(self) -> int:
        return int(self.status["requests"].sum()) if len(self.status) else 0

    @property
    def statuses(self) -> list[str]:
        """The statuses seen in the period, most frequent first (NULL as ``unknown``)."""
        return [str(s) for s in self.status["status"]]

    def count(self, status: str) -> int:
        return int(self.status.loc[self.status["status"] == status, "requests"].sum())

    @property
    def incomplete_mechanics(self) -> pd.DataFrame:
        return self.mechanic_roster[~self.mechanic_roster["profile_complete"]]

    def redacted(self) -> Findings:
        """A copy safe to share: e-mails, names and phones masked (see ``analysis.redact``)."""
        from analysis.redact import redact_findings

        return redact_findings(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: same numbers as the report, full ids, minutes to 2 decimals."""
        return _jsonable(
            {
                "period": {
                    "start": self.period.start,
                    "end": self.period.end,
                    "timezone": self.period.timezone,
                    "days": self.period.days,
                },
                "database": self.database,
                "generated_at": self.generated_at,
                "requests": {
                    "total": self.total,
                    "by_status": metrics.as_counts(self.status, "status"),
                    "by_type": metrics.as_counts(self.types, "session_type"),
                    "first_at": _seconds(self.span["first_at"]),
                    "last_at": _seconds(self.span["last_at"]),
                    "span_days": self.span["days"],
                    "cancel_rate": metrics.rate(self.count("cancelled"), self.total),
                    "completion_rate": metrics.rate(self.count("completed"), self.total),
                },
                "assignment": self.assignment,
                "mechanics": [
                    _mechanic_entry(r, self.statuses) for _, r in self.mechanics.iterrows()
                ],
                "response_minutes": {
                    k: (round(v, RESPONSE_DECIMALS) if isinstance(v, float) else v)
                    for k, v in self.response.items()
                },
                "customers": [
                    _customer_entry(r, self.statuses) for _, r in self.customers.iterrows()
                ],
                "cancellations": self.cancellations,
                "routing": self.routing,
                "unknown_values": self.unknown_values,
                "incomplete_mechanics": sorted(self.incomplete_mechanics["mechanic_id"]),
                "incomplete_mechanic_profiles": [
                    {"mechanic_id": r.mechanic_id, "name": r.name, "missing": list(r.missing)}
                    for r in self.incomplete_mechanics.itertuples()
                ],
                "incomplete_customer_profiles": [
                    {
                        "customer_id": r.customer_id,
                        "email": r.email,
                        "missing": list(r.missing),
                        "deleted": bool(r.deleted),
                    }
                    for r in self.customer_profiles.itertuples()
                    if not r.profile_complete
                ],
                "verdict": self.verdict,
                "readiness": self.readiness.to_dict(orient="records"),
                "recommendations": self.recommendations,
            }
            | self.beyond.to_dict()
        )


def _mechanic_entry(row: pd.Series, statuses: list[str]) -> dict[str, Any]:
    return {
        "mechanic_id": row["mechanic_id"],
        "name": row["name"],
        "requests": row["requests"],
        "by_status": metrics.by_status_dict(row, statuses),
        **_rates(row),
        "profile_complete": row["profile_complete"],
        "red_seal_certified": row["red_seal_certified"],
        "workshop": row["workshop_name"],
        "years_of_experience": row["years_of_experience"],
        "city": row["city"],
        "mechanic_type": row["mechanic_type"],
    }


def _customer_entry(row: pd.Series, statuses: list[str]) -> dict[str, Any]:
    return {
        "customer": row["customer"],
        "requests": row["requests"],
        "by_status": metrics.by_status_dict(row, statuses),
        "share": row["share"],
        **_rates(row),
        "per_day": row["per_day"],
        "active_days": row["active_days"],
        "per_active_day": row["per_active_day"],
        "busiest_day": row["busiest_day"],
        "busiest_day_requests": row["busiest_day_requests"],
        "test_account": row["test_account"],
        "behaviour": row["behaviour"],
    }


def _rates(row: pd.Series) -> dict[str, Any]:
    """completion_rate, cancel_rate and their 95 % intervals as ``[low, high]``."""
    return {name: row[name] for name in ("completion_rate", "cancel_rate")} | {
        f"{name}_interval": [row[f"{name}_low"], row[f"{name}_high"]]
        for name in ("completion_rate", "cancel_rate")
    }


def _seconds(moment: datetime | None) -> str | None:
    """ISO 8601 to the second, keeping the local offset."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars unwrapped, NaN → None, dates ISO (local offsets kept)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy / pandas scalars
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def collect(
    conn: Connection,
    period: Period,
    thresholds: Thresholds | None = None,
    rules: TestAccountRules | None = None,
    database: str = "",
) -> Findings:
    """Run every query for ``period`` on ``conn`` and compute the findings."""
    thresholds = thresholds or Thresholds()
    rules = rules or TestAccountRules()
    cube = read_frame(conn, queries.request_cube(period))
    span = metrics.time_span(read_frame(conn, queries.request_span(period)), period)
    roster = metrics.mechanic_profiles(
        read_frame(conn, queries.mechanic_roster()), MECHANIC_PROFILE_FIELDS
    )
    mechanic_counts = read_frame(conn, queries.mechanic_status_counts(period))
    mechanics_ = with_rate_intervals(metrics.mechanic_table(mechanic_counts, roster))
    customer_counts = read_frame(conn, queries.customer_status_counts(period))
    flags = {c: rules.is_test(c) for c in customer_counts["customer"].unique()}
    customers = with_rate_intervals(
        metrics.customer_table(
            customer_counts,
            read_frame(conn, queries.customer_activity(period)),
            span["days"],
            flags,
        )
    )
    response = metrics.response_stats(read_frame(conn, queries.response_summary(period)))
    status = metrics.status_breakdown(cube)
    types = metrics.type_breakdown(cube)
    assignment = metrics.assignment(cube) | {
        "mechanics_involved": len(mechanics_),
        "mechanics_on_record": len(roster),
    }
    headline = Headline(
        total=metrics.total_requests(cube),
        cancelled=metrics.status_count(cube, metrics.CANCELLED),
        completed=metrics.status_count(cube, metrics.COMPLETED),
        pending=metrics.status_count(cube, "pending"),
        never_assigned=assignment["never_assigned"],
        customers=customers,
        mechanics_involved=len(mechanics_),
    )
    verdict_ = verdict(headline, rules)
    now = datetime.now(UTC)
    return Findings(
        period=period,
        database=database,
        status=status,
        types=types,
        assignment=assignment,
        mechanics=mechanics_,
        mechanic_roster=roster,
        span=span,
        response=response,
        response_bins=metrics.response_histogram(
            read_frame(conn, queries.response_bins(period)), queries.RESPONSE_BIN_EDGES
        ),
        customers=customers,
        customer_profiles=metrics.customer_profile_table(
            read_frame(conn, queries.period_customer_profiles(period)), CUSTOMER_PROFILE_FIELDS
        ),
        cancellations=metrics.cancellation_timing(cube),
        routing=metrics.routing(cube),
        unknown_values=metrics.unknown_values(cube, KNOWN_VALUES),
        daily=metrics.daily_by_status(read_frame(conn, queries.daily_status_counts(period))),
        verdict=verdict_,
        readiness=readiness(headline, thresholds),
        recommendations=recommendations(headline, thresholds, verdict_, mechanics_, roster, types),
        thresholds=thresholds,
        beyond=collect_beyond(
            conn, period, cube, response["median"], mechanics_, len(customers), now
        ),
        rules=rules,
        generated_at=now,
    )


def investigate(
    start_date: str | date,
    end_date: str | date,
    timezone: str = DEFAULT_TIMEZONE,
    thresholds: Thresholds | None = None,
    db: str | None = None,
    schema: str | None = None,
    rules: TestAccountRules | None = None,
) -> Findings:
    """The findings for ``start_date`` .. ``end_date`` (inclusive, local dates in ``timezone``).

    The database is ``db``, else ``$ANALYSIS_DATABASE_URL``, else the demo database; its
    tables are in ``schema``, else ``$ANALYSIS_DATABASE_SCHEMA``, else the default schema.
    ``rules`` say which customers are test accounts (default ``TestAccountRules()``).
    """
    period = Period.parse(start_date, end_date, timezone)
    url = resolve_url(db)
    with connect(url, schema) as conn:
        check_coverage(conn, period)
        return collect(conn, period, thresholds, rules, database=describe_source(conn, url))


def write_json(findings: Findings, path: str | Path) -> Path:
    target = Path(path)
    target.write_text(json.dumps(findings.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return target
