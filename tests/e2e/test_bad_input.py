"""Bad input: one clear message, a non-zero exit, nothing half-written; odd data: no crash."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from engines import postgres_url
from rows import MECHANIC_FIELDS, local, make_db, mechanic, profile, request

from analysis.cli import EXIT_BAD_INPUT, main
from analysis.period import Period
from analysis.runs.runner import run_report

PASSWORD = "Sup3rSecretPw"


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(["run", "--start", "2025-10-29", "--end", "2025-11-06", *args])
    return code, capsys.readouterr().err


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers: a hung server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_hung_server_times_out_with_a_message(silent_server: int, tmp_path: Path) -> None:
    url = f"postgresql+psycopg://analyst:{PASSWORD}@127.0.0.1:{silent_server}/platform"
    # A subprocess with a generous limit: a hang fails the test instead of stalling the suite.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "--start",
            "2025-10-29",
            "--end",
            "2025-11-06",
            "--db",
            url,
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_BAD_INPUT
    assert "cannot connect to postgresql+psycopg://analyst:***@127.0.0.1" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_refused_connection(capsys, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, err = run(
        capsys,
        "--db",
        f"postgresql+psycopg://a:{PASSWORD}@127.0.0.1:{port}/x",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == EXIT_BAD_INPUT
    assert "cannot connect" in err and PASSWORD not in err
    assert not (tmp_path / "out").exists()


def test_wrong_credentials(capsys, tmp_path: Path) -> None:
    server = sa.make_url(postgres_url())
    url = server.set(username="no_such_analyst", password=PASSWORD)
    code, err = run(
        capsys, "--db", url.render_as_string(hide_password=False), "--out", str(tmp_path / "out")
    )
    assert code == EXIT_BAD_INPUT
    assert "cannot connect" in err and "no_such_analyst" in err
    assert PASSWORD not in err
    assert not (tmp_path / "out").exists()


def test_missing_duckdb_file_is_not_created(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "absent.duckdb"
    code, err = run(capsys, "--db", f"duckdb:///{missing}", "--out", str(tmp_path / "out"))
    assert code == EXIT_BAD_INPUT
    assert "does not exist" in err
    assert not missing.exists()


def test_missing_tables_and_columns_named_together(capsys, tmp_path: Path) -> None:
    path = tmp_path / "partial.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE session_requests (id TEXT, created_at TEXT, x TEXT)"))
        conn.execute(sa.text("CREATE TABLE mechanics (id TEXT, name TEXT)"))
    engine.dispose()
    code, err = run(capsys, "--db", f"sqlite:///{path}", "--out", str(tmp_path / "out"))
    assert code == EXIT_BAD_INPUT
    assert len(err.strip().splitlines()) == 1
    for missing in (
        "table profiles",
        "table organizations",
        "column session_requests.status",
        "column session_requests.accepted_at",
        "column mechanics.city",
    ):
        assert missing in err
    assert "column session_requests.x" not in err  # extra columns are fine
    assert not (tmp_path / "out").exists()


def test_future_period(capsys, tmp_path: Path) -> None:
    code = main(
        ["run", "--start", "2999-01-01", "--end", "2999-01-31", "--out", str(tmp_path / "out")]
    )
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "entirely in the future" in err
    assert not (tmp_path / "out").exists()


def test_nulls_everywhere_the_schema_allows(tmp_path: Path) -> None:
    """Every nullable column NULL, in requests, mechanics and profiles: the report renders."""
    customer = "0af3d300-cbca-4019-baa6-e92e402ccd1b"
    url = make_db(
        tmp_path,
        requests=[
            request(
                created_at=local(2025, 10, 30, 9),
                customer_id=customer,
                status="cancelled",
                routing_type=None,
            ),
            request(
                created_at=local(2025, 10, 31, 9),
                customer_id=customer,
                status="completed",
                routing_type=None,
            ),
        ],
        mechanics=[mechanic(**dict.fromkeys(MECHANIC_FIELDS))],
        profiles=[
            profile(
                id=customer,
                email=None,
                full_name=None,
                phone=None,
                city=None,
                latitude=None,
                longitude=None,
            )
        ],
    )
    folder = run_report(Period.parse("2025-10-29", "2025-11-06"), tmp_path / "out", db=url)
    document = json.loads((folder / "findings.json").read_text())
    assert document["requests"]["total"] == 2
    assert document["routing"]["by_type"] == {"none": 2}
    assert document["customers"][0]["customer"] == customer  # falls back to the id
    assert document["response_minutes"]["count"] == 0
    assert document["unknown_values"] == {"routing_type": {"NULL": 2}}
    html = (folder / "session_investigation.html").read_text()
    assert "Unexpected values" in html and "no request was accepted" in html


def test_accepted_before_created_is_counted_not_a_crash(tmp_path: Path) -> None:
    url = make_db(
        tmp_path,
        requests=[
            request(created_at=local(2025, 10, 30, 9), accepted_at=local(2025, 10, 30, 8, 58)),
            request(created_at=local(2025, 10, 30, 10), accepted_at=local(2025, 10, 30, 10, 3)),
        ],
    )
    folder = run_report(Period.parse("2025-10-29", "2025-11-06"), tmp_path / "out", db=url)
    minutes = json.loads((folder / "findings.json").read_text())["response_minutes"]
    assert minutes == {
        "count": 1,
        "excluded_negative": 1,
        "mean": 3.0,
        "median": 3.0,
        "min": 3.0,
        "max": 3.0,
    }
    assert "accepted before it was created" in (folder / "session_investigation.html").read_text()


def test_empty_period_renders_and_says_so(tmp_path: Path) -> None:
    folder = run_report(Period.parse("2024-01-01", "2024-01-07"), tmp_path / "out")
    document = json.loads((folder / "findings.json").read_text())
    assert document["requests"]["total"] == 0
    assert document["customers"] == [] and document["mechanics"] == []
    assert document["response_minutes"]["mean"] is None
    assert document["verdict"]["test_data"] is None
    html = (folder / "session_investigation.html").read_text()
    assert "There were no session requests in this period" in html
