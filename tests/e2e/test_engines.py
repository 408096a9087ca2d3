"""The same findings on SQLite, DuckDB, PostgreSQL and Spark, and never a write to the source
(Spark, which has no read-only sessions: nothing but SELECT is sent, tests/e2e/test_spark.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from engines import ENGINES, WITH_SPARK, database, load_demo_into

from analysis import investigate
from analysis.period import Period
from analysis.runs.runner import run_report
from analysis.source.engine import connect
from analysis.source.schema import session_requests

REFERENCE = Period.parse("2025-10-29", "2025-11-06")
VOLATILE = ("generated_at", "database")


def comparable(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in VOLATILE}


@pytest.fixture(scope="module")
def sqlite_reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("sqlite-ref")
    with database("sqlite", tmp) as (url, schema):
        load_demo_into(url, schema)
        folder = run_report(REFERENCE, tmp / "out", db=url, schema=schema)
        return json.loads((folder / "findings.json").read_text())


@pytest.mark.parametrize("engine", ["duckdb", "postgresql", "spark"])
def test_runner_gives_the_same_findings_json(engine, tmp_path, sqlite_reference) -> None:
    with database(engine, tmp_path) as (url, schema):
        load_demo_into(url, schema)
        folder = run_report(REFERENCE, tmp_path / "out", db=url, schema=schema)
        document = json.loads((folder / "findings.json").read_text())
    assert comparable(document) == comparable(sqlite_reference)
    assert document["requests"]["by_status"] == {"cancelled": 36, "completed": 6, "pending": 1}
    assert document["response_minutes"]["mean"] == 4.83


@pytest.mark.parametrize("engine", WITH_SPARK)
def test_reference_figures_on_every_engine(engine, tmp_path) -> None:
    """Every figure of docs/reference/README.md, through the library on each engine."""
    with database(engine, tmp_path) as (url, schema):
        load_demo_into(url, schema)
        d = investigate("2025-10-29", "2025-11-06", db=url, schema=schema).to_dict()
    assert d["requests"]["total"] == 43
    assert d["requests"]["by_type"] == {"chat": 37, "video": 3, "diagnostic": 3}
    assert (d["requests"]["first_at"], d["requests"]["last_at"]) == (
        "2025-10-29T00:45:48-04:00",
        "2025-11-06T14:05:57-05:00",
    )
    assert d["assignment"] == {
        "assigned": 13,
        "never_assigned": 30,
        "mechanics_involved": 3,
        "mechanics_on_record": 7,
    }
    assert {m["mechanic_id"][:8]: m["by_status"] for m in d["mechanics"]} == {
        "c62837da": {"completed": 4, "cancelled": 1},
        "2750cdea": {"cancelled": 6},
        "0d887221": {"cancelled": 2},
    }
    assert d["response_minutes"] | {"excluded_negative": 0} == {
        "count": 13,
        "mean": 4.83,
        "median": 1.51,
        "min": 0.47,
        "max": 29.38,
        "excluded_negative": 0,
    }
    assert [
        (
            c["requests"],
            c["by_status"].get("completed", 0),
            c["by_status"]["cancelled"],
            c["by_status"].get("pending", 0),
        )
        for c in d["customers"]
    ] == [(33, 3, 29, 1), (9, 3, 6, 0), (1, 0, 1, 0)]
    assert d["cancellations"] == {"total": 36, "before_assignment": 27, "after_assignment": 9}
    assert d["routing"] == {
        "by_type": {"broadcast": 43},
        "workshop_served": 5,
        "preferred_workshop": 0,
    }
    assert [m[:8] for m in d["incomplete_mechanics"]] == ["0d887221", "2750cdea", "99c254c1"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(url: str, schema: str | None) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(schema_translate_map={None: schema})
            rows = conn.execute(
                sa.select(
                    session_requests.c.id, session_requests.c.status, session_requests.c.accepted_at
                ).order_by(session_requests.c.id)
            ).all()
            return [tuple(map(str, r)) for r in rows]
    finally:
        engine.dispose()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_run_leaves_the_source_unchanged(engine, tmp_path) -> None:
    with database(engine, tmp_path) as (url, schema):
        load_demo_into(url, schema)
        file = Path(sa.make_url(url).database or "")
        before = _digest(file) if engine != "postgresql" else _fingerprint(url, schema)
        run_report(REFERENCE, tmp_path / "out", db=url, schema=schema)
        after = _digest(file) if engine != "postgresql" else _fingerprint(url, schema)
        assert after == before


@pytest.mark.parametrize("engine", ENGINES)
def test_writes_through_the_package_connection_fail(engine, tmp_path) -> None:
    with database(engine, tmp_path) as (url, schema):
        load_demo_into(url, schema)
        before = _fingerprint(url, schema)
        with connect(url, schema) as conn, pytest.raises(sa.exc.DBAPIError) as failure:
            conn.execute(session_requests.update().values(status="completed"))
            conn.commit()
        assert "read" in str(failure.value).lower()  # read-only / readonly
        assert _fingerprint(url, schema) == before
        assert len(before) == 43
