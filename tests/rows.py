"""The tests' row builders: hand-written rows of the platform's tables, in a fresh SQLite
database, and UTC or local times."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from analysis.period import Period
from analysis.source import schema
from analysis.source.engine import connect, read_frame

TORONTO = ZoneInfo("America/Toronto")
CUSTOMER_ID = "0af3d300-cbca-4019-baa6-e92e402ccd1b"
# The reference period (29 Oct - 6 Nov 2025, America/Toronto); DST ends on 2 Nov inside it.
PERIOD = Period.parse("2025-10-29", "2025-11-06")
# The month of the synthetic database (conftest's ``synthetic`` fixture).
SYNTHETIC_MONTH = ("2025-10-01", "2025-10-31")
# The mechanics' columns besides their id, and the roster query's columns (queries.mechanic_roster).
MECHANIC_FIELDS = tuple(c for c in schema.USED_COLUMNS["mechanics"] if c != "id")
ROSTER_COLUMNS = ["mechanic_id", *MECHANIC_FIELDS, "workshop_name"]


def new_id() -> str:
    return str(uuid.uuid4())


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A tz-aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A Toronto wall-clock time, as a tz-aware UTC datetime (first occurrence on a fold)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=TORONTO).astimezone(UTC)


def _row(table: sa.Table, defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    unknown = set(overrides) - set(table.c.keys())
    if unknown:
        raise KeyError(f"{table.name} has no column(s) {sorted(unknown)}")
    # Every column present (None by default), so a multi-row insert sees the same keys.
    return dict.fromkeys(table.c.keys()) | defaults | overrides


def request(**overrides: Any) -> dict[str, Any]:
    """A session_requests row: a pending broadcast chat on 30 Oct 2025 12:00 UTC by default."""
    defaults = {
        "id": new_id(),
        "customer_id": CUSTOMER_ID,
        "status": "pending",
        "session_type": "chat",
        "routing_type": "broadcast",
        "created_at": utc(2025, 10, 30, 12),
    }
    return _row(schema.session_requests, defaults, overrides)


def mechanic(**overrides: Any) -> dict[str, Any]:
    """A mechanics row with a complete profile by default (virtual: no workshop)."""
    defaults = {
        "id": new_id(),
        "name": "Test Mechanic",
        "email": "mech@example.com",
        "phone": "555-0100",
        "city": "Toronto",
        "province": "ON",
        "postal_code": "M5V 1A1",
        "country": "Canada",
        "years_of_experience": 10,
        "red_seal_certified": False,
        "account_type": "individual_mechanic",
        "is_available": True,
        "created_at": utc(2025, 10, 1),
    }
    return _row(schema.mechanics, defaults, overrides)


def profile(**overrides: Any) -> dict[str, Any]:
    """A customer profile, complete by default."""
    defaults = {
        "id": CUSTOMER_ID,
        "email": "jane.doe@gmail.com",
        "full_name": "Jane Doe",
        "role": "customer",
        "phone": "555-0199",
        "city": "Toronto",
        "province": "ON",
        "postal_code": "M5V 2B2",
        "country": "Canada",
        "latitude": 43.65,
        "longitude": -79.38,
        "created_at": utc(2025, 10, 1),
    }
    return _row(schema.profiles, defaults, overrides)


def organization(**overrides: Any) -> dict[str, Any]:
    """A workshop."""
    defaults = {
        "id": new_id(),
        "name": "Test Garage",
        "organization_type": "workshop",
        "status": "active",
        "created_at": utc(2025, 10, 1),
    }
    return _row(schema.organizations, defaults, overrides)


def make_db(
    tmp_path: Path,
    requests: Iterable[dict[str, Any]] = (),
    mechanics: Iterable[dict[str, Any]] = (),
    profiles: Iterable[dict[str, Any]] = (),
    organizations: Iterable[dict[str, Any]] = (),
    name: str = "test.db",
) -> str:
    """A fresh SQLite file under ``tmp_path`` holding the given rows; its ``sqlite:///`` URL."""
    path = tmp_path / name
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        schema.metadata.create_all(engine)
        with engine.begin() as conn:
            for table, rows in (
                (schema.session_requests, requests),
                (schema.mechanics, mechanics),
                (schema.profiles, profiles),
                (schema.organizations, organizations),
            ):
                rows = list(rows)
                if rows:
                    conn.execute(table.insert(), rows)
    finally:
        engine.dispose()
    return f"sqlite:///{path}"


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """The frame's ``columns`` as sorted plain tuples (result order is not guaranteed)."""
    return sorted(frame[list(columns)].itertuples(index=False, name=None))


