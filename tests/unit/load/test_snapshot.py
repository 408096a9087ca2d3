"""Snapshots: a live database copied into a local DuckDB file, read-only at the source, with
the columns the package uses only, a record of where it came from, and reports that say so."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from engines import database, load_demo_into
from rows import PERIOD, fill, request
from runs import analysis_cli

from analysis import investigate
from analysis.errors import AnalysisError
from analysis.load.snapshot import take_snapshot, used_metadata
from analysis.source import schema
from analysis.source.provenance import snapshot_range
from analysis.source.urls import DEMO_DB

DEMO_URL = f"sqlite:///{DEMO_DB}"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def period_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database's reference period, snapshotted."""
    target = tmp_path_factory.mktemp("snap") / "period.duckdb"
    take_snapshot(DEMO_URL, target, PERIOD, show_progress=False)
    return target


def test_snapshot_gives_the_same_findings(period_snapshot: Path) -> None:
    before = digest(DEMO_DB)
    live = investigate("2025-10-29", "2025-11-06", db=DEMO_URL).to_dict()
    local = investigate("2025-10-29", "2025-11-06", db=f"duckdb:///{period_snapshot}").to_dict()
    assert digest(DEMO_DB) == before  # the source is only read
    for key in ("requests", "assignment", "response_minutes", "cancellations", "routing"):
        assert local[key] == live[key], key
    assert local["requests"]["total"] == 43
    assert local["mechanics"] == live["mechanics"]


def _columns(path: Path) -> dict[str, set[str]]:
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    # information_schema: duckdb-engine's inspector queries pg_catalog tables DuckDB lacks
    query = sa.text("SELECT column_name FROM information_schema.columns WHERE table_name = :t")
    try:
        with engine.connect() as conn:
            return {t: set(conn.execute(query, {"t": t}).scalars()) for t in schema.USED_COLUMNS}
    finally:
        engine.dispose()


def test_snapshot_holds_only_the_used_columns(period_snapshot: Path) -> None:
    # The demo database has the optional request columns (empty), so they are copied too.
    optional = set(schema.OPTIONAL_COLUMNS["session_requests"])
    for table, columns in _columns(period_snapshot).items():
        extra = optional if table == "session_requests" else set()
        assert columns == set(schema.USED_COLUMNS[table]) | extra, table


def test_optional_columns_the_source_lacks_are_not_invented(tmp_path: Path) -> None:
    source = fill(tmp_path / "bare.db", {"session_requests": [request()]}, used_metadata())
    target = tmp_path / "bare.duckdb"
    take_snapshot(source, target, show_progress=False)
    assert _columns(target)["session_requests"] == set(schema.USED_COLUMNS["session_requests"])


def test_reports_name_the_snapshot_and_its_period(period_snapshot: Path) -> None:
    findings = investigate("2025-10-29", "2025-11-06", db=f"duckdb:///{period_snapshot}")
    assert findings.database.startswith("snapshot (duckdb file period.duckdb) of ")
    assert "requests 2025-10-29 to 2025-11-06 only" in findings.database


def test_previous_period_outside_the_snapshot_is_not_compared(period_snapshot: Path) -> None:
    from analysis.report.sections import comparison_table, what_changed_text

    findings = investigate("2025-10-29", "2025-11-06", db=f"duckdb:///{period_snapshot}")
    text = what_changed_text(findings)
    assert text.startswith("No comparison with the previous 9 days")
    assert "the snapshot holds requests from 2025-10-29 to 2025-11-06 only" in text
    assert "no requests" not in text.lower()
    table = comparison_table(findings)
    assert set(table.iloc[:, 2]) == {"not in the data"}
    data = findings.to_dict()
    assert data["previous_period"]["unavailable"]
    assert "figures" not in data["previous_period"] and data["comparison"] == []


def test_whole_database_snapshot_compares_with_the_previous_period(tmp_path: Path) -> None:
    target = tmp_path / "whole.duckdb"
    take_snapshot(DEMO_URL, target, show_progress=False)
    findings = investigate("2025-10-29", "2025-11-06", db=f"duckdb:///{target}")
    assert findings.previous_unavailable is None
    data = findings.to_dict()
    assert "figures" in data["previous_period"] and data["comparison"]
    assert "unavailable" not in data["previous_period"]


def test_a_period_outside_the_snapshot_is_refused(period_snapshot: Path) -> None:
    with pytest.raises(AnalysisError, match="holds requests from 2025-10-29 to 2025-11-06"):
        investigate("2025-11-01", "2025-11-30", db=f"duckdb:///{period_snapshot}")


def test_snapshot_of_postgresql_masks_the_password(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as (url, schema_name):
        load_demo_into(url, schema_name)
        # trust auth ignores the password: it is there to be masked
        with_password = sa.make_url(url).set(password="s3cret-pw")
        target = tmp_path / "pg.duckdb"
        counts = take_snapshot(
            with_password.render_as_string(hide_password=False),
            target,
            PERIOD,
            schema_name,
            show_progress=False,
        )
    assert counts["session_requests"] == 43
    findings = investigate("2025-10-29", "2025-11-06", db=f"duckdb:///{target}")
    assert "s3cret-pw" not in target.read_bytes().decode("latin-1")
    assert "s3cret-pw" not in findings.database and "postgresql" in findings.database
    engine = sa.create_engine(f"duckdb:///{target}", connect_args={"read_only": True})
    try:
        with engine.connect() as conn:
            assert snapshot_range(conn) is not None
    finally:
        engine.dispose()


def test_cli_snapshot_and_bad_target(tmp_path: Path) -> None:
    good = analysis_cli(
        "snapshot", "--from", DEMO_URL, "--to", str(tmp_path / "s.duckdb"),
        "--start", "2025-10-29", "--end", "2025-11-06",
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert "snapshot written to" in good.stdout and "43" in good.stdout
    bad = analysis_cli("snapshot", "--from", DEMO_URL, "--to", str(tmp_path / "s.db"))
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "must be a .duckdb file" in bad.stderr
    assert not (tmp_path / "s.db").exists()
    half = analysis_cli("snapshot", "--from", DEMO_URL, "--to", str(tmp_path / "t.duckdb"),
                        "--start", "2025-10-29")  # fmt: skip
    assert half.returncode == 2 and "give both --start and --end" in half.stderr


def test_profile_audit_names_the_snapshot_and_keeps_to_its_period(period_snapshot: Path) -> None:
    from analysis.investigation.audit import audit

    url = f"duckdb:///{period_snapshot}"
    result = audit("2025-10-29", "2025-11-06", db=url)
    assert result.database.startswith("snapshot (duckdb file period.duckdb) of ")
    with pytest.raises(AnalysisError, match="holds requests from 2025-10-29 to 2025-11-06"):
        audit("2025-10-01", "2025-10-31", db=url)
