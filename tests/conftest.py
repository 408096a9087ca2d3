"""Hand-built SQLite databases: the package's schema, filled with rows whose answers are known."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from analysis import schema

Rows = dict[str, list[dict[str, Any]]]


def at(text: str) -> datetime:
    """``"2025-11-03 10:00"`` as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def request(rid: str, **fields: Any) -> dict[str, Any]:
    """A session_requests row: defaults for everything the test doesn't care about."""
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


@pytest.fixture
def make_db(tmp_path: Path) -> Iterator[Callable[..., str]]:
    counter = iter(range(1000))

    def build(rows: Rows, metadata: sa.MetaData = schema.metadata) -> str:
        return fill(tmp_path / f"db{next(counter)}.db", rows, metadata)

    yield build
