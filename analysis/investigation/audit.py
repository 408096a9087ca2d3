"""The profile-completeness audit: which mechanics and customers lack which profile fields.

``audit`` is what notebooks/profile_audit.ipynb calls; ``ProfileAudit.to_dict`` is
``profile_audit.json``. The required fields are parameters (defaults: SCHEMA.md's). Lists that
grow with the data (mechanics on record, the period's customers, customers without a profile,
where the two customer keys part) are ranked here (``ranked``, ``ProfileAudit.top``) so the
report and the JSON keep their first ``top_n`` beside the totals; the full lists are the CSV
files beside the report (``analysis.report.export.audit_lists``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pandas as pd
import sqlalchemy as sa

from analysis.domain import (
    CUSTOMER_PROFILE_FIELDS,
    DEFAULT_TIMEZONE,
    MECHANIC_PROFILE_FIELDS,
    MECHANIC_TYPES,
    TOP_N,
)
from analysis.errors import AnalysisError
from analysis.investigation import metrics, queries
from analysis.investigation.findings import EMAIL, NAME, PHONE, jsonable
from analysis.investigation.queries import QueryRunner
from analysis.period import Period
from analysis.source.engine import connect
from analysis.source.provenance import check_coverage, describe_source
from analysis.source.urls import resolve_url


@dataclass
class ProfileAudit:
    """Mechanics on record and the period's customers, with the fields each lacks.

    ``mechanics``: ``metrics.mechanic_profiles`` plus requests (taken in the period);
    ``customers``: ``metrics.customer_profile_table`` plus requests (by customer id, not by
    the e-mail the investigation groups on); ``customers_without_profile``: customer_id,
    requests; ``request_emails``: customer_id, customer_email, requests (the period's
    requests by both keys; ``key_differences`` is where the two groupings part).
    """

    PERSONAL: ClassVar[dict[str, dict[str, str]]] = {
        "mechanics": {"name": NAME, "email": EMAIL, "phone": PHONE},
        "customers": {"email": EMAIL, "full_name": NAME, "phone": PHONE},
        "request_emails": {"customer_email": EMAIL},
    }

    period: Period
    database: str
    mechanic_fields: tuple[str, ...]
    customer_fields: tuple[str, ...]
    mechanics: pd.DataFrame  # metrics.mechanic_profiles + requests (taken in the period)
    customers: pd.DataFrame  # metrics.customer_profile_table + requests
    customers_without_profile: pd.DataFrame  # customer_id, requests
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    request_emails: pd.DataFrame = field(  # customer_id, customer_email, requests
        default_factory=lambda: pd.DataFrame(columns=["customer_id", "customer_email", "requests"])
    )

    @property
    def key_differences(self) -> pd.DataFrame:
        """``key_differences(request_emails)``."""
        return key_differences(self.request_emails)

    @property
    def largest_key_differences(self) -> pd.DataFrame:
        """``key_differences``' rows, the customer ids with the most requests first (then by
        id; an id's rows together, its largest key first)."""
        return _by_requests(self.key_differences, "id_requests", "customer_id")

    @property
    def by_type(self) -> pd.DataFrame:
        return completeness_by_type(self.mechanics)

    @property
    def mechanic_gaps(self) -> pd.DataFrame:
        return gaps_by_group(self.mechanics, self.mechanic_fields, "mechanic_type")

    @property
    def incomplete_mechanics(self) -> pd.DataFrame:
        """The mechanics lacking a field, in the report's order (``ranked``)."""
        m = ranked(self.mechanics, "mechanic_id")
        return m[~m["profile_complete"]].reset_index(drop=True) if len(m) else m

    @property
    def incomplete_customers(self) -> pd.DataFrame:
        """The period's customer profiles lacking a field, in the report's order (``ranked``)."""
        c = ranked(self.customers, "customer_id")
        return c[~c["profile_complete"]].reset_index(drop=True) if len(c) else c

    @property
    def orphans(self) -> pd.DataFrame:
        """``customers_without_profile``, most requests first (then by customer id)."""
        return _by_requests(self.customers_without_profile, "requests", "customer_id")

    def top(self, table: str, top_n: int = TOP_N) -> tuple[pd.DataFrame, dict[str, int]]:
        """The first ``top_n`` rows of ``mechanics`` or ``customers`` in the report's order
        (``ranked``: incomplete profiles first, most requests in the period first) and the rest
        summed (``rest_totals``: count, incomplete, requests; customers also deleted)."""
        key = "mechanic_id" if table == "mechanics" else "customer_id"
        ordered = ranked(getattr(self, table), key)
        n = max(top_n, 0)
        return ordered.head(n), rest_totals(ordered.iloc[n:])

    def to_dict(self, top_n: int = TOP_N) -> dict[str, Any]:
        """The JSON document (``profile_audit.json``): every total and the first ``top_n`` of
        each list that grows with the data.

        ``mechanics`` and ``customers`` (incomplete profiles first, most requests in the period
        first) with ``mechanics_others`` / ``customers_others`` (``rest_totals`` of the rest),
        ``*_count``, ``incomplete_*_count`` and ``*_missing`` (how many lack each field);
        ``customers_without_profile`` (most requests first) with its ``_count`` and
        ``_requests``; ``customer_key_differences`` (``key_differences``' rows, the customer
        ids with the most requests first) with its ``_count`` and ``key_difference_totals``.
        The full lists are the CSV files beside the report (``analysis.report.export``)."""
        n = max(top_n, 0)
        m, c = self.mechanics, self.customers
        mechanics, mechanics_rest = self.top("mechanics", n)
        customers, customers_rest = self.top("customers", n)
        orphans = self.orphans
        differences = self.key_differences
        return jsonable(
            {
                "period": {
                    "start": self.period.start,
                    "end": self.period.end,
                    "timezone": self.period.timezone,
                },
                "database": self.database,
                "generated_at": self.generated_at,
                "mechanic_fields": list(self.mechanic_fields),
                "customer_fields": list(self.customer_fields),
                "mechanics_by_type": self.by_type.to_dict(orient="records"),
                "mechanic_gaps": self.mechanic_gaps.to_dict(orient="records"),
                "mechanics_count": len(m),
                "incomplete_mechanics_count": len(self.incomplete_mechanics),
                "mechanics_missing": missing_counts(m, self.mechanic_fields),
                "mechanics": [
                    {
                        "mechanic_id": r.mechanic_id,
                        "name": r.name,
                        "mechanic_type": r.mechanic_type,
                        "missing": list(r.missing),
                        "requests": r.requests,
                    }
                    for r in mechanics.itertuples()
                ],
                "mechanics_others": mechanics_rest,
                "customers_count": len(c),
                "incomplete_customers_count": len(self.incomplete_customers),
                "deleted_customers_count": int(c["deleted"].sum()) if len(c) else 0,
                "customers_missing": missing_counts(c, self.customer_fields),
                "customers": [
                    {
                        "customer_id": r.customer_id,
                        "email": r.email,
                        "missing": list(r.missing),
                        "deleted": bool(r.deleted),
                        "requests": r.requests,
                    }
                    for r in customers.itertuples()
                ],
                "customers_others": customers_rest,
                "customers_without_profile": orphans.head(n).to_dict(orient="records"),
                "customers_without_profile_count": len(orphans),
                "customers_without_profile_requests": int(orphans["requests"].sum())
                if len(orphans)
                else 0,
                "customer_key_differences": _by_requests(differences, "id_requests", "customer_id")
                .head(n)
                .to_dict(orient="records"),
                "customer_key_differences_count": len(differences),
                **key_difference_totals(differences),
            }
        )


