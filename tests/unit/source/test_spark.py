"""Spark (hive://) without a server: its SQL rules, its table names, its connect timeout."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import sqlalchemy as sa

pytest.importorskip("pyhive", reason="the [spark] extra is not installed (make spark)")

from analysis.cli import EXIT_BAD_INPUT, main
from analysis.errors import AnalysisError
from analysis.investigation.queries import QUERIES
from analysis.period import Period
from analysis.source import spark
from analysis.source.dialect import epoch_seconds, median
from analysis.source.engine import open_engine
from analysis.source.schema import session_requests as sr

PERIOD = Period.parse("2025-10-29", "2025-11-06")


def _sql(element: sa.ClauseElement) -> str:
    return str(element.compile(dialect=spark.SparkDialect()))


def test_epoch_seconds_and_median_in_spark_sql() -> None:
    assert _sql(epoch_seconds(sr.c.created_at)) == (
        "CAST(unix_micros(`session_requests`.`created_at`) AS DOUBLE) / 1000000.0"
    )
    assert _sql(median(sr.c.created_at)).startswith("percentile_cont(0.5) WITHIN GROUP")


def test_no_query_uses_what_spark_lacks() -> None:
    for name, builder in QUERIES.items():
        args = (PERIOD, frozenset()) if name == "failure_counts" else (PERIOD,)
        if name in ("mechanic_roster",):
            args = ()
        sql = _sql(builder(*args)).upper()
        assert "EXTRACT(EPOCH" not in sql, name
        assert "MATERIALIZED" not in sql, name


def test_the_hive_dialect_is_the_one_reading_spark_table_names() -> None:
    assert sa.create_engine("hive://127.0.0.1:10000/default").dialect.__class__ is (
        spark.SparkDialect
    )


def test_table_names_come_from_the_table_name_column() -> None:
    class Result:
        def keys(self) -> list[str]:
            return ["namespace", "tableName", "isTemporary"]

        def __iter__(self):
            return iter([("demo", "mechanics", False), ("demo", "session_requests", False)])

    class Connection:
        def execute(self, statement: sa.TextClause) -> Result:
            assert str(statement) == "SHOW TABLES IN `demo`"
            return Result()

    names = spark.SparkDialect().get_table_names(Connection(), schema="demo")  # type: ignore[arg-type]
    assert names == ["mechanics", "session_requests"]


def test_the_session_runs_in_utc() -> None:
    assert spark.connect_args() == {
        "configuration": {"set:hiveconf:spark.sql.session.timeZone": "UTC"}
    }


def test_nobody_listening_is_one_line_and_exit_2(capsys, tmp_path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(["run", "--start", "2025-10-29", "--end", "2025-11-06", "--out", str(tmp_path),
                 "--db", f"hive://analyst:Secret1@127.0.0.1:{port}/default"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert err.count("\n") == 1 and "cannot connect to hive://analyst:***@127.0.0.1" in err
    assert "Secret1" not in err and "make spark" in err


def test_a_server_that_never_answers_times_out_in_seconds(monkeypatch) -> None:
    monkeypatch.setattr("analysis.source.engine.CONNECT_TIMEOUT_SECONDS", 1)
    with socket.socket() as server:  # accepts the connection, never says a word
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        began = time.monotonic()
        with pytest.raises(AnalysisError, match=r"hive://127\.0\.0\.1:\d+/default: no answer"):
            open_engine(f"hive://127.0.0.1:{port}/default")
        assert time.monotonic() - began < 5


def test_a_server_that_is_not_a_thrift_server_is_one_line(monkeypatch) -> None:
    with socket.socket() as server:  # accepts, then hangs up
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        closer = threading.Thread(target=lambda: server.accept()[0].close(), daemon=True)
        closer.start()
        shown = r"cannot connect to hive://127\.0\.0\.1"
        with pytest.raises(AnalysisError, match=shown) as failure:
            open_engine(f"hive://127.0.0.1:{port}/default")
    assert "\n" not in str(failure.value)


def test_epoch_seconds_of_every_storage_in_spark_sql() -> None:
    """Checked against a Spark Thrift Server by hand (2025-10-29 04:45:48.5 UTC in each form:
    TIMESTAMP in UTC and Toronto wall-clock time, text with Z, an offset or none, epoch
    seconds and milliseconds); here, that each form gets its rule."""
    from analysis.source.dialect import (
        EPOCH_MILLISECONDS,
        NAIVE,
        TEXT,
        Storage,
        attach_storage,
    )

    def compiled(kind: str, zone: str) -> str:
        dialect = spark.SparkDialect()
        attach_storage(dialect, Storage(times={"created_at": kind}, naive_timezone=zone))
        return str(epoch_seconds(sr.c.created_at).compile(dialect=dialect))

    column = "`session_requests`.`created_at`"
    assert compiled(NAIVE, "UTC") == f"CAST(unix_micros({column}) AS DOUBLE) / 1000000.0"
    assert compiled(NAIVE, "America/Toronto") == (
        f"CAST(unix_micros(to_utc_timestamp({column}, 'America/Toronto')) AS DOUBLE) / 1000000.0"
    )
    assert compiled(EPOCH_MILLISECONDS, "UTC") == f"(CAST({column} AS DOUBLE) / 1000.0)"
    text = compiled(TEXT, "America/Toronto")
    assert f"{column} RLIKE" in text and "to_utc_timestamp(CAST(" in text
