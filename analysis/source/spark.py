"""Spark SQL through the Spark Thrift Server, with PyHive's ``hive://`` SQLAlchemy dialect.

What PyHive needs to serve this package (its SQL rules are in ``dialect.py``, like every
engine's):

- **table names**: PyHive reads the first column of ``SHOW TABLES``, which on Spark is the
  database name (Spark answers ``namespace, tableName, isTemporary``): the schema check would
  find every table missing. ``SparkDialect`` reads ``tableName`` when there is one, and is
  registered as the ``hive`` dialect when this module is imported (``engine.py`` does).
- **UTC**: PyHive sends datetimes without an offset, so the session must run in UTC; the
  Thrift Server only takes the setting with the ``set:hiveconf:`` prefix.
- **a connect timeout**: PyHive has none (an unreachable host hangs for minutes), so the
  socket is tried first, for ``timeout`` seconds.
- **read-only**: Spark has no read-only sessions or transactions. The package sends nothing
  but ``SELECT`` (and ``SHOW TABLES`` for the schema check; ``tests/e2e/test_spark.py``
  records every statement of a full investigation and drill-down); give it an account that
  may only ``SELECT``.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL, Connection, Engine

from analysis.errors import AnalysisError

BACKEND = "hive"
DEFAULT_PORT = 10000
UTC_SESSION = {"set:hiveconf:spark.sql.session.timeZone": "UTC"}

try:
    from pyhive.sqlalchemy_hive import HiveDialect
except ImportError:  # the [spark] extra is not installed
    HiveDialect = None


def missing_driver() -> AnalysisError:
    return AnalysisError(
        "hive:// (Spark Thrift Server) needs PyHive: pip install 'session-analysis[spark]' "
        "(or run `make spark`, which installs it)"
    )


if HiveDialect is not None:

    class SparkDialect(HiveDialect):  # type: ignore[misc,valid-type]
        """PyHive's dialect, reading table names from the column Spark puts them in."""

        name = BACKEND
        supports_statement_cache = False

        @classmethod
        def import_dbapi(cls) -> Any:
            return super().import_dbapi()

        def _get_default_schema_name(self, connection: Connection) -> str:
            # The URL's database (the session's current one): without it, a query whose tables
            # name no schema (no --schema) could not be compiled.
            return str(connection.exec_driver_sql("SELECT current_database()").scalar())

        def get_table_names(
            self, connection: Connection, schema: str | None = None, **kw: Any
        ) -> list[str]:
            query = "SHOW TABLES"
            if schema:
                query += " IN " + self.identifier_preparer.quote_identifier(schema)
            result = connection.execute(text(query))
            keys = list(result.keys())
            column = keys.index("tableName") if "tableName" in keys else 0
            return [row[column] for row in result if not _temporary(keys, row)]

    def _temporary(keys: list[str], row: Any) -> bool:
        return "isTemporary" in keys and bool(row[keys.index("isTemporary")])

    registry.register(BACKEND, __name__, "SparkDialect")


def require_reachable(url: URL, timeout: float, shown: str) -> None:
    """Fail in ``timeout`` seconds with one line when nothing listens at ``url``'s host and
    port (PyHive itself would wait for minutes). ``shown`` is the masked URL."""
    if HiveDialect is None:
        raise missing_driver()
    host, port = url.host or "localhost", url.port or DEFAULT_PORT
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise AnalysisError(
            f"cannot connect to {shown}: {host}:{port} {reason} (after {timeout:g} s at most). "
            "Check the URL (--db or $ANALYSIS_DATABASE_URL) and that the Spark Thrift Server "
            "is running (`make spark` starts a local one)"
        ) from None


def first_contact(engine: Engine, timeout: float, url: URL) -> None:
    """Open a session and run ``SELECT 1`` within ``timeout`` seconds, else one line: a
    server that accepts the socket but never answers (or is not a Thrift Server) would
    otherwise hang PyHive. The session goes back to the engine's pool for the next use."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            outcome.append(None)
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=attempt, name="spark-first-contact", daemon=True)
    worker.start()
    worker.join(timeout)
    shown = url.render_as_string(hide_password=True)
    if outcome == [None]:
        return
    engine.dispose()
    if not outcome:
        raise AnalysisError(
            f"cannot connect to {shown}: no answer within {timeout:g} s. Check that the URL "
            "names a Spark Thrift Server (--db or $ANALYSIS_DATABASE_URL)"
        )
    failure = outcome[0]
    lines = str(getattr(failure, "orig", failure)).strip().splitlines()
    reason = lines[0] if lines else type(failure).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    raise AnalysisError(
        f"cannot connect to {shown}: {reason}. "
        "Check the URL (--db or $ANALYSIS_DATABASE_URL), the server and the credentials"
    )


def connect_args() -> dict[str, Any]:
    """PyHive's ``connect_args``: the session in UTC."""
    return {"configuration": dict(UTC_SESSION)}
