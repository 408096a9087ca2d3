"""Benchmarks: the findings for a year of synthetic requests, against the naive pandas way and
against the floor (one ``count(*)``), on DuckDB, PostgreSQL and SQLite.

Per engine and size it measures
  (a) ``analysis.investigate`` for 2025-01-01 .. 2025-12-31 (connect, schema check,
      every query and metric);
  (b) what an analyst would otherwise write: ``pandas.read_sql`` of the period's rows (the
      columns the report reads), then the headline numbers computed in memory with pandas;
  (c) the floor: a fresh connection and one ``SELECT count(*)`` over the period's rows;
medians of several runs, the ratios a/b and a/c, and the peak memory of (a) and (b), each in a
fresh child process (``bench.py measure …``). Plus the notebook end to end on the demo database
and the synthetic-data load times. Prints a table and writes ``benchmarks/results.md``.

Only the package's public API is used (``investigate``, ``run_report``, ``Period``,
``synth.Plan`` / ``load_synthetic``, the table declarations in ``analysis.source.schema``).
Data lives in ``benchmarks/.data/`` (DuckDB and SQLite files, one per size) and in the
PostgreSQL database ``analysis_bench`` (one schema per size); it is reused when the same plan
is already loaded (checked by row count and a ``bench_meta`` record), ``--reload`` forces it.

    python benchmarks/bench.py                      # everything (what `make bench` runs)
    python benchmarks/bench.py --sizes 100000 --engines duckdb --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from analysis import investigate
from analysis.load.synth import Plan, load_synthetic
from analysis.period import Period
from analysis.source import schema as tables

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / ".data"
DEFAULT_OUT = HERE / "results.md"
DEMO_DB = HERE.parent / "data" / "demo.db"

START, END, TIMEZONE, SEED = date(2025, 1, 1), date(2025, 12, 31), "America/Toronto", 0
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
ENGINES = ("duckdb", "postgresql", "sqlite")
SQLITE_MAX = 1_000_000
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "analysis_bench"
META_TABLE = "bench_meta"
# A measurement whose first run takes longer than so many seconds gets at most so many runs.
SLOW = ((30.0, 3), (180.0, 2))
NAIVE_MB_PER_MILLION = 1_600  # (b) peaked at about 1.3-1.6 GB per million rows
NOTEBOOK_RUNS = 3
NOTEBOOK_PERIOD = ("2025-10-29", "2025-11-06")
REQUEST_COLUMNS = tables.USED_COLUMNS["session_requests"]

meta_metadata = sa.MetaData()
meta_table = sa.Table(
    META_TABLE,
    meta_metadata,
    sa.Column("plan", sa.Text, nullable=False),  # JSON of the Plan
    sa.Column("load_seconds", sa.Float, nullable=False),
    sa.Column("stats_seconds", sa.Float, nullable=False),
    sa.Column("loaded_at", sa.Text, nullable=False),
)


# --- targets: one engine, one size ------------------------------------------------------------


def label(size: int) -> str:
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


def plan_for(size: int) -> Plan:
    return Plan(
        requests=size,
        customers=max(1, size // 50),
        mechanics=max(1, size // 5000),
        start=START,
        end=END,
        seed=SEED,
        timezone=TIMEZONE,
    )


def plan_json(plan: Plan) -> str:
    return json.dumps(asdict(plan), default=str, sort_keys=True)


@dataclass(frozen=True)
class Target:
    engine: str
    size: int
    data_dir: Path

    @property
    def url(self) -> str:
        if self.engine == "postgresql":
            return f"{PG_SERVER}/{PG_DATABASE}"
        return f"{self.engine}:///{self.path}"

    @property
    def path(self) -> Path:
        suffix = "duckdb" if self.engine == "duckdb" else "sqlite"
        return self.data_dir / f"bench_{self.size}.{suffix}"

    @property
    def schema(self) -> str | None:
        return f"bench_{self.size}" if self.engine == "postgresql" else None

    @property
    def name(self) -> str:
        return f"{self.engine} {label(self.size)}"


def plain_engine(target: Target) -> sa.Engine:
    """An engine as an analyst would make one (DuckDB read-only, so children can share it)."""
    if target.engine == "duckdb":
        return sa.create_engine(target.url, connect_args={"read_only": True})
    if target.engine == "postgresql":
        return sa.create_engine(target.url, connect_args={"connect_timeout": 5})
    if target.engine == "spark":  # bench_spark.py: PyHive with the session in UTC
        from analysis.load.bulk import writable_engine

        return writable_engine(target.url)
    return sa.create_engine(target.url)


def period() -> Period:
    return Period(START, END, TIMEZONE)


# --- loading ----------------------------------------------------------------------------------


def postgres_problem() -> str | None:
    """None when the server answers and ``analysis_bench`` exists (created if missing)."""
    engine = sa.create_engine(
        f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": PG_DATABASE}
            ).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}"'))
        return None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return f"PostgreSQL at 127.0.0.1:5432 unreachable ({reason})"
    finally:
        engine.dispose()


@dataclass
class LoadInfo:
    load_seconds: float
    stats_seconds: float
    loaded_at: str
    reused: bool


def existing_load(target: Target) -> LoadInfo | None:
    """The recorded load when the target holds exactly this plan's data, else None."""
    if target.engine != "postgresql" and not target.path.is_file():
        return None
    engine = plain_engine(target)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(schema_translate_map={None: target.schema})
            names = set(sa.inspect(conn).get_table_names(schema=target.schema))
            if META_TABLE not in names or "session_requests" not in names:
                return None
            row = conn.execute(sa.select(meta_table)).first()
            count = conn.execute(
                sa.select(sa.func.count()).select_from(tables.session_requests)
            ).scalar_one()
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    if row is None or row.plan != plan_json(plan_for(target.size)) or count != target.size:
        return None
    return LoadInfo(row.load_seconds, row.stats_seconds, row.loaded_at, reused=True)


