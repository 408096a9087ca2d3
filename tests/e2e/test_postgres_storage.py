"""PostgreSQL as the live world has it: naive, aware and text timestamps under a session time
zone far from UTC, enum-typed categories, uuid ids beside text ids, views and materialized
views for tables, and a table locked by another session (the run stops at the time limit).

Runs when ANALYSIS_TEST_POSTGRES_URL names a throwaway database (skips without it, fails when
it is set and unreachable: ``tests/engines.py``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from engines import database, load_demo_into
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runs import analysis_cli
from stored import AROUND_EDGES, STATUSES, expected_counts, found_counts, requests_frame, store

from analysis import investigate
from analysis.source.dialect import AWARE, NAIVE, TEXT

REFERENCE = ("2025-10-29", "2025-11-06")
VOLATILE = ("generated_at", "database")
moments = st.sampled_from(AROUND_EDGES)
requests = st.lists(st.tuples(moments, st.sampled_from(STATUSES)), max_size=15)


@pytest.fixture
def session_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new PostgreSQL session (libpq reads PGTZ) in a zone far from UTC."""
    monkeypatch.setenv("PGTZ", "Asia/Kolkata")


@pytest.mark.parametrize(
    ("time_type", "write", "kind"),
    [
        ("timestamp", lambda m: m.replace(tzinfo=None), NAIVE),
        ("timestamptz", None, AWARE),
        ("text", lambda m: m.isoformat(), TEXT),
    ],
)
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=requests)
def test_timestamps_count_like_pandas_whatever_the_session_zone(
    tmp_path: Path, session_zone, time_type, write, kind, drawn
) -> None:
    frame = requests_frame([m for m, _ in drawn], [s for _, s in drawn])
    with database("postgresql", tmp_path) as (url, schema):
        store(url, frame, time_type, write, schema)
        assert found_counts(url, schema) == expected_counts(frame)


def _reference() -> dict:
    f = investigate(*REFERENCE, db=None)  # the SQLite demo database
    return {k: v for k, v in f.to_dict().items() if k not in VOLATILE}


def test_enums_uuid_and_text_ids_and_views_give_the_same_findings(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as (url, schema):
        load_demo_into(url, schema)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            s = f'"{schema}"'
            for column in ("status", "session_type", "routing_type"):
                values = [
                    r[0]
                    for r in conn.execute(
                        sa.text(
                            f"SELECT DISTINCT {column} FROM {s}.session_requests "
                            f"WHERE {column} IS NOT NULL"
                        )
                    )
                ]
                labels = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
                conn.execute(sa.text(f"CREATE TYPE {s}.{column}_t AS ENUM ({labels})"))
                conn.execute(
                    sa.text(f"ALTER TABLE {s}.session_requests ALTER {column} DROP DEFAULT")
                )
                conn.execute(
                    sa.text(
                        f"ALTER TABLE {s}.session_requests ALTER {column} TYPE {s}.{column}_t "
                        f"USING {column}::{s}.{column}_t"
                    )
                )
            # mechanics' and organizations' ids as text, requests' as uuid
            for table in ("mechanics", "organizations"):
                conn.execute(sa.text(f"ALTER TABLE {s}.{table} ALTER id TYPE text USING id::text"))
            conn.execute(sa.text(f"ALTER TABLE {s}.session_requests RENAME TO requests_base"))
            conn.execute(
                sa.text(f"CREATE VIEW {s}.session_requests AS SELECT * FROM {s}.requests_base")
            )
            conn.execute(sa.text(f"ALTER TABLE {s}.profiles RENAME TO profiles_base"))
            conn.execute(
                sa.text(f"CREATE MATERIALIZED VIEW {s}.profiles AS SELECT * FROM {s}.profiles_base")
            )
        engine.dispose()
        found = investigate(*REFERENCE, db=url, schema=schema)
        document = {k: v for k, v in found.to_dict().items() if k not in VOLATILE}
        assert found.to_dict()["requests"]["total"] == 43
        assert json.dumps(document, sort_keys=True, default=str) == json.dumps(
            _reference(), sort_keys=True, default=str
        )
        assert len(found.requests(status="cancelled")) == 36  # as from the demo database
        assert len(found.requests(anomaly=True)) == found.to_dict()["flagged_requests"]


def test_a_locked_table_stops_the_run_at_the_time_limit(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as (url, schema):
        load_demo_into(url, schema)
        holder = sa.create_engine(url)
        with holder.connect() as conn:
            transaction = conn.begin()
            conn.execute(
                sa.text(f'LOCK TABLE "{schema}".session_requests IN ACCESS EXCLUSIVE MODE')
            )
            began = time.monotonic()
            result = analysis_cli(
                "run",
                *("--start", REFERENCE[0], "--end", REFERENCE[1]),
                *("--db", url, "--schema", schema, "--out", str(tmp_path / "out")),
                *("--query-timeout", "2"),
            )
            took = time.monotonic() - began
            transaction.rollback()
        holder.dispose()
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "lock_timeout" in lines[0] and "1.8 seconds" in lines[0]
    assert took < 60
    assert not (tmp_path / "out" / "2025-10-29_2025-11-06").exists()