def fetch(url: str, query: sa.Select) -> pd.DataFrame:
    """Run one built query on the database at ``url`` (read-only, as the package does)."""
    with connect(url) as conn:
        return read_frame(conn, query)


Rows = dict[str, list[dict[str, Any]]]


def at(text: str) -> datetime:
    """``"2025-11-03 10:00"`` as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def cancelled_request(rid: str, **fields: Any) -> dict[str, Any]:
    """A session_requests row: a cancelled, never-assigned broadcast chat by ``a@real.ca`` on
    3 Nov 2025 15:00 UTC unless ``fields`` say otherwise."""
    row = {
        "id": rid,
        "created_at": at("2025-11-03 15:00"),
        "customer_id": "cust-1",
        "customer_email": "a@real.ca",
        "mechanic_id": None,
        "session_type": "chat",
        "status": "cancelled",
        "accepted_at": None,
        "workshop_id": None,
        "preferred_workshop_id": None,
        "routing_type": "broadcast",
    }
    return row | fields


def fill(path: Path, rows: Rows, metadata: sa.MetaData = schema.metadata) -> str:
    """Create ``metadata``'s tables in a new SQLite file, insert ``rows``; return its URL."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            if table_rows:
                full = [
                    {c.name: None for c in metadata.tables[name].columns} | r for r in table_rows
                ]
                conn.execute(metadata.tables[name].insert(), full)
    engine.dispose()
    return url


# One request per data-quality check, each built to fail exactly that check (and the
# checks it implies), on 3 Nov 2025 UTC; ANOMALY_EXPECTED: the ids each check flags.
ANOMALY_PERIOD = Period.parse("2025-11-03", "2025-11-03", "UTC")
ANOMALY_ACCEPTED = at("2025-11-03 15:05")

ANOMALY_ROWS: Rows = {
    "mechanics": [{"id": "m1", "name": "M"}],
    "organizations": [{"id": "w1", "name": "W", "organization_type": "workshop"}],
    "profiles": [
        {"id": "cust-1", "email": "a@real.ca"},
        {"id": "cust-del", "email": None, "deleted_at": at("2025-11-04 00:00")},
    ],
    "session_requests": [
        # clean rows: a completed session and an unassigned cancellation; the e-mail differs
        # from the profile's only in case and spaces
        cancelled_request(
            "ok",
            status="completed",
            mechanic_id="m1",
            accepted_at=ANOMALY_ACCEPTED,
            workshop_id="w1",
        ),
        cancelled_request("ok2", customer_email=" A@REAL.CA"),
        cancelled_request("cwm", status="completed"),
        cancelled_request("cwa", status="completed", mechanic_id="m1"),
        cancelled_request("abc", mechanic_id="m1", accepted_at=at("2025-11-03 14:00")),
        cancelled_request("awm", accepted_at=ANOMALY_ACCEPTED),
        cancelled_request("mwa", mechanic_id="m1"),
        cancelled_request("um", mechanic_id="ghost", accepted_at=ANOMALY_ACCEPTED),
        cancelled_request("uw", workshop_id="ghost-w"),
        cancelled_request("upw", preferred_workshop_id="ghost-w"),
        cancelled_request("edp", customer_email="other@real.ca"),
        cancelled_request("cwp", customer_id="nobody"),
        cancelled_request("cpd", customer_id="cust-del", customer_email="gone@real.ca"),
        cancelled_request("us", status="weird"),
        cancelled_request("ust", session_type="phone"),
        cancelled_request("urt", routing_type=None),
        # outside the period: every problem at once, never flagged
        cancelled_request(
            "late", created_at=at("2025-11-04 15:00"), status="?", mechanic_id="ghost"
        ),
    ],
}
ANOMALY_EXPECTED = {
    "completed_without_mechanic": ["cwm"],
    "completed_without_accepted_at": ["cwa", "cwm"],
    "accepted_before_created": ["abc"],
    "accepted_without_mechanic": ["awm"],
    "mechanic_without_accepted_at": ["cwa", "mwa"],
    "unknown_mechanic": ["um"],
    "unknown_workshop": ["uw"],
    "unknown_preferred_workshop": ["upw"],
    "email_differs_from_profile": ["edp"],
    "customer_without_profile": ["cwp"],
    "customer_profile_deleted": ["cpd"],
    "unknown_status": ["us"],
    "unknown_session_type": ["ust"],
    "unknown_routing_type": ["urt"],
    "duplicate_id": [],
}
