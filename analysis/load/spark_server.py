"""A local Spark Thrift Server for trying the package on Spark SQL (``make spark``).

The server's jar ships inside the ``pyspark`` package (the ``start-thriftserver.sh`` wrapper
does not), so it is started with ``spark-submit --class …HiveThriftServer2 spark-internal``:
bound to 127.0.0.1, ``local[2]``, a small driver memory, its metastore (embedded Derby), its
warehouse and the demo's Parquet files under ``.spark/`` in the project (git-ignored). The
pid file holds the JVM's own pid (``spark-submit`` ends by ``exec``-ing java), so
``spark-down`` stops exactly that process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.source.urls import PROJECT_ROOT

SPARK_DIR = PROJECT_ROOT / ".spark"
HOST = "127.0.0.1"
DEFAULT_PORT = 10000
DRIVER_MEMORY = "1g"
START_TIMEOUT_SECONDS = 240
SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
# The [spark] extra of pyproject.toml (tests/unit/load/test_spark_server.py keeps the two in
# step), installed by name: installing the project itself would replace an editable install.
SPARK_EXTRA = ("pyhive==0.7.0", "thrift==0.25.0", "thrift-sasl==0.4.3", "pure-sasl==0.6.2")
PYSPARK = "pyspark>=4.0,<5"


def pid_file(spark_dir: Path = SPARK_DIR) -> Path:
    return spark_dir / "thriftserver.pid"


def log_file(spark_dir: Path = SPARK_DIR) -> Path:
    return spark_dir / "thriftserver.log"


def server_url(port: int = DEFAULT_PORT, database: str = "default") -> str:
    """The ``hive://`` URL of the local server (no user or password: none is needed)."""
    return f"hive://{HOST}:{port}/{database}"


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spark_home() -> Path | None:
    """The ``pyspark`` package folder (it holds ``bin/spark-submit`` and ``jars/``), if
    installed."""
    try:
        import pyspark
    except ImportError:
        return None
    return Path(pyspark.__file__).resolve().parent


def ensure_installed() -> Path:
    """``pyspark`` and the ``[spark]`` extra (PyHive, thrift, SASL) in this interpreter's
    environment, installed with pip when missing; returns the Spark home."""
    home = spark_home()
    try:
        import pyhive  # noqa: F401
    except ImportError:
        home = None
    if home is None:
        print("installing pyspark and the [spark] extra into this environment…", file=sys.stderr)
        command = [sys.executable, "-m", "pip", "install", "--quiet", PYSPARK, *SPARK_EXTRA]
        if subprocess.run(command, check=False).returncode != 0:
            raise AnalysisError("installing pyspark failed: see pip's output above")
        import importlib

        importlib.invalidate_caches()
        home = spark_home()
        if home is None:
            raise AnalysisError("pyspark was installed but cannot be imported")
    return home


def running_pid(spark_dir: Path = SPARK_DIR) -> int | None:
    """The pid in the pid file when that process is alive and a Java process, else None."""
    try:
        pid = int(pid_file(spark_dir).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return None
    return pid if command.endswith(b"java") else None


def start(
    port: int = DEFAULT_PORT,
    spark_dir: Path = SPARK_DIR,
    driver_memory: str = DRIVER_MEMORY,
    timeout: float = START_TIMEOUT_SECONDS,
) -> str:
    """Start the Thrift Server (installing pyspark if needed), wait for its port; its URL."""
    if (pid := running_pid(spark_dir)) is not None and port_open(HOST, port):
        print(f"the Spark Thrift Server is already running (pid {pid})", file=sys.stderr)
        return server_url(port)
    if port_open(HOST, port):
        raise AnalysisError(
            f"port {port} on {HOST} is taken by another program: pass --port (SPARK_PORT=…)"
        )
    home = ensure_installed()
    spark_dir = spark_dir.resolve()
    for sub in ("warehouse", "tables", "tmp"):
        (spark_dir / sub).mkdir(parents=True, exist_ok=True)
    metastore = f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true"
    java_options = f"-Dderby.system.home={spark_dir} -Djava.io.tmpdir={spark_dir / 'tmp'}"
    command = [
        str(home / "bin" / "spark-submit"),
        "--class", SERVER_CLASS,
        "--name", "analysis-thriftserver",
        "--master", "local[2]",
        "--driver-memory", driver_memory,
        "--conf", f"spark.driver.extraJavaOptions={java_options}",
        "--conf", f"spark.sql.warehouse.dir={spark_dir / 'warehouse'}",
        "--conf", f"spark.local.dir={spark_dir / 'tmp'}",
        "--conf", "spark.ui.enabled=false",
        # Small data on two cores: a few shuffle partitions, not 200.
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.sql.session.timeZone=UTC",
        # Rows go out partition by partition, not collected whole in the driver first (a
        # large drill-down would not fit in a small driver).
        "--conf", "spark.sql.thriftServer.incrementalCollect=true",
        "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
        "--hiveconf", f"hive.server2.thrift.port={port}",
        "--hiveconf", f"javax.jdo.option.ConnectionURL={metastore}",
        "spark-internal",
    ]  # fmt: skip
    environment = dict(os.environ, SPARK_HOME=str(home), SPARK_LOG_DIR=str(spark_dir))
    log = log_file(spark_dir).open("ab")
    # spark-submit exec()s java: this pid is the JVM's own. A new session: a Ctrl-C in the
    # terminal that started it does not reach it.
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=spark_dir,
        env=environment,
        start_new_session=True,
    )
    log.close()
    pid_file(spark_dir).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while not port_open(HOST, port):
        if process.poll() is not None:
            pid_file(spark_dir).unlink(missing_ok=True)
            raise AnalysisError(
                f"the Spark Thrift Server exited ({process.returncode}) before listening: "
                f"see {log_file(spark_dir)}"
            )
        if time.monotonic() > deadline:
            stop(spark_dir)
            raise AnalysisError(
                f"the Spark Thrift Server did not listen on {HOST}:{port} within {timeout:.0f} s:"
                f" see {log_file(spark_dir)}"
            )
        time.sleep(1)
    return server_url(port)


def stop(spark_dir: Path = SPARK_DIR, timeout: float = 60) -> int | None:
    """Stop the server of the pid file (TERM, then KILL after ``timeout``); its pid, or None
    when none was running."""
    pid = running_pid(spark_dir)
    pid_file(spark_dir).unlink(missing_ok=True)
    if pid is None:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
    return pid
