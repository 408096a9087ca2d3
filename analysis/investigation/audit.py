"""The profile-completeness audit: which mechanics and customers lack which profile fields.

``audit`` is what notebooks/profile_audit.ipynb calls; ``ProfileAudit.to_dict`` is
``profile_audit.json``. The required fields are parameters (defaults: SCHEMA.md's).
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
    def by_type(self) -> pd.DataFrame:
        return completeness_by_type(self.mechanics)

    @property
    def mechanic_gaps(self) -> pd.DataFrame:
        return gaps_by_group(self.mechanics, self.mechanic_fields, "mechanic_type")

    def to_dict(self) -> dict[str, Any]:
        m, c = self.mechanics, self.customers
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
                "mechanics": [
                    {
                        "mechanic_id": r.mechanic_id,
                        "name": r.name,
                        "mechanic_type": r.mechanic_type,
                        "missing": list(r.missing),
                        "requests": r.requests,
                    }
                    for r in m.itertuples()
                ],
                "customers": [
                    {
                        "customer_id": r.customer_id,
                        "email": r.email,
                        "missing": list(r.missing),
                        "deleted": bool(r.deleted),
                        "requests": r.requests,
                    }
                    for r in c.itertuples()
                ],
                "customers_without_profile": self.customers_without_profile.to_dict(
                    orient="records"
                ),
                "customer_key_differences": self.key_differences.to_dict(orient="records"),
            }
        )


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