def gather_statistics(target: Target) -> float:
    """What a maintained database has: planner statistics (PostgreSQL VACUUM ANALYZE, SQLite
    ANALYZE; DuckDB keeps its own)."""
    if target.engine == "duckdb":
        return 0.0
    started = time.perf_counter()
    engine = sa.create_engine(target.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if target.engine == "postgresql":
                for name in tables.metadata.tables:
                    conn.execute(sa.text(f'VACUUM (ANALYZE) "{target.schema}"."{name}"'))
            else:
                conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def load(target: Target, reload: bool) -> LoadInfo:
    if not reload:
        found = existing_load(target)
        if found is not None:
            say(f"  {target.name}: reusing loaded data ({target.size:,} requests)")
            return found
    say(f"  {target.name}: loading {target.size:,} synthetic requests …")
    if target.engine == "postgresql":  # an interrupted load must not look complete
        engine = sa.create_engine(target.url)
        try:
            with engine.begin() as conn:
                conn = conn.execution_options(schema_translate_map={None: target.schema})
                meta_metadata.drop_all(conn)
        finally:
            engine.dispose()
    else:
        target.data_dir.mkdir(parents=True, exist_ok=True)
        for stale in (target.path, target.path.with_name(target.path.name + ".wal")):
            stale.unlink(missing_ok=True)
    started = time.perf_counter()
    load_synthetic(target.url, plan_for(target.size), target.schema, replace=True)
    seconds = time.perf_counter() - started
    stats = gather_statistics(target)
    info = LoadInfo(seconds, stats, datetime.now(UTC).isoformat(timespec="seconds"), False)
    engine = sa.create_engine(target.url)
    try:
        with engine.begin() as conn:
            conn = conn.execution_options(schema_translate_map={None: target.schema})
            meta_metadata.drop_all(conn)
            meta_metadata.create_all(conn)
            conn.execute(
                meta_table.insert().values(
                    plan=plan_json(plan_for(target.size)),
                    load_seconds=seconds,
                    stats_seconds=stats,
                    loaded_at=info.loaded_at,
                )
            )
    finally:
        engine.dispose()
    say(f"  {target.name}: loaded in {seconds:.1f} s (+ {stats:.1f} s statistics)")
    return info


# --- the three measurements -------------------------------------------------------------------


def run_findings(target: Target) -> Any:
    """(a) the complete findings for the year, through the public API."""
    return investigate(START, END, TIMEZONE, db=target.url, schema=target.schema)


def _period_filter(column: sa.ColumnClause[Any]) -> sa.ColumnElement[bool]:
    # Bound, typed parameters: the schema's timestamp type writes them as each engine stores
    # timestamps (SQLite keeps naive UTC text).
    p = period()
    start = sa.bindparam("utc_start", p.utc_start, type_=tables.UTCDateTime())
    end = sa.bindparam("utc_end", p.utc_end, type_=tables.UTCDateTime())
    return sa.and_(column >= start, column < end)


def run_count(target: Target, engine: sa.Engine | None = None) -> int:
    """(c) the floor: one ``SELECT count(*)`` over the period's rows (a fresh connection unless
    ``engine`` is given)."""
    sr = tables.session_requests
    query = sa.select(sa.func.count()).select_from(sr).where(_period_filter(sr.c.created_at))
    own = engine is None
    engine = engine or plain_engine(target)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(schema_translate_map={None: target.schema})
            return int(conn.execute(query).scalar_one())
    finally:
        if own:
            engine.dispose()


def naive_query(target: Target) -> sa.Select:
    """The period's rows, the columns the report reads, as the driver returns them."""
    raw = sa.table(
        "session_requests", *(sa.column(c) for c in REQUEST_COLUMNS), schema=target.schema
    )
    return sa.select(*raw.c).where(_period_filter(raw.c.created_at))


def run_naive(target: Target) -> dict[str, Any]:
    """(b) pandas.read_sql of the period's rows, then the headline numbers in memory."""
    engine = plain_engine(target)
    try:
        with engine.connect() as conn:
            df = pd.read_sql(naive_query(target), conn)
    finally:
        engine.dispose()
    created = pd.to_datetime(df["created_at"], utc=True, format="mixed")
    accepted = pd.to_datetime(df["accepted_at"], utc=True, format="mixed")
    status = df["status"].fillna("unknown")
    assigned = df["mechanic_id"].notna()
    customer = df["customer_email"].fillna(df["customer_id"].astype(str))
    minutes = (accepted - created).dt.total_seconds() / 60
    valid = minutes[minutes >= 0]
    local_day = created.dt.tz_convert(TIMEZONE).dt.normalize()
    with_mechanic = df[assigned]
    return {
        "total": len(df),
        "status": status.value_counts().to_dict(),
        "types": df["session_type"].fillna("unknown").value_counts().to_dict(),
        "assigned": int(assigned.sum()),
        "never_assigned": int((~assigned).sum()),
        "mechanics": with_mechanic.groupby(
            [with_mechanic["mechanic_id"].astype(str), status[assigned]]
        )
        .size()
        .unstack(fill_value=0),
        "customers": df.groupby([customer, status]).size().unstack(fill_value=0),
        "response": {
            "count": len(valid),
            "excluded_negative": int((minutes < 0).sum()),
            "mean": float(valid.mean()),
            "median": float(valid.median()),
            "min": float(valid.min()),
            "max": float(valid.max()),
        },
        "daily": status.groupby(local_day).value_counts(),
    }


def agreement(findings: Any, naive: dict[str, Any]) -> str:
    """Whether (a) and (b) found the same headline numbers: 'yes', or what differs."""
    try:
        problems = []
        if findings.total != naive["total"]:
            problems.append(f"total {findings.total} vs {naive['total']}")
        status = dict(zip(findings.status["status"], findings.status["requests"], strict=True))
        if {k: int(v) for k, v in status.items()} != naive["status"]:
            problems.append("status counts")
        types = dict(zip(findings.types["session_type"], findings.types["requests"], strict=True))
        if {k: int(v) for k, v in types.items()} != naive["types"]:
            problems.append("type counts")
        if findings.assignment["assigned"] != naive["assigned"]:
            problems.append("assignment")
        if len(findings.mechanics) != len(naive["mechanics"]):
            problems.append(f"mechanics {len(findings.mechanics)} vs {len(naive['mechanics'])}")
        if len(findings.customers) != len(naive["customers"]):
            problems.append(f"customers {len(findings.customers)} vs {len(naive['customers'])}")
        ours, theirs = findings.response, naive["response"]
        for key in ("count", "excluded_negative"):
            if ours[key] != theirs[key]:
                problems.append(f"response {key}")
        for key in ("mean", "median", "min", "max"):
            if abs(ours[key] - theirs[key]) > 1e-6 * max(1.0, abs(theirs[key])):
                problems.append(f"response {key} {ours[key]} vs {theirs[key]}")
        daily = {
            (pd.Timestamp(d).date(), s): int(n)
            for d, s, n in findings.daily[["day", "status"]]
            .assign(n=findings.daily["requests"])
            .itertuples(index=False)
        }
        theirs_daily = {(d.date(), s): int(n) for (d, s), n in naive["daily"].items()}
        if daily != theirs_daily:
            problems.append("daily counts")
        return "yes" if not problems else "NO: " + ", ".join(problems)
    except Exception as exc:  # the Findings API may change; never let the check stop a run
        return f"not checked ({type(exc).__name__}: {exc})"


# --- timing and memory ------------------------------------------------------------------------


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None


def time_once(work: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    Linux's ``VmHWM`` (``/proc/self/status``) belongs to this process image alone;
    ``getrusage``'s ``ru_maxrss`` is kept across ``exec``, so a child started from a big parent
    would report the parent's size. ``ru_maxrss`` (KiB) is the fallback elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def measure_child(target: Target, kind: str) -> dict[str, Any]:
    """Peak memory (and the time) of one run of (a) or (b) in a fresh process."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "measure",
        kind,
        "--engine",
        target.engine,
        "--size",
        str(target.size),
        "--data-dir",
        str(target.data_dir),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_main(argv: list[str]) -> int:
    """``bench.py measure findings|naive --engine E --size N``: one run, then peak RSS."""
    parser = argparse.ArgumentParser(prog="bench.py measure")
    parser.add_argument("kind", choices=("findings", "naive"))
    parser.add_argument("--engine", choices=ENGINES, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    target = Target(args.engine, args.size, args.data_dir)
    # Import the driver too, so the baseline holds everything but the work itself.
    __import__(
        {"duckdb": "duckdb_engine", "postgresql": "psycopg", "sqlite": "sqlite3"}[target.engine]
    )
    baseline = peak_rss_mb()
    work = run_findings if args.kind == "findings" else run_naive
    started = time.perf_counter()
    work(target)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "baseline_mb": baseline, "peak_mb": peak}))
    return 0


@dataclass
class Result:
    engine: str
    size: int
    load: LoadInfo | None = None
    findings: Timing = field(default_factory=Timing)
    naive: Timing = field(default_factory=Timing)
    count: Timing = field(default_factory=Timing)
    count_query: Timing = field(default_factory=Timing)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    agree: str = ""
    naive_note: str = ""
    error: str = ""

    @property
    def a_over_b(self) -> float | None:
        return _ratio(self.findings.median, self.naive.median)

    @property
    def a_over_c(self) -> float | None:
        return _ratio(self.findings.median, self.count.median)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def available_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return None


def naive_fits(size: int) -> str:
    """'' when the naive run should fit in memory now, else why it is skipped."""
    available = available_mb()
    needed = size / 1e6 * NAIVE_MB_PER_MILLION
    if available is not None and needed > 0.9 * available:
        return (
            f"(b) skipped: it needs about {needed / 1000:.1f} GB "
            f"and {available / 1000:.1f} GB is available"
        )
    return ""


def bench_target(target: Target, runs: int, reload: bool) -> Result:
    result = Result(target.engine, target.size)
    result.load = load(target, reload)
    counted = run_count(target)
    if counted != target.size:
        result.error = f"count(*) over the year is {counted}, expected {target.size}"
        return result
    # Memory first, while this process is small (nothing here competes with the child).
    kinds = ["findings", "naive"]
    result.naive_note = naive_fits(target.size)
    if result.naive_note:
        say(f"  {target.name}: {result.naive_note}")
        kinds.remove("naive")
    for kind in kinds:
        result.memory[kind] = measure_child(target, kind)
        say(f"  {target.name}: {kind} in a fresh process: {result.memory[kind]}")
    # The count query alone, on an open connection (no connect cost), for reference.
    engine = plain_engine(target)
    try:
        run_count(target, engine)  # connect once
        for _ in range(runs):
            result.count_query.runs.append(time_once(lambda: run_count(target, engine))[0])
    finally:
        engine.dispose()
    work = {
        "count": lambda: run_count(target),
        "findings": lambda: run_findings(target),
        "naive": lambda: run_naive(target),
    }
    if result.naive_note:
        del work["naive"]
    allowed = dict.fromkeys(work, runs)
    first: dict[str, Any] = {}
    for round_ in range(runs):
        for kind, job in work.items():
            if round_ >= allowed[kind]:
                continue
            seconds, value = time_once(job)
            getattr(result, kind).runs.append(seconds)
            if round_ == 0:
                if kind in ("findings", "naive"):
                    first[kind] = value
                for limit, most in SLOW:
                    if seconds > limit:
                        allowed[kind] = min(allowed[kind], most)
            say(f"  {target.name}: {kind} run {round_ + 1}: {seconds:.3f} s")
            del value
        if round_ == 0:
            if "naive" in first:
                result.agree = agreement(first["findings"], first["naive"])
                say(f"  {target.name}: findings agree with pandas: {result.agree}")
            first.clear()
    return result


def bench_notebook(runs: int) -> tuple[Timing, str]:
    from analysis.runs.runner import run_report
    from analysis.source.urls import demo_url

    if not DEMO_DB.is_file():
        return Timing(), "demo database missing: run `make data`"
    timing = Timing()
    report_period = Period.parse(*NOTEBOOK_PERIOD)
    for n in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-notebook-") as out:
            seconds, _ = time_once(lambda out=out: run_report(report_period, out, db=demo_url()))
        timing.runs.append(seconds)
        say(f"  notebook run {n + 1}: {seconds:.2f} s")
    return timing, ""


# --- environment and output -------------------------------------------------------------------


def say(text: str) -> None:
    print(text, flush=True)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": platform.platform(),
    }


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def versions(pg_available: bool) -> dict[str, str]:
    found = {"Python": platform.python_version()}
    for package in ("pandas", "numpy", "SQLAlchemy", "duckdb", "duckdb-engine", "psycopg"):
        try:
            found[package] = importlib_metadata.version(package)
        except importlib_metadata.PackageNotFoundError:
            found[package] = "not installed"
    import sqlite3

    found["SQLite"] = sqlite3.sqlite_version
    found["PostgreSQL server"] = "not reachable"
    if pg_available:
        engine = sa.create_engine(f"{PG_SERVER}/{PG_DATABASE}")
        try:
            with engine.connect() as conn:
                found["PostgreSQL server"] = conn.execute(sa.text("SHOW server_version")).scalar()
        finally:
            engine.dispose()
    return found


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def fmt_x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def fmt_mb(memory: dict[str, Any], key: str) -> str:
    if "error" in memory:
        return "failed"
    if not memory:
        return "–"
    if key == "delta":
        return f"{memory['peak_mb'] - memory['baseline_mb']:.0f}"
    return f"{memory[key]:.0f}"


def timing_cell(timing: Timing) -> str:
    return f"{fmt_s(timing.median)} ({len(timing.runs)})" if timing.runs else "–"


def results_table(results: list[Result]) -> list[str]:
    lines = [
        "| engine | requests | (a) findings | (b) naive pandas | (c) count(*) | count query "
        "only | a/b | a/c | agree |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.error:
            lines.append(f"| {r.engine} | {r.size:,} | {r.error} | | | | | | |")
            continue
        lines.append(
            f"| {r.engine} | {r.size:,} | {timing_cell(r.findings)} | "
            f"{'skipped (memory)' if r.naive_note else timing_cell(r.naive)} | "
            f"{timing_cell(r.count)} | {timing_cell(r.count_query)} | {fmt_x(r.a_over_b)} | "
            f"{fmt_x(r.a_over_c)} | {r.agree} |"
        )
    return lines


def memory_table(results: list[Result]) -> list[str]:
    lines = [
        "| engine | requests | (a) peak MB | (a) baseline MB | (a) peak − baseline | "
        "(a) child run | (b) peak MB | (b) baseline MB | (b) peak − baseline | (b) child run |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if r.error:
            continue
        cells = []
        for kind in ("findings", "naive"):
            m = r.memory.get(kind, {})
            cold = fmt_s(m.get("seconds")) if "seconds" in m else m.get("error", "–")
            cells += [fmt_mb(m, "peak_mb"), fmt_mb(m, "baseline_mb"), fmt_mb(m, "delta"), cold]
        lines.append(f"| {r.engine} | {r.size:,} | " + " | ".join(cells) + " |")
    return lines


def load_table(results: list[Result]) -> list[str]:
    lines = [
        "| engine | requests | load (load_synthetic) | statistics after load | loaded |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.load is None:
            continue
        when = f"{r.load.loaded_at}" + (" (reused by this run)" if r.load.reused else " (this run)")
        stats = "–" if r.engine == "duckdb" else fmt_s(r.load.stats_seconds)
        lines.append(
            f"| {r.engine} | {r.size:,} | {fmt_s(r.load.load_seconds)} | {stats} | {when} |"
        )
    return lines


WHY_MISSED = (
    "Why the missed targets are missed, and what would change it: the README, section "
    "[Benchmarks](../README.md#benchmarks); per statement: the last section below."
)


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**missed**")


def targets(results: list[Result], notebook: Timing) -> list[str]:
    def find(engine: str, size: int) -> Result | None:
        return next(
            (r for r in results if r.engine == engine and r.size == size and not r.error), None
        )

    lines = []
    for engine, limit in (("duckdb", 1.0), ("postgresql", 5.0)):
        r = find(engine, 1_000_000)
        value = r.findings.median if r else None
        ok = None if value is None else value < limit
        lines.append(
            f"- Findings for 1M requests over a year < {limit:g} s on {engine}: {verdict(ok)}"
            + (f" ({fmt_s(value)}, median of {len(r.findings.runs)})" if r and value else "")
        )
    ratios = [(r, r.a_over_c) for r in results if not r.error and r.a_over_c is not None]
    if ratios:
        ok = all(v < 10 for _, v in ratios)
        detail = "; ".join(f"{r.engine} {label(r.size)} {v:.1f}" for r, v in ratios)
        lines.append(f"- a/c < 10 (every engine and size measured): {verdict(ok)} ({detail})")
    else:
        lines.append(f"- a/c < 10: {verdict(None)}")
    speedups = [
        (r, 1 / r.a_over_b) for r in results if r.size == 1_000_000 and not r.error and r.a_over_b
    ]
    if speedups:
        ok = all(v >= 5 for _, v in speedups)
        detail = "; ".join(f"{r.engine} b/a = {v:.1f}" for r, v in speedups)
        lines.append(f"- (a) ≥ 5× faster than (b) at 1M: {verdict(ok)} ({detail})")
    else:
        lines.append(f"- (a) ≥ 5× faster than (b) at 1M: {verdict(None)}")
    for engine in ENGINES:
        big, mid = find(engine, 10_000_000), find(engine, 1_000_000)
        if big is None:
            continue
        m10 = big.memory.get("findings", {})
        if "peak_mb" not in m10:
            lines.append(f"- Peak memory of (a) at 10M on {engine} < 300 MB: {verdict(None)}")
            continue
        ok = m10["peak_mb"] < 300
        text = (
            f"- Peak memory of (a) at 10M on {engine} < 300 MB: {verdict(ok)} "
            f"({m10['peak_mb']:.0f} MB peak RSS; {m10['peak_mb'] - m10['baseline_mb']:.0f} MB "
            "above the after-imports baseline)"
        )
        m1 = mid.memory.get("findings", {}) if mid else {}
        if "peak_mb" in m1:
            flat = m10["peak_mb"] <= 1.25 * m1["peak_mb"]
            text += (
                f"; roughly flat from 1M to 10M (10M peak ≤ 1.25 × 1M peak): {verdict(flat)} "
                f"({m1['peak_mb']:.0f} → {m10['peak_mb']:.0f} MB; above baseline "
                f"{m1['peak_mb'] - m1['baseline_mb']:.0f} → "
                f"{m10['peak_mb'] - m10['baseline_mb']:.0f} MB)"
            )
        lines.append(text)
    value = notebook.median
    lines.append(
        f"- Notebook end to end < 10 s: {verdict(None if value is None else value < 10)}"
        + (f" ({fmt_s(value)}, median of {len(notebook.runs)})" if value else "")
    )
    for engine in ("duckdb", "postgresql"):
        r = find(engine, 1_000_000)
        value = r.load.load_seconds if r and r.load else None
        ok = None if value is None else value < 60
        lines.append(
            f"- 1M load < 60 s on {engine}: {verdict(ok)}"
            + (f" ({fmt_s(value)}, one load)" if value else "")
        )
    return lines


def write_results(
    out: Path,
    results: list[Result],
    notebook: Timing,
    notebook_note: str,
    skipped: list[str],
    args: argparse.Namespace,
    pg_available: bool,
    started: datetime,
) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC by "
        f"`{' '.join(['python benchmarks/bench.py', *args.argv])}`; "
        f"took {(datetime.now(UTC) - started).total_seconds() / 60:.1f} min.",
        "",
        "## Machine and versions",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine().items()]
    lines += [f"- {k}: {v}" for k, v in versions(pg_available).items()]
    lines += [f"- code: {args.commit or 'unknown'}"]
    lines += [
        f"- load average (1/5/15 min) at the start {args.load_start}, at the end "
        f"{load_average()} on {os.cpu_count()} cores (a load above the core count means "
        "other work competed for the CPU: expect noise)",
        "",
    ]
    if skipped:
        lines += ["## Skipped", ""] + [f"- {s}" for s in skipped] + [""]
    lines += [
        "## What was measured",
        "",
        f"Synthetic data from `analysis.load.synth` (seed {SEED}): N requests over "
        f"{START}..{END} ({TIMEZONE}), N/50 customers, N/5000 mechanics. The period is the "
        "whole year, so every row is in it. DuckDB and SQLite: one file per size in "
        "`benchmarks/.data/`; PostgreSQL: database `analysis_bench`, schema `bench_<N>`. After "
        "loading, planner statistics are gathered (PostgreSQL `VACUUM (ANALYZE)`, SQLite "
        "`ANALYZE`), as on a maintained database.",
        "",
        "- **(a) findings**: `analysis.investigate('2025-01-01', '2025-12-31', "
        "'America/Toronto', db=…, schema=…)`: connect, schema check, every query and metric.",
        "- **(b) naive pandas**: a fresh engine, `pandas.read_sql` of the period's rows (the "
        f"{len(REQUEST_COLUMNS)} `session_requests` columns the report reads, bound period "
        "parameters), then in pandas: status and type counts, assignment, per-mechanic and "
        "per-customer counts by status, response minutes (count, mean, median, min, max; "
        "negatives excluded), daily counts by status in local time.",
        "- **(c) count(*)**: a fresh engine and connection, one `SELECT count(*)` over the "
        "period's rows (SQLAlchemy Core, bound parameters), the engine disposed: the floor for "
        "any answer that, like (a), opens its own connection. *count query only* is the same "
        "statement on an already-open connection, for reference.",
        "- Times are medians of the runs in brackets, (c), (a), (b) interleaved per round, "
        "run in one process; a measurement whose first run took over "
        + " / ".join(f"{limit:g} s got at most {most} runs" for limit, most in SLOW)
        + ". a/b and a/c are ratios of the medians (below 1: (a) is "
        "faster). *agree*: (a) and (b) found the same totals, status and type counts, "
        "assignment, number of mechanics and customers, response statistics and daily counts.",
        "- Memory: one run of (a) or (b) in a fresh child process (`bench.py measure …`); "
        "*baseline* is the peak RSS after the imports (pandas, SQLAlchemy, the package, the "
        "driver), *peak* the peak RSS after the work, both Linux's `VmHWM` (`getrusage`'s "
        "`ru_maxrss` would include the parent's size, being kept across `exec`). "
        "MB = 10^6 bytes. *child run*: that single run's time (fresh process, warm database).",
        "- Notebook: `analysis.runs.runner.run_report(Period.parse('2025-10-29', '2025-11-06'), "
        "tmpdir)` on the demo database (kernel start, every cell, HTML export, "
        f"findings.json), median of {NOTEBOOK_RUNS}.",
        "",
        "## Targets",
        "",
    ]
    lines += targets(results, notebook)
    lines += ["", WHY_MISSED]
    lines += ["", "## Timings", "", *results_table(results)]
    notes = [f"- {r.engine} {label(r.size)}: {r.naive_note}" for r in results if r.naive_note]
    lines += ["", *notes] if notes else []
    lines += ["", "## Peak memory (one run each, fresh process)", "", *memory_table(results)]
    lines += ["", "## Loads", "", *load_table(results)]
    lines += ["", "## Notebook end to end (demo database, reference period)", ""]
    if notebook.runs:
        runs = ", ".join(f"{s:.2f}" for s in notebook.runs)
        lines.append(f"Median {fmt_s(notebook.median)} over {len(notebook.runs)} runs ({runs} s).")
    else:
        lines.append(f"Not measured: {notebook_note or 'skipped (--skip-notebook)'}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        number = part[:-1] if scale > 1 else part
        try:
            sizes.append(int(float(number) * scale))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a size: {part!r}") from None
    return sizes


def parse_engines(text: str) -> list[str]:
    engines = [e.strip().lower() for e in text.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown engine(s) {unknown}: use {', '.join(ENGINES)}")
    return engines


# --- `python -m analysis run` end to end at scale (bench.py run) ------------------------------

RUN_SIZES = (100_000, 1_000_000)
RUN_ENGINES = ("duckdb", "postgresql")
RUN_10M = 10_000_000
RUN_RUNS = 3
RUN_SAMPLE_SECONDS = 0.05
# Targets for the whole `run` (seconds): the 1M year on DuckDB and PostgreSQL, the demo period.
RUN_TARGETS = {("duckdb", 1_000_000): 10.0, ("postgresql", 1_000_000): 30.0, ("demo", 0): 5.0}
RUN_SECTION = "## `run` end to end"
RUN_FILES = (
    "session_investigation.html",
    "session_investigation.ipynb",
    "findings.json",
    "customers.csv",
    "mechanics.csv",
    "flagged_requests.csv",
)


@dataclass
class RunResult:
    """One engine and size: ``run`` wall times and the process tree's peak memory (MB),
    ``investigate()`` times in this process, and the sizes of the files written (bytes)."""

    engine: str
    size: int
    run: Timing = field(default_factory=Timing)
    findings: Timing = field(default_factory=Timing)
    peak_mb: list[float] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    rows: int | None = None  # table rows in the HTML
    error: str | None = None

    @property
    def name(self) -> str:
        return (
            "demo (reference period)"
            if self.engine == "demo"
            else (f"{self.engine} {label(self.size)}")
        )


def run_tree(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``command``; its wall time and the peak of the summed resident memory of it and
    every descendant (the CLI, the notebook's kernel, …), sampled every
    ``RUN_SAMPLE_SECONDS`` with psutil (else ``getrusage``'s largest single child, MB)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    if psutil is not None:
        root = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                total = 0
                for p in tree:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                peak = max(peak, total / 1e6)
            except psutil.Error:
                pass
            time.sleep(RUN_SAMPLE_SECONDS)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if psutil is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6
    return seconds, peak, subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def bench_run(engine: str, size: int, runs: int, data_dir: Path, reload: bool) -> RunResult:
    """``python -m analysis run`` over the year (the demo: its reference period) ``runs``
    times in fresh processes, against ``investigate()`` of the same period in this process."""
    result = RunResult(engine, size)
    if engine == "demo":
        url, schema, dates = f"sqlite:///{DEMO_DB}", None, NOTEBOOK_PERIOD
    else:
        target = Target(engine, size, data_dir)
        load(target, reload)
        url, schema, dates = target.url, target.schema, (START.isoformat(), END.isoformat())
    investigate(*dates, TIMEZONE, db=url, schema=schema)  # warm the database's cache
    for n in range(runs):
        seconds, _ = time_once(lambda: investigate(*dates, TIMEZONE, db=url, schema=schema))
        result.findings.runs.append(seconds)
        with tempfile.TemporaryDirectory(prefix="bench-run-") as out:
            command = [sys.executable, "-m", "analysis", "run", "--db", url, "--out", out]
            command += ["--start", dates[0], "--end", dates[1], "--timezone", TIMEZONE]
            command += ["--schema", schema] if schema else []
            seconds, peak, done = run_tree(command)
            if done.returncode != 0:
                tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
                result.error = f"exit {done.returncode}: {tail}"
                return result
            result.run.runs.append(seconds)
            result.peak_mb.append(peak)
            folder = Path(out) / f"{dates[0]}_{dates[1]}"
            result.sizes = {
                name: (folder / name).stat().st_size
                for name in RUN_FILES
                if (folder / name).exists()
            }
            html = (folder / RUN_FILES[0]).read_text(encoding="utf-8")
            result.rows = html.count("<tr")
        say(
            f"  {result.name}: run {n + 1}: {seconds:.2f} s, peak {peak:.0f} MB; "
            f"investigate {result.findings.runs[-1]:.2f} s"
        )
    return result


def fmt_bytes(size: int | None) -> str:
    if size is None:
        return "—"
    for unit, name in ((1e6, "MB"), (1e3, "kB")):
        if size >= unit:
            return f"{size / unit:.1f} {name}"
    return f"{size} B"


def run_lines(results: list[RunResult], argv: list[str], started: datetime) -> list[str]:
    """The results.md section: how it was measured, the table, the targets met or missed."""
    lines = [
        RUN_SECTION,
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC by `python benchmarks/bench.py run {' '.join(argv)}`"
        f" on {os.cpu_count()} cores, load average at the end {load_average()}. "
        "`python -m analysis run` over the synthetic year (the bench data above: N requests, "
        "N/50 customers, N/5000 mechanics; the demo: its reference period) in a fresh process: "
        "wall time from start to exit (kernel start, every cell, HTML export, index), peak "
        "memory of the whole process tree (CLI + kernel; psutil, summed RSS sampled every "
        f"{RUN_SAMPLE_SECONDS * 1000:.0f} ms), and the files it wrote. *findings* is "
        "`investigate()` of the same period in the benchmark's process (warm), measured in "
        "the same rounds; *ratio* is run / findings (medians). MB = 10^6 bytes.",
        "",
        "| data | run (s) | findings (s) | ratio | peak memory | HTML | table rows | notebook "
        "| findings.json | customers.csv | mechanics.csv | flagged_requests.csv |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        if r.error:
            lines.append(f"| {r.name} | {r.error} |" + " |" * 10)
            continue
        ratio = _ratio(r.run.median, r.findings.median)
        peak = f"{statistics.median(r.peak_mb):.0f} MB" if r.peak_mb else "—"
        files = [fmt_bytes(r.sizes.get(name)) for name in RUN_FILES]
        lines.append(
            f"| {r.name} | {timing_cell(r.run)} | {timing_cell(r.findings)} | {fmt_x(ratio)} | "
            f"{peak} | {files[0]} | {r.rows} | {files[1]} | {files[2]} | {files[3]} | "
            f"{files[4]} | {files[5]} |"
        )
    busy = _busy()
    if busy:
        lines += ["", busy]
    lines += ["", "Targets:", ""]
    by_key = {(r.engine, r.size if r.engine != "demo" else 0): r for r in results}
    for key, limit in RUN_TARGETS.items():
        r = by_key.get(key)
        what = "demo `run`" if key[0] == "demo" else f"`run` of {label(key[1])} on {key[0]}"
        if r is None or r.error or r.run.median is None:
            lines.append(f"- {what} under {limit:g} s: not measured")
            continue
        ok = r.run.median < limit
        lines.append(
            f"- {what} under {limit:g} s: {verdict(ok)} ({r.run.median:.1f} s; the findings "
            f"alone {r.findings.median:.2f} s)"
        )
    return lines


def _busy() -> str:
    """A warning when the machine was busier than its cores (the seconds are then noise; the
    sizes and the ratio run / findings still say something), else ''."""
    try:
        load1 = os.getloadavg()[0]
    except OSError:
        return ""
    cores = os.cpu_count() or 1
    if load1 <= cores:
        return ""
    return (
        f"**The machine was busy** (load average {load1:.1f} on {cores} cores at the end): "
        "other work competed for the CPU, so the seconds are inflated for every row alike; "
        "the file sizes, the table rows and the ratio run / findings are the comparable part."
    )


def run_main(argv: list[str]) -> int:
    """``bench.py run [--sizes …] [--engines …] [--with-10m]``: ``python -m analysis run``
    end to end at scale, against ``investigate()``; writes its section of results.md."""
    parser = argparse.ArgumentParser(prog="bench.py run", description=run_main.__doc__)
    parser.add_argument("--sizes", type=parse_sizes, default=list(RUN_SIZES))
    parser.add_argument("--engines", type=parse_engines, default=list(RUN_ENGINES))
    parser.add_argument("--with-10m", action="store_true", help="also 10M on DuckDB (slow)")
    parser.add_argument("--runs", type=int, default=RUN_RUNS, help=f"runs each ({RUN_RUNS})")
    parser.add_argument("--reload", action="store_true", help="regenerate data even if loaded")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (Markdown)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    problem = postgres_problem() if "postgresql" in args.engines else None
    if problem:
        say(f"skipping PostgreSQL: {problem}")
    plan = [("demo", 0)] if DEMO_DB.is_file() else []
    plan += [
        (engine, size)
        for size in sorted(args.sizes)
        for engine in args.engines
        if not (engine == "postgresql" and problem)
        and not (engine == "sqlite" and size > SQLITE_MAX)
    ]
    if args.with_10m:
        plan.append(("duckdb", RUN_10M))
    results = []
    for engine, size in plan:
        name = "demo" if engine == "demo" else f"{engine} {label(size)}"
        say(f"run end to end, {name}:")
        try:
            results.append(bench_run(engine, size, args.runs, args.data_dir, args.reload))
        except Exception as exc:  # keep the other rows
            say(f"  failed: {type(exc).__name__}: {exc}")
            results.append(RunResult(engine, size, error=f"{type(exc).__name__}: {exc}"))
    lines = run_lines(results, argv, started)
    replace_section(args.out, RUN_SECTION, lines)
    for line in lines:
        say(line)
    return 0


# (b) the daily batch: 365 daily reports of the demo database in under 10 minutes.
BATCH_TARGET_SECONDS_PER_YEAR = 600.0
BATCH_SECTION = "## Daily batch (demo database)"


def bench_daily_batch(days: int, workers: int) -> dict[str, Any]:
    """``python -m analysis batch --every day`` over ``days`` days from 1 Jan 2025 on the demo
    database (every period run: ``--force``), wall time; against the findings alone for the
    same days (``investigate`` per day, in this process, one after the other), measured in
    the same run."""
    first = date(2025, 1, 1)
    last = first + timedelta(days=days - 1)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as folder:
        command = [sys.executable, "-m", "analysis", "batch", "--start", str(first)]
        command += ["--end", str(last), "--every", "day", "--workers", str(workers)]
        command += ["--out", folder, "--quiet", "--force"]
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=HERE.parent)
        wall = time.perf_counter() - began
        written = len(list(Path(folder).glob("*/findings.json")))
    findings = 0.0
    for n in range(days):
        day = str(first + timedelta(days=n))
        findings += time_once(lambda day=day: investigate(day, day))[0]
    target = BATCH_TARGET_SECONDS_PER_YEAR * days / 365
    return {
        "days": days,
        "workers": workers,
        "wall": wall,
        "written": written,
        "exit": done.returncode,
        "error": (done.stderr.strip().splitlines() or [""])[-1] if done.returncode else "",
        "findings": findings,
        "ratio": wall / findings if findings else None,
        "per_period": wall / days,
        "target": target,
        "met": done.returncode == 0 and written == days and wall < target,
    }


def batch_lines(result: dict[str, Any], load: str) -> list[str]:
    """The daily batch's section of results.md."""
    verdict_word = "met" if result["met"] else "missed"
    lines = [
        BATCH_SECTION,
        "",
        f"`python -m analysis batch --every day` over {result['days']} days from 2025-01-01, "
        f"`--workers {result['workers']}`, every period run (`--force`); load average {load}.",
        "",
        "| days | written | wall | per period | findings alone (sum) | wall / findings | target |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {result['days']} | {result['written']} | {fmt_s(result['wall'])} | "
        f"{fmt_s(result['per_period'])} | {fmt_s(result['findings'])} | "
        f"{fmt_x(result['ratio'])} | < {fmt_s(result['target'])}: {verdict_word} |",
        "",
        f"- **(b) {result['days']} daily reports in under {fmt_s(result['target'])}** "
        f"({fmt_s(BATCH_TARGET_SECONDS_PER_YEAR)} for 365, scaled to the days run): "
        f"{verdict_word} ({fmt_s(result['wall'])}).",
        "- *findings alone*: `investigate(day, day)` for each day, one after the other in one "
        "warm process: the analysis without kernels, notebooks, charts or HTML. *wall / "
        "findings* is what the reports cost on top (divide by the workers for the share of "
        "parallel time).",
    ]
    if result["exit"]:
        lines.append(f"- The batch exited {result['exit']}: {result['error']}")
    return lines


def replace_section(path: Path, heading: str, lines: list[str]) -> None:
    """Put ``lines`` (starting with ``heading``) in ``path`` in place of that section."""
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    start = text.find(heading)
    if start >= 0:
        following = text.find("\n## ", start + len(heading))
        text = text[:start] + (text[following + 1 :] if following >= 0 else "")
    path.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")


def batch_main(argv: list[str]) -> int:
    """``bench.py batch [--days N] [--workers W] [--out results.md]``: the daily batch."""
    parser = argparse.ArgumentParser(
        prog="bench.py batch", description="Time the daily batch of a year (or --days) of the demo"
    )
    parser.add_argument("--days", type=int, default=365, help="days from 2025-01-01 (365)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="(cores)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (Markdown)")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 365:
        parser.error("--days must be 1 to 365")
    load = load_average()
    say(f"daily batch: {args.days} days, {args.workers} workers")
    result = bench_daily_batch(args.days, args.workers)
    lines = batch_lines(result, load)
    replace_section(args.out, BATCH_SECTION, lines)
    for line in lines:
        say(line)
    return 0 if result["exit"] == 0 else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:
        return measure_main(argv[1:])
    if argv[:1] == ["run"]:
        return run_main(argv[1:])
    if argv[:1] == ["batch"]:
        return batch_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description="Benchmark the findings against naive pandas and count(*) "
        "(see the module docstring; `bench.py measure --help` is the memory child).",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated request counts (100000,1000000,10000000; 100k/1M accepted)",
    )
    parser.add_argument(
        "--engines",
        type=parse_engines,
        default=list(ENGINES),
        help=f"comma-separated engines ({','.join(ENGINES)}); SQLite only up to "
        f"{SQLITE_MAX:,} requests",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (5)")
    parser.add_argument("--reload", action="store_true", help="regenerate data even if loaded")
    parser.add_argument("--skip-notebook", action="store_true", help="don't time the notebook")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (Markdown)")
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA, help="DuckDB/SQLite files (.data/)"
    )
    args = parser.parse_args(argv)
    args.argv = argv
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be positive")
    started = datetime.now(UTC)
    args.load_start = load_average()
    args.commit = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    skipped: list[str] = []
    pg_available = False
    if "postgresql" in args.engines:
        problem = postgres_problem()
        pg_available = problem is None
        if problem:
            skipped.append(f"{problem}: its rows are skipped")
            say(f"skipping PostgreSQL: {problem}")
    results: list[Result] = []
    for size in sorted(args.sizes):
        for engine in args.engines:
            if engine == "postgresql" and not pg_available:
                continue
            if engine == "sqlite" and size > SQLITE_MAX:
                say(f"sqlite {label(size)}: skipped (SQLite only up to {label(SQLITE_MAX)})")
                continue
            say(f"{engine} {label(size)}:")
            try:
                results.append(
                    bench_target(Target(engine, size, args.data_dir), args.runs, args.reload)
                )
            except Exception as exc:  # keep the other rows: report the failure in its row
                say(f"  failed: {type(exc).__name__}: {exc}")
                results.append(Result(engine, size, error=f"failed: {type(exc).__name__}: {exc}"))
    notebook, note = Timing(), ""
    if not args.skip_notebook:
        say("notebook end to end (demo database, 2025-10-29..2025-11-06):")
        notebook, note = bench_notebook(NOTEBOOK_RUNS)
    write_results(args.out, results, notebook, note, skipped, args, pg_available, started)
    say("")
    for line in [*results_table(results), "", *memory_table(results), "", *load_table(results)]:
        say(line)
    say("")
    for line in targets(results, notebook):
        say(line)
    say(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
