"""Synthetic data in the live schema, for scale tests and benchmarks.

Realistic enough to exercise every section: a status mix, assignment and log-normal response
times, daily and weekly cycles, bursts from a few test accounts, incomplete profiles and a
sprinkle of data-quality anomalies; customers in cities with and without mechanics, urgent
requests, plans and expiry times. Whether a request finds a mechanic follows ``Causes``: by
default night requests and customers in cities where no mechanic works go unassigned more
often, and tests plant stronger causes whose effect is known. Deterministic for a seed;
generated and loaded in chunks, so memory does not grow with the number of requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Table

from analysis.domain import EXPIRY_MINUTES
from analysis.errors import AnalysisError
from analysis.load import bulk, spark_tables
from analysis.load.bulk import writable_engine
from analysis.source import schema, spark
from analysis.source.urls import mask_url

CHUNK = 500_000
TEST_ACCOUNTS = ("cust1@test.com", "cust2@test.com", "qa.bot@example.com")
STATUSES = ["completed", "cancelled", "expired", "unattended", "pending", "accepted"]
STATUS_P = [0.58, 0.22, 0.10, 0.05, 0.02, 0.03]
TEST_STATUS_P = [0.10, 0.85, 0.03, 0.01, 0.01, 0.00]
TYPES, TYPE_P = ["chat", "video", "diagnostic"], [0.6, 0.25, 0.15]
ROUTING, ROUTING_P = ["broadcast", "workshop_only", "hybrid"], [0.8, 0.1, 0.1]
# Local hour-of-day and weekday weights: busy late morning to evening, quieter weekends.
HOUR_W = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 12, 12, 11, 11, 11, 12, 13, 13, 11, 9, 6, 3, 2], dtype=float
)
WEEKDAY_W = np.array([1.1, 1.1, 1.05, 1.05, 1.0, 0.75, 0.6])
TEST_SHARE = 0.02  # requests from test accounts, in bursts on a few days
ANOMALY_SHARE = 0.001
# Cities: mechanics work in the first four; a customer's city is fixed by their number
# modulo 20 (the busiest customers are low numbers), so about 12 % of requests come from
# Halifax, Montreal and Winnipeg, where no mechanic works.
MECHANIC_CITIES = ("Toronto", "Ottawa", "Calgary", "Vancouver")
CUSTOMER_CITY_BY_REMAINDER = (
    "Toronto", "Toronto", "Toronto", "Halifax", "Ottawa", "Toronto", "Calgary", "Vancouver",
    "Montreal", "Toronto", "Ottawa", "Toronto", "Calgary", "Winnipeg", "Vancouver", "Toronto",
    "Ottawa", "Montreal", "Toronto", "Calgary",
)  # fmt: skip
PLANS, PLAN_P = ["basic", "plus", "fleet"], [0.6, 0.3, 0.1]
URGENT_SHARE = 0.12
URGENT_EXPIRY_MINUTES = 30
# Outcomes once a request is (or is not) assigned: the shares that give the overall status mix.
UNASSIGNED_STATUSES, UNASSIGNED_P = (
    ["cancelled", "expired", "unattended", "pending"],
    [
        0.475,
        0.309,
        0.154,
        0.062,
    ],
)
ASSIGNED_STATUSES, ASSIGNED_P = ["completed", "accepted", "cancelled"], [0.858, 0.044, 0.098]


@dataclass(frozen=True)
class Causes:
    """Why a (non-test) request goes unassigned: ``base_unassigned`` of requests, but
    ``night_unassigned`` of those made in ``night_hours`` (local) and ``uncovered_unassigned``
    of those from a city where no mechanic works (the larger when both apply). Session type,
    routing, urgency and plan have no effect."""

    base_unassigned: float = 0.30
    night_hours: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    night_unassigned: float = 0.55
    uncovered_unassigned: float = 0.65

    def unassigned_probability(self, hour: np.ndarray, uncovered: np.ndarray) -> np.ndarray:
        night = np.isin(hour, self.night_hours)
        p = np.where(night, self.night_unassigned, self.base_unassigned)
        return np.where(uncovered, np.maximum(p, self.uncovered_unassigned), p)


@dataclass(frozen=True)
class Plan:
    """What to generate; ``hour_weights`` (24 local-hour weights) replaces the daily cycle."""

    requests: int
    customers: int
    mechanics: int
    start: date
    end: date
    seed: int = 0
    timezone: str = "America/Toronto"
    causes: Causes = field(default_factory=Causes)
    hour_weights: tuple[float, ...] | None = None


def customer_city(customer: np.ndarray) -> np.ndarray:
    """The city of customers numbered ``customer`` (test accounts are customers 0–2 of their
    own numbering and live in Toronto: pass them as 0)."""
    return np.array(CUSTOMER_CITY_BY_REMAINDER)[np.asarray(customer) % 20]


def uuids(prefix: int, numbers: np.ndarray) -> pd.Series:
    """Deterministic, valid UUIDs: a table prefix and a counter (fast to make by the million)."""
    return pd.Series(numbers).map(lambda n: f"{prefix:08x}-0000-4000-8000-{n:012x}")


def _created_at(rng: np.random.Generator, n: int, plan: Plan) -> tuple[pd.Series, np.ndarray]:
    """Creation times (UTC) and the local hour each was drawn in."""
    days = pd.date_range(plan.start, plan.end, freq="D")
    weights = WEEKDAY_W[days.day_of_week] * (1 + 0.3 * np.sin(np.arange(len(days)) / 9))
    day = rng.choice(len(days), size=n, p=weights / weights.sum())
    hour_w = np.asarray(plan.hour_weights if plan.hour_weights is not None else HOUR_W, float)
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    seconds = rng.integers(0, 3600, size=n) + rng.random(n).round(3)
    local = days.values[day] + pd.to_timedelta(hour * 3600 + seconds, unit="s")
    aware = pd.DatetimeIndex(local).tz_localize(
        plan.timezone, ambiguous=False, nonexistent="shift_forward"
    )
    return pd.Series(aware.tz_convert("UTC")), hour


def requests_chunk(plan: Plan, first: int, n: int) -> pd.DataFrame:
    """Rows ``first`` .. ``first + n - 1`` of session_requests (their own seeded stream)."""
    rng = np.random.default_rng([plan.seed, 0, first])
    test = rng.random(n) < TEST_SHARE
    popularity = rng.zipf(1.6, size=n) % plan.customers
    customer = np.where(test, rng.integers(0, len(TEST_ACCOUNTS), n), popularity)
    created, hour = _created_at(rng, n, plan)
    city = np.where(test, "Toronto", customer_city(customer))
    covered = set(mechanics_frame(plan)["city"].dropna())
    uncovered = ~np.isin(city, list(covered))
    # Real customers: assignment follows the plan's causes, then the status given it.
    unassigned = rng.random(n) < plan.causes.unassigned_probability(hour, uncovered)
    real_status = np.where(
        unassigned,
        rng.choice(UNASSIGNED_STATUSES, n, p=UNASSIGNED_P),
        rng.choice(ASSIGNED_STATUSES, n, p=ASSIGNED_P),
    )
    # Test accounts: mostly cancelled, assigned as the app's testers left them.
    test_status = rng.choice(STATUSES, n, p=TEST_STATUS_P)
    status = np.where(test, test_status, real_status)
    assigned = np.where(
        test,
        np.isin(test_status, ["completed", "accepted"])
        | ((test_status == "cancelled") & (rng.random(n) < 0.3)),
        ~unassigned,
    )
    mechanic = rng.zipf(1.3, size=n) % plan.mechanics
    minutes = rng.lognormal(np.log(2.0), 1.0, n)
    accepted = created + pd.to_timedelta(np.round(minutes * 60_000), unit="ms")
    anomaly = rng.random(n) < ANOMALY_SHARE
    emails = np.where(
        test,
        np.array(TEST_ACCOUNTS)[customer % len(TEST_ACCOUNTS)],
        pd.Series(customer).map("user{}@inbox.ca".format).to_numpy(),
    )
    frame = pd.DataFrame(
        {
            "id": uuids(1, np.arange(first, first + n)),
            "created_at": created,
            "customer_id": uuids(2, np.where(test, customer, customer + len(TEST_ACCOUNTS))),
            "customer_email": pd.Series(emails).where(rng.random(n) > 0.01),
            "mechanic_id": uuids(3, mechanic).where(assigned),
            "session_type": rng.choice(TYPES, n, p=TYPE_P),
            "status": status,
            "accepted_at": accepted.where(assigned),
            "workshop_id": uuids(4, mechanic % max(1, plan.mechanics // 5)).where(
                assigned & (mechanic % 3 == 0)
            ),
            "routing_type": rng.choice(ROUTING, n, p=ROUTING_P),
        }
    )
    urgent = rng.random(n) < URGENT_SHARE
    frame["customer_city"] = pd.Series(city).where(rng.random(n) > 0.1)  # else the profile's
    frame["is_urgent"] = urgent
    # Drawn per request: a per-customer plan would follow the few busiest customers' cities.
    frame["plan_code"] = pd.Series(rng.choice(PLANS, n, p=PLAN_P))
    expiry = np.where(urgent, URGENT_EXPIRY_MINUTES, EXPIRY_MINUTES)
    frame["expires_at"] = created + pd.to_timedelta(expiry, unit="min")
    frame["preferred_workshop_id"] = uuids(
        4, rng.integers(0, max(1, plan.mechanics // 5), n)
    ).where(frame["routing_type"] != "broadcast")
    # Data-quality anomalies: completed with no mechanic, accepted before created, odd status.
    frame.loc[anomaly & (status == "completed"), ["mechanic_id", "accepted_at"]] = None
    early = anomaly & assigned & (rng.random(n) < 0.5)
    frame.loc[early, "accepted_at"] = frame.loc[early, "created_at"] - pd.Timedelta(minutes=1)
    frame.loc[anomaly & (status == "pending"), "status"] = "on_hold"
    return frame


def mechanics_frame(plan: Plan) -> pd.DataFrame:
    rng = np.random.default_rng([plan.seed, 1])
    n = plan.mechanics
    incomplete = rng.random(n) < 0.2
    workshops = max(1, n // 5)
    has_workshop = np.arange(n) % 3 == 0
    return pd.DataFrame(
        {
            "id": uuids(3, np.arange(n)),
            "name": pd.Series(np.arange(n)).map("Mechanic {}".format),
            "email": pd.Series(np.arange(n)).map("mechanic{}@garage.example.net".format),
            "phone": "+14165550000",
            "city": pd.Series(rng.choice(MECHANIC_CITIES, n)).where(~incomplete),
            "province": pd.Series(rng.choice(["ON", "AB", "BC"], n)).where(~incomplete),
            "postal_code": pd.Series(["M5V3A8"] * n).where(~incomplete),
            "years_of_experience": pd.Series(rng.integers(1, 30, n))
            .astype("Int64")
            .where(~incomplete),
            "red_seal_certified": rng.random(n) < 0.3,
            "account_type": np.where(
                rng.random(n) < 0.5, "workshop_mechanic", "individual_mechanic"
            ),
            "workshop_id": uuids(4, np.arange(n) % workshops).where(has_workshop),
        }
    )


def organizations_frame(plan: Plan) -> pd.DataFrame:
    count = max(1, plan.mechanics // 5)
    return pd.DataFrame(
        {
            "id": uuids(4, np.arange(count)),
            "name": pd.Series(np.arange(count)).map("Workshop {}".format),
            "organization_type": "workshop",
        }
    )


def profiles_frames(plan: Plan) -> Iterator[pd.DataFrame]:
    total = plan.customers + len(TEST_ACCOUNTS)
    for first in range(0, total, CHUNK):
        rng = np.random.default_rng([plan.seed, 2, first])
        ids = np.arange(first, min(total, first + CHUNK))
        n = len(ids)
        emails = pd.Series(ids).map(
            lambda i: (
                TEST_ACCOUNTS[i]
                if i < len(TEST_ACCOUNTS)
                else f"user{i - len(TEST_ACCOUNTS)}@inbox.ca"
            )
        )
        incomplete = rng.random(n) < 0.1
        yield pd.DataFrame(
            {
                "id": uuids(2, ids),
                "email": emails,
                "full_name": "Customer",
                "role": "customer",
                "phone": pd.Series(["416-555-0100"] * n).where(~incomplete),
                "city": customer_city(np.maximum(ids - len(TEST_ACCOUNTS), 0)),
                "province": "ON",
                "postal_code": "M5V3A8",
                "latitude": pd.Series(np.full(n, 43.65)).where(~incomplete),
                "longitude": -79.38,
                "deleted_at": pd.Series(pd.to_datetime(["2025-06-01"] * n, utc=True)).where(
                    rng.random(n) < 0.01
                ),
            }
        )


def _frames(plan: Plan) -> dict[Table, Iterator[pd.DataFrame]]:
    """Every table's rows for ``plan``, generated chunk by chunk as they are consumed."""
    chunks = (
        requests_chunk(plan, first, min(CHUNK, plan.requests - first))
        for first in range(0, plan.requests, CHUNK)
    )
    return {
        schema.session_requests: chunks,
        schema.mechanics: iter([mechanics_frame(plan)]),
        schema.organizations: iter([organizations_frame(plan)]),
        schema.profiles: profiles_frames(plan),
    }


