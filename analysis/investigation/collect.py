"""The investigation of one period: run the declared queries, apply the metrics, judge.

``investigate`` is what notebooks and analysts call; ``collect`` does the work on an open
connection.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Connection

from analysis.domain import (
    CANCELLED,
    COMPLETED,
    CUSTOMER_PROFILE_FIELDS,
    DEFAULT_TIMEZONE,
    KNOWN_VALUES,
    MECHANIC_PROFILE_FIELDS,
    PENDING,
    RETRY_WINDOW_MINUTES,
    Thresholds,
)
from analysis.errors import AnalysisError
from analysis.investigation import causes, compare, factors, metrics, quality, timing
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.findings import Findings
from analysis.investigation.intervals import Rate
from analysis.investigation.judgement import (
    Headline,
    cause_recommendations,
    readiness,
    recognised_test_accounts,
    recommendations,
    verdict,
)
from analysis.investigation.queries import RESPONSE_BIN_EDGES, QueryRunner
from analysis.period import Period
from analysis.source.engine import connect
from analysis.source.handle import SourceHandle
from analysis.source.inspection import optional_columns
from analysis.source.provenance import check_coverage, covers, describe_source, snapshot_range
from analysis.source.urls import resolve_schema, resolve_url

PREVIOUS = "previous period"


def collect(
    conn: Connection,
    period: Period,
    thresholds: Thresholds | None = None,
    rules: TestAccountRules | None = None,
    database: str = "",
    timings: list[tuple[str, float]] | None = None,
    retry_window_minutes: int | None = None,
) -> Findings:
    """Run every query for ``period`` (and its predecessor) on ``conn`` and compute the
    findings. ``timings``, if given, receives ``(query name, seconds)`` for each query;
    ``retry_window_minutes`` (default ``domain.RETRY_WINDOW_MINUTES``) is how soon after a
    failed request the customer's next one counts as a retry."""
    thresholds = thresholds or Thresholds()
    rules = rules or TestAccountRules()
    if retry_window_minutes is None:
        retry_window_minutes = RETRY_WINDOW_MINUTES
    elif retry_window_minutes < 1:
        raise AnalysisError(
            f"retry window {retry_window_minutes} minutes: give 1 or more "
            f"(the default is {RETRY_WINDOW_MINUTES})"
        )
    run = QueryRunner(conn, timings)
    now = datetime.now(UTC)
    cube = run("request_cube", period)
    span = metrics.time_span(run("request_span", period), period)
    roster = metrics.mechanic_profiles(run("mechanic_roster"), MECHANIC_PROFILE_FIELDS)
    mechanics = metrics.mechanic_table(run("mechanic_status_counts", period), roster)
    customer_counts = run("customer_status_counts", period)
    flags = {c: rules.is_test(c) for c in customer_counts["customer"].unique()}
    customers = metrics.customer_table(
        customer_counts, run("customer_activity", period), span["days"], flags
    )
    response = metrics.response_stats(run("response_summary", period))
    status = metrics.status_breakdown(cube)
    types = metrics.type_breakdown(cube)
    assignment = metrics.assignment(cube) | {
        "mechanics_involved": len(mechanics),
        "mechanics_on_record": len(roster),
    }
    total = metrics.total_requests(cube)
    headline = Headline(
        total=total,
        cancelled=metrics.status_count(cube, CANCELLED),
        completed=metrics.status_count(cube, COMPLETED),
        pending=metrics.status_count(cube, PENDING),
        never_assigned=assignment["never_assigned"],
        customers=customers,
        mechanics_involved=len(mechanics),
    )
    verdict_ = verdict(headline, rules)
    anomalies = quality.anomalies(run("anomaly_rows", period))
    current = compare.headline_figures(cube, len(customers), len(mechanics), response["median"])
    previous, before, held = _previous(run, conn, period)
    comparison = compare.comparison(current, before)
    hour_weekday = timing.hour_weekday_matrix(run("hour_weekday_counts", period))
    factor_table = factors.factor_table(mechanics)
    root = causes.gather(run, period, optional_columns(conn), roster, retry_window_minutes)
    return Findings(
        period=period,
        database=database,
        status=status,
        types=types,
        daily=metrics.daily_by_status(run("daily_status_counts", period)),
        span=span,
        unknown_values=metrics.unknown_values(cube, KNOWN_VALUES),
        assignment=assignment,
        cancellations=metrics.cancellation_timing(cube),
        routing=metrics.routing(cube),
        rates={
            "cancellation": Rate(headline.cancelled, total),
            "completion": Rate(headline.completed, total),
            "assignment": Rate(assignment["assigned"], total),
        },
        response=response,
        response_bins=metrics.response_histogram(run("response_bins", period), RESPONSE_BIN_EDGES),
        mechanics=mechanics,
        mechanic_roster=roster,
        customers=customers,
        customer_profiles=metrics.customer_profile_table(
            run("period_customer_profiles", period), CUSTOMER_PROFILE_FIELDS
        ),
        test_accounts=recognised_test_accounts(customers, rules),
        anomalies=anomalies,
        flagged_requests=quality.flagged_requests(anomalies),
        hour_weekday=hour_weekday,
        busiest_slots=timing.busiest_slots(hour_weekday),
        waits=timing.unassigned_waits(run("unassigned_waits", period), min(now, period.utc_end)),
        previous_period=previous,
        current_figures=current,
        previous_figures=before,
        previous_unavailable=held,
        comparison=comparison,
        movements=compare.biggest_movements(comparison),
        factors=factor_table,
        coinciding_factors=factors.coinciding(mechanics),
        separated_factors=[f for f in factors.FACTORS if factors.separated(factor_table, f)],
        verdict=verdict_,
        readiness=readiness(headline, thresholds),
        recommendations=[
            *cause_recommendations(root, verdict_),
            *recommendations(headline, thresholds, verdict_, mechanics, roster, types),
        ],
        thresholds=thresholds,
        rules=rules,
        generated_at=now,
        root_causes=root,
    )


