"""Where the findings' time goes: each query of ``investigate`` timed, on the benchmark data.

``bench.py`` says how long the whole findings take; this says which queries make that time,
so a missed target can be explained. Queries are timed with SQLAlchemy's cursor events (the
statement as sent to the driver, fetching included) and named by the line of the package
that ran them. It reuses the data ``bench.py`` loaded (run that first) and appends a section
to its results file:

    python benchmarks/query_profile.py --size 1000000 --engines duckdb,postgresql \
        --append benchmarks/results.md
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench import DEFAULT_DATA, END, ENGINES, START, TIMEZONE, Target, label, load, postgres_problem
from sqlalchemy.engine import Engine

from analysis.investigation.findings import investigate

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "analysis"
# The call that names a query: queries.request_cube(period), quality.anomaly_rows(…), …
BUILDER = re.compile(r"\b([\w.]+)\(")


def query_name() -> str:
    """The package line that ran the current statement, reduced to its query builder."""
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if path.parent == PACKAGE_DIR and path.name not in ("db.py", "inspection.py"):
            calls = [c for c in BUILDER.findall(frame.line or "") if not c.startswith("metrics.")]
            dotted = [c for c in calls if "." in c]
            return (dotted or calls or [f"{path.name}:{frame.lineno}"])[-1]
        if path.parent == PACKAGE_DIR and path.name == "inspection.py":
            return "schema check"
    return "other"


@contextmanager
def timed_statements() -> Iterator[dict[str, list[float]]]:
    """Seconds per statement, by query name, for every engine while the block runs."""
    seconds: dict[str, list[float]] = defaultdict(list)
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(*_: Any) -> None:
        seconds[query_name()].append(time.perf_counter() - started.pop())

    sa.event.listen(Engine, "before_cursor_execute", before)
    sa.event.listen(Engine, "after_cursor_execute", after)
    try:
        yield seconds
    finally:
        sa.event.remove(Engine, "before_cursor_execute", before)
        sa.event.remove(Engine, "after_cursor_execute", after)


def profile(target: Target, runs: int) -> tuple[float, dict[str, float]]:
    """Median total seconds of ``investigate`` and median seconds per query name."""
    totals: list[float] = []
    per_query: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        with timed_statements() as seconds:
            began = time.perf_counter()
            investigate(START, END, TIMEZONE, db=target.url, schema=target.schema)
            totals.append(time.perf_counter() - began)
        for name, values in seconds.items():
            per_query[name].append(sum(values))
    return statistics.median(totals), {n: statistics.median(v) for n, v in per_query.items()}


def table(engine: str, size: int, total: float, per_query: dict[str, float]) -> list[str]:
    in_queries = sum(per_query.values())
    lines = [
        f"### {engine}, {label(size)} requests: findings {total:.2f} s, "
        f"of which {in_queries:.2f} s in {len(per_query)} kinds of statement",
        "",
        "| statement (package call) | seconds | share of findings |",
        "| --- | ---: | ---: |",
    ]
    for name, seconds in sorted(per_query.items(), key=lambda item: -item[1]):
        lines.append(f"| `{name}` | {seconds:.3f} | {seconds / total:.0%} |")
    lines.append(
        f"| everything else (Python: metrics, frames, connect) | "
        f"{total - in_queries:.3f} | {(total - in_queries) / total:.0%} |"
    )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="query_profile.py", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="requests (1000000)")
    parser.add_argument("--engines", default="duckdb,postgresql", help="comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine (3)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--append", type=Path, help="Markdown file to append the tables to")
    args = parser.parse_args(argv)
    lines = [
        "## Where the findings' time goes (benchmarks/query_profile.py)",
        "",
        f"Each statement of one `investigate` over the year, timed with SQLAlchemy cursor "
        f"events (execution and fetch), medians of {args.runs} runs, named by the package "
        "call that built it.",
        "",
    ]
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine not in ENGINES:
            parser.error(f"unknown engine {engine!r}: use {', '.join(ENGINES)}")
        target = Target(engine, args.size, args.data_dir)
        if engine == "postgresql" and (problem := postgres_problem()):
            lines += [f"### postgresql: skipped, {problem}", ""]
            continue
        load(target, reload=False)  # reuses data bench.py loaded; loads it when missing
        total, per_query = profile(target, args.runs)
        lines += table(engine, args.size, total, per_query)
    print("\n".join(lines))
    if args.append:
        with args.append.open("a") as out:
            out.write("\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
