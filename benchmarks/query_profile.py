"""Where the findings' time goes: each declared query of ``investigate`` timed, on the
benchmark data.

``bench.py`` says how long the whole findings take; this says which queries make that time,
so a missed target can be explained. ``investigate`` runs its queries by name from the
registry (``analysis.investigation.queries.QUERIES``) and reports each one's seconds
(execution and fetch) through its ``timings`` argument. It reuses the data ``bench.py``
loaded (run that first) and appends a section to its results file:

    python benchmarks/query_profile.py --size 1000000 --engines duckdb,postgresql \
        --append benchmarks/results.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench import DEFAULT_DATA, END, ENGINES, START, TIMEZONE, Target, label, load, postgres_problem

from analysis import investigate


def profile(target: Target, runs: int) -> tuple[float, dict[str, float]]:
    """Median total seconds of ``investigate`` and median seconds per declared query."""
    totals: list[float] = []
    per_query: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        timings: list[tuple[str, float]] = []
        began = time.perf_counter()
        investigate(START, END, TIMEZONE, db=target.url, schema=target.schema, timings=timings)
        totals.append(time.perf_counter() - began)
        seconds: dict[str, float] = defaultdict(float)
        for name, value in timings:
            seconds[name] += value
        for name, value in seconds.items():
            per_query[name].append(value)
    return statistics.median(totals), {n: statistics.median(v) for n, v in per_query.items()}


def table(engine: str, size: int, total: float, per_query: dict[str, float]) -> list[str]:
    in_queries = sum(per_query.values())
    lines = [
        f"### {engine}, {label(size)} requests: findings {total:.2f} s, "
        f"of which {in_queries:.2f} s in {len(per_query)} kinds of statement",
        "",
        "| declared query | seconds | share of findings |",
        "| --- | ---: | ---: |",
    ]
    for name, seconds in sorted(per_query.items(), key=lambda item: -item[1]):
        lines.append(f"| `{name}` | {seconds:.3f} | {seconds / total:.0%} |")
    lines.append(
        f"| everything else (connect, schema check, metrics, frames) | "
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
        "Each declared query of one `investigate` over the year (execution and fetch), "
        f"medians of {args.runs} runs, by its name in `analysis.investigation.queries.QUERIES`.",
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
