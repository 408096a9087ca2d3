"""Spark SQL through the Thrift Server: nothing but reads, loading, replacing, snapshots.

The figures themselves are compared with the other engines' in test_engines.py,
test_drilldown_engines.py and test_root_causes.py (``WITH_SPARK``). These tests need
``ANALYSIS_TEST_SPARK_URL`` (``make spark``); without it they skip and say how to run them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from engines import database, load_demo_into
from sqlalchemy import event

from analysis import investigate, requests
from analysis.cli import main
from analysis.load import spark_tables
from analysis.load.bulk import writable_engine
from analysis.source import schema

START, END = "2025-10-29", "2025-11-06"
# What a statement may start with, once identifiers and string literals are blanked out, and
# the words none may hold.
READS = re.compile(r"^\s*(SELECT|WITH|SHOW TABLES)\b", re.IGNORECASE)
WRITES = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|CACHE|UNCACHE|REFRESH|SET|"
    r"LOAD|MSCK|ADD|GRANT|REVOKE|USE)\b",
    re.IGNORECASE,
)


def _words(statement: str) -> str:
    """``statement`` with quoted identifiers and string literals blanked out."""
    return re.sub(r"`[^`]*`|'(?:[^'\\]|\\.)*'", " ", statement)


@contextmanager
def recorded() -> Iterator[list[str]]:
    """Every statement any engine sends while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", record)


def test_an_investigation_and_its_drill_down_send_only_reads(tmp_path) -> None:
    with database("spark", tmp_path) as (url, name):
        load_demo_into(url, name)
        with recorded() as statements:
            f = investigate(START, END, db=url, schema=name)
            f.requests()
            f.requests(anomaly=True, status="cancelled")
            requests(START, END, db=url, schema=name, customer="cust1@test.com")
    assert len(statements) > 30
    kinds = {_words(s).split()[0].upper() for s in statements}
    assert kinds <= {"SELECT", "WITH", "SHOW"}
    assert [s for s in statements if not READS.match(s)] == []
    assert [s for s in statements if WRITES.search(_words(s))] == []


def test_load_demo_refuses_existing_tables_and_replaces_them(tmp_path, capsys) -> None:
    with database("spark", tmp_path) as (url, name):
        assert main(["load-demo", "--db", url, "--schema", name]) == 0
        assert main(["load-demo", "--db", url, "--schema", name]) == 2
        assert "already has table(s) mechanics, organizations, profiles, session_requests" in (
            capsys.readouterr().err
        )
        assert main(["load-demo", "--db", url, "--schema", name, "--replace"]) == 0
        engine = writable_engine(url)
        try:
            with engine.connect() as conn:
                conn = conn.execution_options(schema_translate_map={None: name})
                count = sa.select(sa.func.count()).select_from(schema.session_requests)
                assert conn.execute(count).scalar_one() == 43
                # Parquet tables, not rows inserted one by one.
                described = conn.execute(
                    sa.text(f"DESCRIBE TABLE EXTENDED `{name}`.`session_requests`")
                ).all()
        finally:
            engine.dispose()
        assert ("Provider", "parquet", "") in [tuple(r) for r in described]
        folder = spark_tables.DEFAULT_LOCATION / name / "session_requests"
        assert sorted(p.name for p in folder.glob("*.parquet")) == ["part-00000.parquet"]
    assert not (spark_tables.DEFAULT_LOCATION / name).exists()


def test_synthetic_data_in_chunks_of_parquet(tmp_path, monkeypatch) -> None:
    from analysis.load import synth

    monkeypatch.setattr(synth, "CHUNK", 400)
    with database("spark", tmp_path) as (url, name):
        assert main(["synth", "--db", url, "--schema", name, "--requests", "1000"]) == 0
        folder = spark_tables.DEFAULT_LOCATION / name / "session_requests"
        assert len(list(folder.glob("*.parquet"))) == 3
        d = investigate("2025-01-01", "2025-12-31", db=url, schema=name).to_dict()
        assert d["requests"]["total"] == 1000


def test_a_snapshot_of_spark_gives_the_same_findings(tmp_path) -> None:
    with database("spark", tmp_path) as (url, name):
        load_demo_into(url, name)
        target = tmp_path / "snap.duckdb"
        assert main(["snapshot", "--from", url, "--schema", name, "--to", str(target)]) == 0
        on_spark = investigate(START, END, db=url, schema=name).to_dict()
    on_snapshot = investigate(START, END, db=f"duckdb:///{target}").to_dict()
    volatile = ("generated_at", "database")
    assert {k: v for k, v in on_snapshot.items() if k not in volatile} == {
        k: v for k, v in on_spark.items() if k not in volatile
    }
    with duckdb.connect(str(target), read_only=True) as snap:
        assert (
            snap.execute("SELECT source FROM analysis_snapshot").fetchone()[0].startswith("hive://")
        )


def test_parquet_files_carry_the_schemas_types(tmp_path: Path) -> None:
    """No server needed: the files the tables are registered on."""
    frame = load_frame()
    written = spark_tables.write_parquet([frame], schema.session_requests, tmp_path / "t")
    assert written == len(frame) == 43
    with duckdb.connect() as duck:
        types = dict(
            duck.execute(
                f"SELECT name, type FROM parquet_schema('{tmp_path / 't' / '*.parquet'}')"
            ).fetchall()
        )
    assert types["created_at"] == "INT64" and types["status"] == "BYTE_ARRAY"
    assert types["is_urgent"] == "BOOLEAN"  # optional, absent from the CSV: NULLs of its type


def load_frame():
    from analysis.load.demo import read_csv_frame

    return read_csv_frame(schema.session_requests)


@pytest.fixture(autouse=True)
def _needs_pyhive(request: pytest.FixtureRequest) -> None:
    pytest.importorskip("pyhive", reason="the [spark] extra is not installed (make spark)")


def test_timestamps_stored_as_text_give_the_same_findings(tmp_path) -> None:
    """A ``session_requests`` view whose times are ISO-8601 text with an offset (as an
    export into Spark might hold them) counts exactly like the timestamp columns."""
    columns = [c.name for c in schema.session_requests.columns]
    as_text = {
        "created_at": "date_format(created_at, \"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\")",
        "accepted_at": 'date_format(accepted_at, "yyyy-MM-dd HH:mm:ss.SSSSSS")',
    }
    with database("spark", tmp_path) as (url, name):
        load_demo_into(url, name)
        stored = investigate(START, END, db=url, schema=name).to_dict()
        with writable_engine(url).begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE {name}.session_requests RENAME TO {name}.raw")
            select = ", ".join(f"{as_text.get(c, c)} AS {c}" for c in columns)
            conn.exec_driver_sql(
                f"CREATE VIEW {name}.session_requests AS SELECT {select} FROM {name}.raw"
            )
        text = investigate(START, END, db=url, schema=name).to_dict()
    assert text["requests"] == stored["requests"]
    assert text["requests"]["total"] == 43
    assert text["response_minutes"] == stored["response_minutes"]
    assert text["anomalies"] == stored["anomalies"]


def test_the_urls_database_holds_the_tables_when_no_schema_is_given(tmp_path) -> None:
    with database("spark", tmp_path) as (url, name):
        load_demo_into(url, name)
        own = sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
        f = investigate(START, END, db=own)
    assert f.total == 43
