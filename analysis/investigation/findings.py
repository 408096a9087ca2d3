"""``Findings``: every figure and judgement of one period's investigation, flat and typed.

Built by ``analysis.investigation.collect``; ``to_dict`` is findings.json. Tables are
DataFrames whose columns each field's comment names (see the function that makes them).
Nothing here is prose, a file or a mask: the report layer makes those, and lends ``Findings``
its readable tables and card through ``present_with`` (the report registers itself when
``analysis`` is imported), so this layer never imports the report.
"""

from __future__ import annotations

import dataclasses
import html
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Protocol

import pandas as pd

from analysis.domain import DRILL_DOWN_LIMIT, TOP_N, Thresholds
from analysis.errors import AnalysisError
from analysis.investigation import drilldown, metrics
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.causes import RootCauses
from analysis.investigation.intervals import Rate
from analysis.investigation.judgement import Recommendation, Verdict
from analysis.period import Period
from analysis.source.engine import connect
from analysis.source.handle import SourceHandle
from analysis.source.provenance import check_coverage

RESPONSE_DECIMALS = 2
EMAIL, NAME, PHONE = "email", "name", "phone"
REPR_LIMIT = 1500


class RequestMask(Protocol):
    """How a masked ``Findings`` masks its drill-down (made by ``analysis.report.masking``):
    ``frame`` masks the declared personal columns (``Findings.REQUESTS_PERSONAL``) with the
    report's masks, ``raw`` turns a mask the analyst typed back into the value to filter on."""

    def frame(self, requests: pd.DataFrame) -> pd.DataFrame: ...

    def raw(self, value: str) -> str: ...


class Presenter(Protocol):
    """The readable views of a ``Findings`` (``analysis.report.views``): the report's labelled
    tables by name, and an HTML card of the headline figures."""

    def tables(self) -> list[str]: ...

    def table(self, findings: Findings, name: str) -> pd.DataFrame: ...

    def card(self, findings: Findings) -> str: ...


_presenters: list[Presenter] = []


def present_with(presenter: Presenter) -> None:
    """Register the readable views (the report layer calls this when it is imported)."""
    _presenters[:] = [presenter]


def _presenter() -> Presenter:
    if not _presenters:
        raise AnalysisError(
            "the readable tables come from the report layer, which is not loaded: "
            "import analysis.report"
        )
    return _presenters[0]


