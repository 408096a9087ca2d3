"""What a report writes besides its notebook and HTML (``analysis.report.html``): the JSON of
its findings (or of the profile audit) and the full lists as CSV files. The notebooks import
it: it imports no nbconvert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.domain import (
    CUSTOMER_KEY_DIFFERENCES,
    CUSTOMERS,
    CUSTOMERS_WITHOUT_PROFILE,
    FLAGGED_REQUESTS,
    INCOMPLETE_CUSTOMERS,
    INCOMPLETE_MECHANICS,
    MECHANICS,
)
from analysis.investigation.audit import ProfileAudit
from analysis.investigation.metrics import MECHANIC_ATTRIBUTES

CUSTOMER_COLUMNS = (
    "customer",
    "requests",
    "share",
    "completion_rate",
    "cancel_rate",
    "active_days",
    "busiest_day",
    "busiest_day_requests",
    "test_account",
    "pattern",
)
# The mechanic's name, then the rates, then the rest of their profile (metrics' attributes).
MECHANIC_COLUMNS = (
    "mechanic_id",
    MECHANIC_ATTRIBUTES[0],
    "requests",
    "completion_rate",
    "cancel_rate",
    *MECHANIC_ATTRIBUTES[1:],
)


def write_json(product: Any, path: str | Path, **options: Any) -> Path:
    """``product.to_dict(**options)`` (``Findings`` or ``ProfileAudit``; e.g. ``top_n``) as
    indented JSON at ``path``."""
    target = Path(path)
    target.write_text(
        json.dumps(product.to_dict(**options), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return target


def full_lists(findings: Any) -> dict[str, pd.DataFrame]:
    """The full per-entity lists of a ``Findings`` (already aggregated by the database; masked
    when the findings are): ``customers`` (customer, requests, one count per status, share,
    completion_rate, cancel_rate, active_days, busiest_day, busiest_day_requests,
    test_account, pattern; one row per customer key, busiest first), ``mechanics``
    (mechanic_id, name, requests, one count per status, the rates, the profile columns; one
    row per mechanic who took requests) and ``flagged_requests`` (request_id, checks: the
    data-quality checks it fails, ``;``-joined)."""
    statuses = findings.statuses
    return {
        CUSTOMERS: _columns(findings.customers, CUSTOMER_COLUMNS, statuses),
        MECHANICS: _columns(findings.mechanics, MECHANIC_COLUMNS, statuses),
        FLAGGED_REQUESTS: findings.flagged,
    }


def _columns(table: pd.DataFrame, columns: tuple[str, ...], statuses: list[str]) -> pd.DataFrame:
    """``columns`` with one count column per status after ``requests`` (0 when absent)."""
    wanted = [*columns[: columns.index("requests") + 1], *statuses]
    wanted += columns[columns.index("requests") + 1 :]
    out = table.reindex(columns=wanted)
    for s in statuses:
        out[s] = out[s].fillna(0).astype(int)
    return out


# A list of profile fields in one CSV cell.
FIELD_SEPARATOR = ";"


def audit_lists(a: ProfileAudit) -> dict[str, pd.DataFrame]:
    """The profile audit's full lists (masked when the audit is), in its report's order:
    ``incomplete_mechanics`` (mechanic_id, name, mechanic_type, missing: the fields it lacks,
    ``;``-joined, requests: taken in the period; one row per mechanic on record lacking a
    field, most requests first), ``incomplete_customers`` (customer_id, email, missing,
    deleted, requests; one row per incomplete profile behind the period's requests, most
    requests first), ``customers_without_profile`` (customer_id, requests) and
    ``customer_key_differences`` (``ProfileAudit.largest_key_differences``: customer_id, key,
    customer_email, requests, id_requests, key_requests)."""
    mechanics, customers = a.incomplete_mechanics, a.incomplete_customers
    return {
        INCOMPLETE_MECHANICS: pd.DataFrame(
            {
                "mechanic_id": mechanics["mechanic_id"],
                "name": mechanics["name"],
                "mechanic_type": mechanics["mechanic_type"],
                "missing": [FIELD_SEPARATOR.join(m) for m in mechanics["missing"]],
                "requests": mechanics["requests"],
            }
        ),
        INCOMPLETE_CUSTOMERS: pd.DataFrame(
            {
                "customer_id": customers["customer_id"],
                "email": customers["email"],
                "missing": [FIELD_SEPARATOR.join(m) for m in customers["missing"]],
                "deleted": customers["deleted"],
                "requests": customers["requests"],
            }
        ),
        CUSTOMERS_WITHOUT_PROFILE: a.orphans.reindex(columns=["customer_id", "requests"]),
        CUSTOMER_KEY_DIFFERENCES: a.largest_key_differences,
    }


def lists_of(product: Any) -> dict[str, pd.DataFrame]:
    """``audit_lists`` of a ``ProfileAudit``, else ``full_lists`` (a ``Findings``)."""
    return audit_lists(product) if isinstance(product, ProfileAudit) else full_lists(product)


def write_lists(product: Any, files: dict[str, str], folder: str | Path = ".") -> list[Path]:
    """Write ``lists_of(product)`` (a ``Findings``' or a ``ProfileAudit``'s) as CSV into
    ``folder``, under the names ``files`` gives each kind (``analysis.runs.layout.LIST_FILES``,
    ``AUDIT_LIST_FILES``); return the paths written."""
    written = []
    for kind, frame in lists_of(product).items():
        target = Path(folder) / files[kind]
        frame.to_csv(target, index=False)
        written.append(target)
    return written