def load_synthetic(
    url: str,
    plan: Plan,
    schema_name: str | None = None,
    replace: bool = False,
    location: Path | None = None,
) -> dict[str, int]:
    """Generate ``plan`` into the database at ``url``; rows written per table.

    Tables are created without indexes, loaded, then indexed (faster than indexing as rows
    arrive). On Spark (``hive://``) they are Parquet files in ``location``, one per chunk,
    registered as tables (see ``spark_tables``).
    """
    if plan.requests < 0 or plan.customers < 1 or plan.mechanics < 1 or plan.end < plan.start:
        raise AnalysisError(
            "synth needs --requests >= 0, --customers >= 1, --mechanics >= 1 "
            "and an end date on or after the start date"
        )
    engine = writable_engine(url)
    try:
        if engine.dialect.name == spark.BACKEND:
            return spark_tables.load_frames(
                engine, _frames(plan), schema_name, replace, location, mask_url(url)
            )
        bulk.clear_target(engine, schema.metadata, schema_name, replace, mask_url(url))
        with engine.begin() as conn:
            bulk.create_tables(conn, schema.metadata, schema_name, indexes=False)
        counts = {"session_requests": 0}
        for first in range(0, plan.requests, CHUNK):
            with engine.begin() as conn:
                chunk = requests_chunk(plan, first, min(CHUNK, plan.requests - first))
                counts["session_requests"] += bulk.append(
                    conn, schema.session_requests, chunk, schema_name
                )
        with engine.begin() as conn:
            counts["mechanics"] = bulk.append(
                conn, schema.mechanics, mechanics_frame(plan), schema_name
            )
            counts["organizations"] = bulk.append(
                conn, schema.organizations, organizations_frame(plan), schema_name
            )
        counts["profiles"] = 0
        for frame in profiles_frames(plan):
            with engine.begin() as conn:
                counts["profiles"] += bulk.append(conn, schema.profiles, frame, schema_name)
        with engine.begin() as conn:
            bulk.create_indexes(conn, schema.metadata, schema_name)
        return counts
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        raise AnalysisError(f"cannot write synthetic data into {mask_url(url)}: {reason}") from None
    finally:
        engine.dispose()
