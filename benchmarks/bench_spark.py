"""Benchmarks on Spark SQL (the Spark Thrift Server, ``hive://``): the same year of synthetic
requests and the same three measurements and ratios as ``bench.py`` — (a) the findings,
(b) ``pandas.read_sql`` of the rows then pandas, (c) one ``count(*)`` — at 100k and 1M.

Kept apart from ``bench.py`` (which it borrows its measurements from) so the two can change
independently. The server is ``--url`` (default ``$ANALYSIS_BENCH_SPARK_URL``, else the local
one of ``make spark``); when nothing answers there, the section says so and nothing fails.
Data goes to the Spark databases ``bench_<size>`` (Parquet under ``.spark/tables``), reused
when the row count matches; ``--reload`` writes it again. Peak memory is not measured here:
the work happens in the server's JVM, not in this process.

    python benchmarks/bench_spark.py --append benchmarks/results.md   # what make bench runs
    python benchmarks/bench_spark.py --sizes 100000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bench  # benchmarks/ is on the path when this runs as a script
import sqlalchemy as sa

from analysis.errors import AnalysisError
from analysis.load.bulk import writable_engine
from analysis.load.synth import load_synthetic
from analysis.source.schema import session_requests

URL_ENV = "ANALYSIS_BENCH_SPARK_URL"
LOCAL_URL = "hive://127.0.0.1:10000/default"
SIZES = (100_000, 1_000_000)
HEADING = "## Spark SQL (Spark Thrift Server)"


@dataclass(frozen=True)
class SparkTarget:
    """What ``bench``'s measurements need of a target, for a Spark database."""

    url: str
    size: int
    engine: str = "spark"

    @property
    def schema(self) -> str:
        return f"bench_{self.size}"

    @property
    def name(self) -> str:
        return f"spark {bench.label(self.size)}"


def spark_engine(target: SparkTarget) -> sa.Engine:
    """PyHive with the session in UTC (what the package itself uses)."""
    return writable_engine(target.url)


def rows_loaded(target: SparkTarget) -> int | None:
    engine = spark_engine(target)
    try:
        with engine.connect() as conn:
            if target.schema not in {r[0] for r in conn.execute(sa.text("SHOW DATABASES"))}:
                return None
            conn = conn.execution_options(schema_translate_map={None: target.schema})
            count = sa.select(sa.func.count()).select_from(session_requests)
            return int(conn.execute(count).scalar_one())
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def load(target: SparkTarget, reload: bool) -> float | None:
    """Seconds to write and register the data (None: reused)."""
    if not reload and rows_loaded(target) == target.size:
        bench.say(f"  {target.name}: reusing loaded data ({target.size:,} requests)")
        return None
    bench.say(f"  {target.name}: loading {target.size:,} synthetic requests …")
    started = time.perf_counter()
    load_synthetic(target.url, bench.plan_for(target.size), target.schema, replace=True)
    return time.perf_counter() - started


def measure(target: SparkTarget, runs: int, reload: bool) -> dict:
    loaded = load(target, reload)
    findings, naive, count = bench.Timing(), bench.Timing(), bench.Timing()
    agree, errors, first = "", [], None
    for round_ in range(runs):
        for timing, job in (
            (count, lambda: bench.run_count(target)),  # type: ignore[arg-type]
            (findings, lambda: bench.run_findings(target)),  # type: ignore[arg-type]
            (naive, lambda: bench.run_naive(target)),  # type: ignore[arg-type]
        ):
            try:
                seconds, value = bench.time_once(job)
            except sa.exc.DBAPIError as exc:  # e.g. the driver's heap: say so, go on
                reason = str(exc.orig).split("errorMessage=")[-1][:120]
                bench.say(f"  {target.name}: failed: {reason}")
                errors.append(reason)
                continue
            timing.runs.append(seconds)
            bench.say(f"  {target.name}: run {round_ + 1}: {seconds:.2f} s")
            if round_ == 0 and timing is findings:
                first = value
            if round_ == 0 and timing is naive and first is not None:
                agree = bench.agreement(first, value)
    return {
        "target": target,
        "load": loaded,
        "findings": findings,
        "naive": naive,
        "count": count,
        "agree": agree or ("failed: " + errors[0] if errors else ""),
    }


def section(results: list[dict], note: str, runs: int, load: str = "") -> list[str]:
    lines = [
        "",
        HEADING,
        "",
        "`python benchmarks/bench_spark.py` (`make bench`): a local Thrift Server from the pyspark "
        "package, `local[2]`, 1 GB driver, `spark.sql.shuffle.partitions=4`, reached through "
        f"PyHive; the same synthetic year and measurements as above; medians of {runs}"
        + (f"; load average (1/5/15 min) at the start and end {load}." if load else "."),
        "",
    ]
    if note:
        return [*lines, note]
    lines += [
        "| size | (a) findings | (b) pandas | (c) count(*) | a/b | a/c | agree | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        a, b, c = r["findings"].median, r["naive"].median, r["count"].median
        lines.append(
            f"| {bench.label(r['target'].size)} | {bench.fmt_s(a)} | {bench.fmt_s(b)} | "
            f"{bench.fmt_s(c)} | {bench.fmt_x(bench._ratio(a, b))} | "
            f"{bench.fmt_x(bench._ratio(a, c))} | {r['agree']} | "
            f"{bench.fmt_s(r['load']) if r['load'] is not None else 'reused'} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get(URL_ENV, LOCAL_URL))
    parser.add_argument("--sizes", type=bench.parse_sizes, default=list(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--append", type=Path, help="results file to put the Spark section in")
    args = parser.parse_args(argv)
    note, results, load_start = "", [], bench.load_average()
    try:
        writable_engine(args.url).dispose()
    except AnalysisError as exc:
        note = f"Not measured: {exc}"
        bench.say(note)
    if not note:
        for size in args.sizes:
            results.append(measure(SparkTarget(args.url, size), args.runs, args.reload))
    lines = section(results, note, args.runs, f"{load_start}, {bench.load_average()}")
    print("\n".join(lines))
    if args.append:
        bench.replace_section(args.append, HEADING, lines[1:])  # lines[0] is a blank line
    return 0


if __name__ == "__main__":
    sys.exit(main())