def _previous(
    run: QueryRunner, conn: Connection, period: Period
) -> tuple[Period, dict | None, tuple[date, date] | None]:
    """The previous period of the same length, its headline figures, and — when the source
    is a snapshot that doesn't hold it — the dates the snapshot does hold (figures None)."""
    previous = period.previous()
    held = snapshot_range(conn)
    if held is not None and not covers(held, previous):
        return previous, None, (held[0], held[1])
    who = run("participants", previous, label=f"participants ({PREVIOUS})")
    figures = compare.headline_figures(
        run("request_cube", previous, label=f"request_cube ({PREVIOUS})"),
        int(who["customers"].iloc[0]) if len(who) else 0,
        int(who["mechanics"].iloc[0]) if len(who) else 0,
        metrics.response_stats(
            run("response_summary", previous, label=f"response_summary ({PREVIOUS})")
        )["median"],
    )
    return previous, figures, None


def investigate(
    start_date: str | date,
    end_date: str | date,
    timezone: str = DEFAULT_TIMEZONE,
    thresholds: Thresholds | None = None,
    db: str | None = None,
    schema: str | None = None,
    rules: TestAccountRules | None = None,
    timings: list[tuple[str, float]] | None = None,
    retry_window_minutes: int | None = None,
    naive_timezone: str | None = None,
    query_timeout: float | None = None,
) -> Findings:
    """The findings for ``start_date`` .. ``end_date`` (inclusive, local dates in ``timezone``).

    The database is ``db``, else ``$ANALYSIS_DATABASE_URL``, else the demo database; its
    tables are in ``schema``, else ``$ANALYSIS_DATABASE_SCHEMA``, else the default schema.
    ``thresholds`` and ``rules`` (which customers are test accounts) default to the library's
    (``analysis.domain``). ``timings`` receives ``(query name, seconds)`` per query.
    ``retry_window_minutes``: a customer's request this soon after one of theirs failed is a
    retry (None: ``domain.RETRY_WINDOW_MINUTES``). ``naive_timezone``: the zone timestamps
    stored without one are wall-clock time in (None: ``domain.NAIVE_TIMEZONE``, UTC);
    ``query_timeout``: seconds a query may run or wait for a lock (None:
    ``domain.QUERY_TIMEOUT_SECONDS``).
    The findings remember the database (without its password) for ``f.requests()``.
    """
    period = Period.parse(start_date, end_date, timezone)
    url = resolve_url(db)
    with connect(url, schema, naive_timezone, query_timeout) as conn:
        check_coverage(conn, period)
        findings = collect(
            conn,
            period,
            thresholds,
            rules,
            database=describe_source(conn, url),
            timings=timings,
            retry_window_minutes=retry_window_minutes,
        )
    # What f.requests() reopens: this database and schema, never its password.
    findings.source = SourceHandle.remember(
        url, resolve_schema(schema), naive_timezone, query_timeout
    )
    return findings