@dataclass(repr=False)
class Findings:
    """The investigation of one period.

    Requests: ``status`` (status, requests, share), ``types`` (session_type, requests, share),
    ``daily`` (day, status, requests), ``span`` (first_at, last_at local; days),
    ``unknown_values`` (column → value → requests), ``assignment`` (assigned, never_assigned,
    mechanics_involved, mechanics_on_record), ``cancellations`` (total, before_assignment,
    after_assignment), ``routing`` (by_type, workshop_served, preferred_workshop), ``rates``
    (cancellation, completion, assignment: ``Rate``).
    Response: ``response`` (count, excluded_negative, mean, median, min, max minutes),
    ``response_bins`` (label, lower, upper, requests).
    People: ``mechanics`` (``metrics.mechanic_table``), ``mechanic_roster``
    (``metrics.mechanic_profiles``), ``customers`` (``metrics.customer_table``; customers are
    grouped by the request's e-mail, else its customer id), ``customer_profiles``
    (``metrics.customer_profile_table``), ``test_accounts`` (customer, requests, rule, match).
    Quality: ``anomalies`` (check, count, request_ids), ``flagged_requests`` (distinct
    requests failing any check).
    Time: ``hour_weekday`` (7 × 24 grid), ``busiest_slots`` ((weekday, hour, requests)),
    ``waits`` (status, requests, min/max_wait_minutes, past_expiry).
    Comparison: ``previous_period``, ``current_figures`` and ``previous_figures``
    (``compare.headline_figures``; previous None when the source can't answer, and then
    ``previous_unavailable`` holds the dates the snapshot does hold), ``comparison``,
    ``movements`` (``compare.comparison`` rows).
    Mechanic factors: ``factors`` (``factors.factor_table``), ``coinciding_factors``
    (groups of factors splitting mechanics alike), ``separated_factors`` (factors whose levels'
    completion intervals don't overlap).
    Judgements: ``verdict``, ``readiness`` (metric, current, needed, status, short_by),
    ``recommendations``.
    Root causes: ``root_causes`` (``causes.RootCauses``: drivers of failure, coverage by hour
    of week, the acceptance curve, retries).

    Settings: ``period``, ``database`` (described, never the URL), ``thresholds``, ``rules``
    (test accounts), ``generated_at`` (UTC); ``source`` (how ``requests`` reopens the
    database: its URL without password, and schema; never shown) and ``request_mask`` (set by
    ``analysis.report.masking.redact``: the masks the drill-down gets; ``masked``).

    Interactive use: ``f`` shows a summary; ``f.requests(...)`` lists the requests behind any
    figure (``analysis.investigation.drilldown``); ``f.tables()`` names the report's readable
    tables and ``f.table(name)`` returns one; ``f.to_dict()`` is findings.json.
    """

    # Personal data, by table and column, and the kind of mask each needs (analysis.report.masking).
    PERSONAL: ClassVar[dict[str, dict[str, str]]] = {
        "customers": {"customer": EMAIL},
        "test_accounts": {"customer": EMAIL, "match": EMAIL},
        "customer_profiles": {"email": EMAIL, "full_name": NAME, "phone": PHONE},
        "mechanics": {"name": NAME},
        "mechanic_roster": {"name": NAME, "email": EMAIL, "phone": PHONE},
    }
    # Personal columns of the drill-down frame (``requests``), masked like the tables above.
    REQUESTS_PERSONAL: ClassVar[dict[str, str]] = {"customer": EMAIL, "customer_email": EMAIL}

    period: Period
    database: str  # described without user or password (urls.describe_url)
    status: pd.DataFrame
    types: pd.DataFrame
    daily: pd.DataFrame
    span: dict[str, Any]
    unknown_values: dict[str, dict[str, int]]
    assignment: dict[str, int]
    cancellations: dict[str, int]
    routing: dict[str, Any]
    rates: dict[str, Rate]
    response: dict[str, Any]
    response_bins: pd.DataFrame
    mechanics: pd.DataFrame
    mechanic_roster: pd.DataFrame
    customers: pd.DataFrame
    customer_profiles: pd.DataFrame
    test_accounts: pd.DataFrame
    anomalies: pd.DataFrame
    flagged_requests: int
    hour_weekday: pd.DataFrame
    busiest_slots: list[tuple[str, int, int]]
    waits: pd.DataFrame
    previous_period: Period
    current_figures: dict[str, Any]
    previous_figures: dict[str, Any] | None
    previous_unavailable: tuple[date, date] | None
    comparison: pd.DataFrame
    movements: pd.DataFrame
    factors: pd.DataFrame
    coinciding_factors: list[list[str]]
    separated_factors: list[str]
    verdict: Verdict
    readiness: pd.DataFrame
    recommendations: list[Recommendation]
    thresholds: Thresholds = field(default_factory=Thresholds)
    rules: TestAccountRules = field(default_factory=TestAccountRules)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: SourceHandle | None = field(default=None, compare=False)
    request_mask: RequestMask | None = field(default=None, compare=False)
    root_causes: RootCauses = field(default_factory=RootCauses)

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

    @property
    def customer_distribution(self) -> dict[str, Any]:
        """Requests per customer at a glance (``metrics.distribution``)."""
        return metrics.distribution(self.customers.get("requests", pd.Series(dtype=int)))

    @property
    def mechanic_distribution(self) -> dict[str, Any]:
        """Requests per mechanic who took any, at a glance (``metrics.distribution``)."""
        return metrics.distribution(self.mechanics.get("requests", pd.Series(dtype=int)))

    def top(self, table: str, top_n: int = TOP_N) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The ``top_n`` busiest rows of ``customers`` or ``mechanics`` and the others summed
        (``metrics.top_and_rest``: ``count``, ``requests`` and one count per status)."""
        return metrics.top_and_rest(getattr(self, table), top_n, ["requests", *self.statuses])

    @property
    def flagged(self) -> pd.DataFrame:
        """One row per request failing any data-quality check: request_id, checks (the
        names of the checks it fails, in ``anomalies`` order, joined by ``;``), sorted by id."""
        a = self.anomalies
        pairs = a[["check", "request_ids"]].explode("request_ids").dropna()
        if pairs.empty:
            return pd.DataFrame(
                {"request_id": pd.Series(dtype=str), "checks": pd.Series(dtype=str)}
            )
        pairs = pairs.astype({"request_ids": str})
        grouped = pairs.groupby("request_ids", sort=True)["check"].agg(";".join)
        return grouped.rename_axis("request_id").reset_index(name="checks")

    @property
    def masked(self) -> bool:
        """Whether personal data is masked (``analysis.report.masking.redact``)."""
        return self.request_mask is not None

    def requests(
        self,
        *,
        status: drilldown.Values = None,
        session_type: drilldown.Values = None,
        customer: drilldown.Values = None,
        mechanic: drilldown.Values = None,
        anomaly: drilldown.Values | bool = None,
        db: str | None = None,
        limit: int | None = DRILL_DOWN_LIMIT,
    ) -> pd.DataFrame:
        """The requests behind these figures: one row per request of this period, from the
        same database, with the same test-account rules (``analysis.requests``; its columns:
        ``drilldown.request_frame``). Masked findings give masked e-mails (the same masks as
        their tables), and a masked customer key may be used as a filter.

        Filters: ``status``, ``session_type``, ``customer``, ``mechanic``, ``anomaly`` (a
        value or a list; ``anomaly=True``: fails any check, ``False``: none). ``db`` is
        needed only when the database URL held a password and ``$ANALYSIS_DATABASE_URL`` no
        longer gives it.
        """
        mask = self.request_mask
        rules = self.rules
        if mask is not None:
            if customer is not None:
                values = (customer,) if isinstance(customer, str) else tuple(customer)
                customer = [mask.raw(v) if isinstance(v, str) else v for v in values]
            rules = dataclasses.replace(rules, known=frozenset(mask.raw(k) for k in rules.known))
        only = drilldown.RequestFilter.given(status, session_type, customer, mechanic, anomaly)
        if self.source is None and not db:
            raise AnalysisError(
                "these findings don't say which database they came from (made by collect() "
                "on a connection of your own): pass db=, or use analysis.requests()"
            )
        url = self.source.url(db) if self.source is not None else str(db)
        schema = self.source.schema if self.source is not None else None
        naive, limit = (
            (self.source.naive_timezone, self.source.query_timeout) if self.source else (None, None)
        )
        with connect(url, schema, naive, limit) as conn:
            check_coverage(conn, self.period)
            frame = drilldown.fetch(conn, self.period, only, rules, limit)
        return mask.frame(frame) if mask is not None else frame

    def tables(self) -> list[str]:
        """The names of the report's readable tables (``table``)."""
        return _presenter().tables()

    def table(self, name: str) -> pd.DataFrame:
        """The labelled table the report shows under ``name`` (``tables()`` lists them):
        readable column names, formatted figures, masked when these findings are."""
        return _presenter().table(self, name)

    def __repr__(self) -> str:
        """Period, source, requests by status and the verdict (under ``REPR_LIMIT``)."""
        p = self.period
        by_status = ", ".join(
            f"{n} {s}" for s, n in zip(self.status["status"], self.status["requests"], strict=True)
        )
        verdict = {True: "test data", False: "real traffic", None: "none (no requests)"}[
            self.verdict.test_data
        ]
        lines = [
            f"Findings {p.start} .. {p.end} ({p.days} days, {p.timezone})"
            + (", masked" if self.masked else ""),
            f"  source:   {self.database}",
            f"  requests: {self.total}" + (f" ({by_status})" if by_status else ""),
            f"  verdict:  {verdict}",
            "  f.requests(...) lists the rows behind a figure; f.tables(), f.table(name); "
            "help(f) for the fields",
        ]
        text = "\n".join(lines)
        return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"

    def _repr_html_(self) -> str:
        """The headline figures as an HTML card (IPython and JupyterLab show it for ``f``)."""
        if not _presenters:
            return f"<pre>{html.escape(repr(self))}</pre>"
        return _presenter().card(self)

    def to_dict(self, top_n: int = TOP_N) -> dict[str, Any]:
        """The JSON document: the same numbers as the report, full ids, minutes to 2 decimals.

        Lists that grow with the data keep their first ``top_n`` entries (customers and
        mechanics: the busiest) beside their totals: ``customers_others`` and
        ``mechanics_others`` (``count``, ``requests``, ``by_status`` of the rest),
        ``customer_distribution``, ``mechanic_distribution``, each anomaly's ``count`` and
        ``request_ids_shown``, ``*_count`` next to the profile and test-account lists and to
        the recommendations' mechanic lists (``Recommendation.to_dict``), ``drivers_others``
        beside the drivers of dimensions with as many levels as the data holds (cities,
        plans: ``RootCauses.to_dict``), ``unknown_values_others`` (``values``, ``requests``)
        beside a column's first ``top_n`` unexpected values. The full lists are the CSV
        files beside the report (``analysis.report.export``)."""
        p = self.previous_period
        if self.previous_figures is None:
            held = self.previous_unavailable
            previous: dict[str, Any] = {
                "start": p.start,
                "end": p.end,
                "unavailable": {"snapshot_holds": list(held) if held else None},
            }
            compared: dict[str, Any] = {"comparison": [], "what_changed": []}
        else:
            previous = {"start": p.start, "end": p.end, "figures": _plain(self.previous_figures)}
            compared = {
                "comparison": self.comparison.to_dict(orient="records"),
                "what_changed": list(self.movements["figure"]),
            }
        statuses = self.statuses
        customers, customers_rest = self.top("customers", top_n)
        mechanics, mechanics_rest = self.top("mechanics", top_n)
        cp = self.customer_profiles
        incomplete_customers = cp[~cp["profile_complete"]] if len(cp) else cp
        return jsonable(
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
                    "cancel_rate": self.rates["cancellation"].rate,
                    "completion_rate": self.rates["completion"].rate,
                },
                "assignment": self.assignment,
                "mechanics": [_mechanic_entry(r, statuses) for r in _records(mechanics)],
                "mechanics_others": _others(mechanics_rest, statuses),
                "mechanic_distribution": self.mechanic_distribution,
                "response_minutes": {
                    k: (round(v, RESPONSE_DECIMALS) if isinstance(v, float) else v)
                    for k, v in self.response.items()
                },
                "customers": [_customer_entry(r, statuses) for r in _records(customers)],
                "customers_others": _others(customers_rest, statuses),
                "customer_distribution": self.customer_distribution,
                "cancellations": self.cancellations,
                "routing": self.routing,
                "unknown_values": {
                    column: dict(list(values.items())[:top_n])
                    for column, values in self.unknown_values.items()
                },
                "unknown_values_others": {
                    column: {
                        "values": len(values) - top_n,
                        "requests": sum(list(values.values())[top_n:]),
                    }
                    for column, values in self.unknown_values.items()
                    if len(values) > top_n
                },
                "incomplete_mechanics": sorted(self.incomplete_mechanics["mechanic_id"])[:top_n],
                "incomplete_mechanics_count": len(self.incomplete_mechanics),
                "incomplete_mechanic_profiles": [
                    {"mechanic_id": r.mechanic_id, "name": r.name, "missing": list(r.missing)}
                    for r in self.incomplete_mechanics.head(top_n).itertuples()
                ],
                "incomplete_customer_profiles": [
                    {
                        "customer_id": r.customer_id,
                        "email": r.email,
                        "missing": list(r.missing),
                        "deleted": bool(r.deleted),
                    }
                    for r in incomplete_customers.head(top_n).itertuples()
                ],
                "incomplete_customer_profiles_count": len(incomplete_customers),
                "test_accounts": self.test_accounts.head(top_n).to_dict(orient="records"),
                "test_accounts_count": len(self.test_accounts),
                "verdict": self.verdict.to_dict(),
                "readiness": self.readiness.to_dict(orient="records"),
                "recommendations": [r.to_dict(top_n) for r in self.recommendations],
                "anomalies": [
                    {
                        "check": r.check,
                        "count": int(r.count),
                        "request_ids": list(r.request_ids)[:top_n],
                        "request_ids_shown": min(len(r.request_ids), top_n),
                    }
                    for r in self.anomalies.itertuples()
                ],
                "flagged_requests": self.flagged_requests,
                "rates": {name: rate.to_dict() for name, rate in self.rates.items()},
                "previous_period": previous,
                **compared,
                "requests_by_weekday_hour": {
                    day: {str(h): int(n) for h, n in row.items() if n}
                    for day, row in self.hour_weekday.iterrows()
                },
                "busiest_slots": [
                    {"weekday": d, "hour": h, "requests": n} for d, h, n in self.busiest_slots
                ],
                "unassigned_waits": self.waits.to_dict(orient="records"),
                "success_factors": self.factors.to_dict(orient="records"),
                "coinciding_factors": self.coinciding_factors,
                "separated_factors": self.separated_factors,
                **self.root_causes.to_dict(top_n),
            }
        )


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return table.to_dict(orient="records")


