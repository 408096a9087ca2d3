"""The platform's tables, as far as this analysis needs them (see SCHEMA.md), declared once.

The same declaration creates the demo database and describes the live one; the live schema
name (``public`` on the platform) is applied at execution time with ``schema_translate_map``,
so the tables here carry no schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A ``timestamptz`` that is always UTC-aware in Python.

    SQLite stores naive text and ignores a bound value's offset, so values are converted to
    UTC on the way in and tagged UTC on the way out: timestamps are UTC inside the package.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite aggregates (min/max) come back as text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class UUIDText(sa.types.TypeDecorator[str]):
    """A UUID, handled as its canonical dashed string.

    Native ``uuid`` where the database has one; dashed text elsewhere (SQLAlchemy's generic
    ``Uuid`` would store 32 hex digits on SQLite, which a text fallback key would then show).
    """

    impl = sa.String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        if dialect.name == "duckdb":
            return dialect.type_descriptor(sa.Uuid(as_uuid=False))
        return dialect.type_descriptor(sa.String(36))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)


metadata = sa.MetaData()

session_requests = sa.Table(
    "session_requests",
    metadata,
    sa.Column("id", UUIDText, primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("customer_id", UUIDText, nullable=False),
    sa.Column("customer_email", sa.Text),
    sa.Column("customer_name", sa.Text),
    sa.Column("mechanic_id", UUIDText),
    sa.Column("session_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("accepted_at", UTCDateTime),
    sa.Column("workshop_id", UUIDText),
    sa.Column("preferred_workshop_id", UUIDText),
    sa.Column("routing_type", sa.Text, server_default="broadcast"),
    # Optional: in the live schema, absent from the demo CSVs (OPTIONAL_COLUMNS).
    sa.Column("customer_city", sa.Text),
    sa.Column("is_urgent", sa.Boolean),
    sa.Column("plan_code", sa.Text),
    sa.Column("expires_at", UTCDateTime),
    sa.Index("ix_session_requests_created_at", "created_at"),
)

mechanics = sa.Table(
    "mechanics",
    metadata,
    sa.Column("id", UUIDText, primary_key=True),
    sa.Column("user_id", UUIDText),
    sa.Column("name", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("province", sa.Text),
    sa.Column("postal_code", sa.Text),
    sa.Column("country", sa.Text),
    sa.Column("years_of_experience", sa.Integer),
    sa.Column("red_seal_certified", sa.Boolean),
    sa.Column("account_type", sa.Text),
    sa.Column("service_tier", sa.Text),
    sa.Column("workshop_id", UUIDText),
    sa.Column("is_available", sa.Boolean),
    sa.Column("created_at", UTCDateTime),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("id", UUIDText, primary_key=True),
    sa.Column("email", sa.Text),
    sa.Column("full_name", sa.Text),
    sa.Column("role", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("province", sa.Text),
    sa.Column("postal_code", sa.Text),
    sa.Column("country", sa.Text),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("account_type", sa.Text),
    sa.Column("created_at", UTCDateTime),
    sa.Column("deleted_at", UTCDateTime),
)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("id", UUIDText, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("organization_type", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("province", sa.Text),
    sa.Column("postal_code", sa.Text),
    sa.Column("country", sa.Text),
    sa.Column("status", sa.Text),
    sa.Column("mechanic_capacity", sa.Integer),
    sa.Column("created_at", UTCDateTime),
)

# The columns the package reads, per table: what the schema check requires of a live database
# and what a snapshot copies. Extra columns in the database are fine.
USED_COLUMNS: dict[str, tuple[str, ...]] = {
    "session_requests": (
        "id",
        "created_at",
        "customer_id",
        "customer_email",
        "mechanic_id",
        "session_type",
        "status",
        "accepted_at",
        "workshop_id",
        "preferred_workshop_id",
        "routing_type",
    ),
    "mechanics": (
        "id",
        "name",
        "email",
        "phone",
        "city",
        "province",
        "postal_code",
        "years_of_experience",
        "red_seal_certified",
        "account_type",
        "workshop_id",
    ),
    "profiles": (
        "id",
        "email",
        "full_name",
        "phone",
        "city",
        "province",
        "postal_code",
        "latitude",
        "longitude",
        "deleted_at",
    ),
    "organizations": ("id", "name"),
}

# Columns read when the source has them and never required: the schema check ignores them,
# the analyses needing one are skipped (and the report says so) where it is missing.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "session_requests": ("customer_city", "is_urgent", "plan_code", "expires_at"),
}