def ranked(profiles: pd.DataFrame, key: str) -> pd.DataFrame:
    """The report's order for mechanics or customers: incomplete profiles first, then the most
    requests in the period first, then by ``key`` (their id).

    ``profiles``: profile_complete, requests, ``key``. Returns the rows reordered (index reset).
    """
    if profiles.empty:
        return profiles
    return profiles.sort_values(
        ["profile_complete", "requests", key], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def rest_totals(rest: pd.DataFrame) -> dict[str, int]:
    """The rows a list leaves out, summed: ``count``, ``incomplete`` (profile_complete false),
    ``requests`` and, when ``rest`` has a deleted column (customers), ``deleted``.

    ``rest``: profile_complete, requests (and deleted). With the rows shown, they add up to
    the whole list's totals."""
    totals = {
        "count": len(rest),
        "incomplete": int((~rest["profile_complete"].astype(bool)).sum()) if len(rest) else 0,
        "requests": int(rest["requests"].sum()) if len(rest) else 0,
    }
    if "deleted" in rest:
        totals["deleted"] = int(rest["deleted"].astype(bool).sum()) if len(rest) else 0
    return totals


def missing_counts(profiles: pd.DataFrame, fields: Sequence[str]) -> dict[str, int]:
    """How many profiles lack each of ``fields`` (in that order; zeros included).

    ``profiles``: missing (the list of field names each lacks)."""
    lists = list(profiles["missing"]) if len(profiles) else []
    return {f: sum(f in m for m in lists) for f in fields}


def _by_requests(frame: pd.DataFrame, requests: str, key: str) -> pd.DataFrame:
    """``frame`` with the most ``requests`` first, then by ``key`` (stable: ties keep their
    order)."""
    if frame.empty:
        return frame
    return frame.sort_values([requests, key], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def key_difference_totals(differences: pd.DataFrame) -> dict[str, dict[str, int]]:
    """How far the two customer keys part, in totals (``key_differences``' rows: customer_id,
    key, id_requests, key_requests): ``customer_ids_split``, the customer ids whose requests
    fall under more than one key, and ``keys_shared``, the keys on more than one customer id;
    each with its ``count`` and ``requests`` (those ids' or keys' requests in the period)."""
    if differences.empty:
        zero = {"count": 0, "requests": 0}
        return {"customer_ids_split": dict(zero), "keys_shared": dict(zero)}
    ids = split_customer_ids(differences)
    keys = shared_keys(differences)
    return {
        "customer_ids_split": {"count": len(ids), "requests": int(ids["requests"].sum())},
        "keys_shared": {"count": len(keys), "requests": int(keys["requests"].sum())},
    }


def split_customer_ids(differences: pd.DataFrame) -> pd.DataFrame:
    """The customer ids whose requests the investigation counts under more than one key.

    ``differences``: ``key_differences``' rows. Returns customer_id, keys (how many),
    requests (the id's total in the period), the most requests first, then by id."""
    if differences.empty:
        return pd.DataFrame(columns=["customer_id", "keys", "requests"])
    ids = differences.groupby("customer_id", as_index=False).agg(
        keys=("key", "nunique"), requests=("id_requests", "first")
    )
    return _by_requests(ids[ids["keys"] > 1], "requests", "customer_id")


def shared_keys(differences: pd.DataFrame) -> pd.DataFrame:
    """The keys (e-mails, or customer ids standing for a missing e-mail) on the requests of
    more than one customer id, which the investigation counts as one customer.

    ``differences``: ``key_differences``' rows. Returns key, customer_email, customer_ids (how
    many), requests (the key's total in the period), the most requests first, then by key."""
    if differences.empty:
        return pd.DataFrame(columns=["key", "customer_email", "customer_ids", "requests"])
    keys = differences.groupby("key", as_index=False).agg(
        customer_email=("customer_email", "first"),
        customer_ids=("customer_id", "nunique"),
        requests=("key_requests", "first"),
    )
    return _by_requests(keys[keys["customer_ids"] > 1], "requests", "key")


def key_differences(request_emails: pd.DataFrame) -> pd.DataFrame:
    """Where grouping by customer id (the audit) and by the investigation's key (the
    request's e-mail, else its customer id) part: the rows of customer ids whose requests
    fall under more than one key, and of keys shared by more than one customer id.

    ``request_emails``: customer_id, customer_email, requests. Returns customer_id, key,
    customer_email (None where the key is the id), requests, id_requests (the customer id's
    total), key_requests (the key's total), ordered by customer id then requests.
    """
    columns = ["customer_id", "key", "customer_email", "requests", "id_requests", "key_requests"]
    if request_emails.empty:
        return pd.DataFrame(columns=columns)
    t = request_emails.copy()
    t["customer_email"] = t["customer_email"].astype(object).where(t["customer_email"].notna())
    t["key"] = t["customer_email"].where(t["customer_email"].notna(), t["customer_id"])
    pairs = t.groupby(["customer_id", "key"], dropna=False, as_index=False).agg(
        customer_email=("customer_email", "first"), requests=("requests", "sum")
    )
    pairs["id_requests"] = pairs.groupby("customer_id")["requests"].transform("sum")
    pairs["key_requests"] = pairs.groupby("key")["requests"].transform("sum")
    keys_per_id = pairs.groupby("customer_id")["key"].transform("nunique")
    ids_per_key = pairs.groupby("key")["customer_id"].transform("nunique")
    parted = pairs[(keys_per_id > 1) | (ids_per_key > 1)]
    ordered = parted.sort_values(["customer_id", "requests", "key"], ascending=[True, False, True])
    return ordered[columns].reset_index(drop=True)


def completeness_by_type(mechanics: pd.DataFrame) -> pd.DataFrame:
    """Per mechanic type (all three always listed): mechanics, complete, incomplete,
    took_requests (mechanics with requests in the period), incomplete_took_requests.

    ``mechanics``: mechanic_type, profile_complete, requests.
    """
    rows = []
    types = list(MECHANIC_TYPES) + sorted(set(mechanics["mechanic_type"]) - set(MECHANIC_TYPES))
    for kind in types:
        group = mechanics[mechanics["mechanic_type"] == kind]
        took = group["requests"] > 0
        rows.append(
            (
                kind,
                len(group),
                int(group["profile_complete"].sum()),
                int((~group["profile_complete"]).sum()),
                int(took.sum()),
                int((took & ~group["profile_complete"]).sum()),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "mechanic_type",
            "mechanics",
            "complete",
            "incomplete",
            "took_requests",
            "incomplete_took_requests",
        ],
    )


def gaps_by_group(frame: pd.DataFrame, fields: Sequence[str], group: str) -> pd.DataFrame:
    """How many rows of each ``group`` value lack each field.

    ``frame``: ``group`` and ``missing`` (list of field names). Returns field plus a column
    per group value (mechanic types in their usual order first), rows in ``fields`` order.
    """
    present = list(frame[group].dropna().unique()) if len(frame) else []
    groups = [g for g in MECHANIC_TYPES if g in present] + sorted(
        g for g in present if g not in MECHANIC_TYPES
    )
    table = pd.DataFrame({"field": list(fields)})
    for g in groups:
        lists = frame.loc[frame[group] == g, "missing"]
        table[g] = [sum(f in m for m in lists) for f in fields]
    return table


def _checked(fields: Sequence[str], query: sa.Select, name: str) -> tuple[str, ...]:
    """``fields`` if the query reads them all, else an AnalysisError naming the choices."""
    available = [c.name for c in query.selected_columns]
    unknown = [f for f in fields if f not in available]
    if unknown:
        raise AnalysisError(
            f"{name} {unknown} are not profile columns: choose from {', '.join(available)}"
        )
    return tuple(fields)


def _with_requests(frame: pd.DataFrame, counts: pd.DataFrame, key: str) -> pd.DataFrame:
    totals = counts.groupby(key)["requests"].sum() if len(counts) else pd.Series(dtype=int)
    return frame.assign(requests=[int(totals.get(k, 0)) for k in frame[key]])


def audit(
    start_date: str | date,
    end_date: str | date,
    timezone: str = DEFAULT_TIMEZONE,
    mechanic_fields: Sequence[str] | None = None,
    customer_fields: Sequence[str] | None = None,
    db: str | None = None,
    schema: str | None = None,
    naive_timezone: str | None = None,
    query_timeout: float | None = None,
) -> ProfileAudit:
    """Audit every mechanic on record and the customers who made requests in the period.

    ``mechanic_fields`` and ``customer_fields`` are the fields a complete profile needs
    (None: the library's defaults, ``analysis.domain``); ``naive_timezone`` and
    ``query_timeout`` as in ``investigate``."""
    period = Period.parse(start_date, end_date, timezone)
    url = resolve_url(db)
    m_fields = _checked(
        MECHANIC_PROFILE_FIELDS if mechanic_fields is None else mechanic_fields,
        queries.mechanic_roster(),
        "mechanic_fields",
    )
    c_fields = _checked(
        CUSTOMER_PROFILE_FIELDS if customer_fields is None else customer_fields,
        queries.period_customer_profiles(period),
        "customer_fields",
    )
    with connect(url, schema, naive_timezone, query_timeout) as conn:
        check_coverage(conn, period)
        database = describe_source(conn, url)
        run = QueryRunner(conn)
        roster = run("mechanic_roster")
        mechanic_counts = run("mechanic_status_counts", period)
        profiles = run("period_customer_profiles", period)
        customer_counts = run("customer_id_counts", period)
        orphans = run("customers_without_profile", period)
        request_emails = run("customer_email_counts", period)
    return ProfileAudit(
        period=period,
        database=database,
        mechanic_fields=m_fields,
        customer_fields=c_fields,
        mechanics=_with_requests(
            metrics.mechanic_profiles(roster, m_fields), mechanic_counts, "mechanic_id"
        ),
        customers=_with_requests(
            metrics.customer_profile_table(profiles, c_fields), customer_counts, "customer_id"
        ),
        customers_without_profile=orphans,
        request_emails=request_emails,
    )