def _others(rest: dict[str, Any], statuses: list[str]) -> dict[str, Any]:
    """The rows left out of a top-N list, summed: count, requests, non-zero counts by status."""
    return {
        "count": rest["count"],
        "requests": rest["requests"],
        "by_status": {s: rest[s] for s in statuses if rest.get(s)},
    }


def _mechanic_entry(row: dict[str, Any], statuses: list[str]) -> dict[str, Any]:
    return {
        "mechanic_id": row["mechanic_id"],
        "name": row["name"],
        "requests": row["requests"],
        "by_status": _by_status(row, statuses),
        **_rates(row),
        "profile_complete": row["profile_complete"],
        "red_seal_certified": row["red_seal_certified"],
        "workshop": row["workshop_name"],
        "years_of_experience": row["years_of_experience"],
        "city": row["city"],
        "mechanic_type": row["mechanic_type"],
    }


def _customer_entry(row: dict[str, Any], statuses: list[str]) -> dict[str, Any]:
    return {
        "customer": row["customer"],
        "requests": row["requests"],
        "by_status": _by_status(row, statuses),
        "share": row["share"],
        **_rates(row),
        "per_day": row["per_day"],
        "active_days": row["active_days"],
        "per_active_day": row["per_active_day"],
        "busiest_day": row["busiest_day"],
        "busiest_day_requests": row["busiest_day_requests"],
        "test_account": row["test_account"],
        "pattern": row["pattern"],
    }


def _by_status(row: dict[str, Any], statuses: list[str]) -> dict[str, int]:
    """The non-zero per-status counts of one pivoted row."""
    return {s: int(row[s]) for s in statuses if s in row and int(row[s])}


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    """completion_rate, cancel_rate and their 95 % intervals as ``[low, high]``."""
    return {name: row[name] for name in ("completion_rate", "cancel_rate")} | {
        f"{name}_interval": [row[f"{name}_low"], row[f"{name}_high"]]
        for name in ("completion_rate", "cancel_rate")
    }


def _plain(figures: dict[str, Any]) -> dict[str, Any]:
    """Headline figures for JSON: rates as their ``Rate.to_dict``, the rest as they are."""
    return {k: v.to_dict() if isinstance(v, Rate) else v for k, v in figures.items()}


def _seconds(moment: datetime | None) -> str | None:
    """ISO 8601 to the second, keeping the local offset."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


def jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars unwrapped, NaN → None, dates ISO (local offsets kept)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy / pandas scalars
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
