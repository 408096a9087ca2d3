"""A database URL's secrets (its password, and password-like query parameters) reach no
output file, log, failure record, snapshot or message.

Runs against a PostgreSQL server: $ANALYSIS_TEST_POSTGRES_URL (any database on it; the test
creates and drops its own), else the local server at 127.0.0.1:5432 as user postgres (trust
authentication ignores the password, so a URL holding one still connects).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from runs import Run, analysis_cli, batch, written_files
from sqlalchemy.engine import URL, make_url

from analysis.load.demo import load_tables

PASSWORD = "S3cretPassw0rd"
LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ENV = "ANALYSIS_TEST_POSTGRES_URL"


def server() -> URL:
    """The admin URL; skips (saying how to enable the test) when no server can be reached."""
    configured = os.environ.get(ENV)
    url = make_url(configured or LOCAL_SERVER)
    if configured:
        return url  # configured: never skip, a connection failure is a failure
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.SQLAlchemyError:
        pytest.skip(
            f"no PostgreSQL server at 127.0.0.1:5432 (user postgres, trust authentication): "
            f"start one, or set {ENV}=postgresql+psycopg://user:password@host:port/db"
        )
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def secret_url() -> Iterator[str]:
    """A throwaway database holding the demo data; its URL carries a password."""
    admin_url = server()
    name = f"analysis_secret_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        own = admin_url.set(database=name)
        if not own.password:
            own = own.set(password=PASSWORD)
        engine = sa.create_engine(own)
        try:
            load_tables(engine)
        finally:
            engine.dispose()
        yield own.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def pg_batch(secret_url: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("pg")
    return batch(
        out,
        *("--start", "2025-11-03", "--end", "2025-11-09", "--every", "week"),
        *("--workers", "1", "--db", secret_url),
    )


def _password(url: str) -> str:
    password = make_url(url).password
    assert password
    return str(password)


def test_report_from_postgres(pg_batch: Run) -> None:
    assert pg_batch.code == 0, pg_batch.stderr
    findings = json.loads((pg_batch.out / "2025-11-03_2025-11-09" / "findings.json").read_text())
    assert findings["requests"]["total"] == 28  # as from the SQLite demo database
    assert findings["database"].startswith("postgresql database analysis_secret_")


def test_password_in_no_file_log_or_message(pg_batch: Run, secret_url: str) -> None:
    password = _password(secret_url)
    files = written_files(pg_batch.out)
    assert any(p.suffix == ".log" for p in files) and any(p.suffix == ".html" for p in files)
    for path in files:
        assert password.encode() not in path.read_bytes(), path
        assert secret_url.encode() not in path.read_bytes(), path
    assert password not in pg_batch.stdout + pg_batch.stderr


def test_password_not_in_connection_errors(secret_url: str, tmp_path) -> None:
    wrong = make_url(secret_url).set(database="no_such_database_here")
    url = wrong.render_as_string(hide_password=False)
    for command in ("run", "batch"):
        extra = ("--every", "week") if command == "batch" else ()
        result = analysis_cli(
            command,
            "--start",
            "2025-11-03",
            "--end",
            "2025-11-09",
            *extra,
            "--db",
            url,
            "--out",
            str(tmp_path / command),
        )
        assert result.returncode == 2
        assert "no_such_database_here" in result.stderr
        assert _password(secret_url) not in result.stdout + result.stderr
        assert not (tmp_path / command).exists()


# --- secrets in query parameters, a batch whose source fails mid-batch, snapshots ----------

QUERY_SECRET = "Qu3ryPassw0rd"
SSL_SECRET = "SslPassw0rdX"


def _with_parameters(url: str, **parameters: str) -> str:
    return make_url(url).update_query_dict(parameters).render_as_string(hide_password=False)


def _secrets(url: str) -> list[str]:
    parsed = make_url(url)
    found = [str(parsed.password)] if parsed.password else []
    return found + [v for k, v in parsed.query.items() if k in ("password", "sslpassword")]


def _no_secret_written(out: Path, url: str, result: subprocess.CompletedProcess | None) -> None:
    files = written_files(out)
    assert files
    for secret in _secrets(url):
        for path in files:
            assert secret.encode() not in path.read_bytes(), (secret, path)
        if result is not None:
            assert secret not in result.stdout + result.stderr


def test_password_as_a_query_parameter(secret_url: str, tmp_path: Path) -> None:
    """libpq takes ``?password=``: it is masked like the user's password."""
    bare = make_url(secret_url).set(password=None)
    url = _with_parameters(
        URL.create(
            bare.drivername, bare.username, None, bare.host, bare.port, bare.database
        ).render_as_string(hide_password=False),
        password=QUERY_SECRET,
        sslpassword=SSL_SECRET,
    )
    result = analysis_cli(
        "run", "--start", "2025-11-03", "--end", "2025-11-09", "--db", url, "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    _no_secret_written(tmp_path, url, result)
    wrong = _with_parameters(url, application_name="x").replace(
        make_url(url).database or "", "no_such_database_here"
    )
    failed = analysis_cli(
        "run", "--start", "2025-11-03", "--end", "2025-11-09", "--db", wrong, "--out", str(tmp_path)
    )
    assert failed.returncode == 2 and "***" in failed.stderr
    for secret in (QUERY_SECRET, SSL_SECRET):
        assert secret not in failed.stderr


def test_batch_whose_source_fails_mid_batch(secret_url: str, tmp_path: Path) -> None:
    """The first period is reported; then the requests table is locked by another session, so
    the later periods fail at the lock limit: no secret in the reports, logs, failure
    records, run.json, index.html or messages."""
    url = _with_parameters(secret_url, sslpassword=SSL_SECRET)
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "analysis", "batch", "--quiet", "--continue-on-error"]
    command += ["--start", "2025-10-27", "--end", "2025-11-23", "--every", "week"]
    command += ["--workers", "1", "--query-timeout", "3", "--db", url, "--out", str(out)]
    batch_process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    holder = sa.create_engine(secret_url)
    try:
        first = out / "2025-10-27_2025-11-02"
        deadline = time.monotonic() + 300
        while not first.is_dir() and batch_process.poll() is None:
            assert time.monotonic() < deadline, "the first period never finished"
            time.sleep(0.2)
        with holder.connect() as conn:
            transaction = conn.begin()
            conn.execute(sa.text("LOCK TABLE session_requests IN ACCESS EXCLUSIVE MODE"))
            stdout, stderr = batch_process.communicate(timeout=600)
            transaction.rollback()
    finally:
        if batch_process.poll() is None:
            batch_process.kill()
        holder.dispose()
    assert batch_process.returncode == 1, stderr
    failures = list(out.glob("*.failed.json"))
    assert failures, stderr
    assert "lock" in failures[0].read_text()
    assert (out / "index.html").is_file() and list(out.rglob("*.run.json"))
    result = subprocess.CompletedProcess(command, 1, stdout.decode(), stderr.decode())
    _no_secret_written(out, url, result)


def test_snapshot_keeps_only_the_masked_url(secret_url: str, tmp_path: Path) -> None:
    url = _with_parameters(secret_url, sslpassword=SSL_SECRET)
    target = tmp_path / "snap.duckdb"
    result = analysis_cli("snapshot", "--from", url, "--to", str(target))
    assert result.returncode == 0, result.stderr
    _no_secret_written(tmp_path, url, result)
    engine = sa.create_engine(f"duckdb:///{target}")
    with engine.connect() as conn:
        source = conn.execute(sa.text("SELECT source FROM analysis_snapshot")).scalar_one()
    engine.dispose()
    assert "***" in source and all(s not in source for s in _secrets(url))
