"""A database URL's password reaches no output file, log or message.

Runs against a PostgreSQL server: $ANALYSIS_TEST_POSTGRES_URL (any database on it; the test
creates and drops its own), else the local server at 127.0.0.1:5432 as user postgres (trust
authentication ignores the password, so a URL holding one still connects).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

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
