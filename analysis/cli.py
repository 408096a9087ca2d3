"""Command line: ``python -m analysis <command>``. Bad input gets one line on stderr and exit 2;
a failing notebook exits 1 with the failing cell's error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.assessment import Thresholds
from analysis.db import DEMO_DB
from analysis.errors import AnalysisError
from analysis.period import DEFAULT_TIMEZONE, Period
from analysis.report import NotebookFailed, notebook_names, notebook_path, run_report

EXIT_NOTEBOOK_FAILED = 1
EXIT_BAD_INPUT = 2
DB_HELP = "database URL (default: $ANALYSIS_DATABASE_URL, else the demo database)"
SCHEMA_HELP = (
    "schema holding the platform's tables, e.g. public (default: $ANALYSIS_DATABASE_SCHEMA)"
)


def _period_options(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--start", required=required, help="first local date, YYYY-MM-DD")
    parser.add_argument("--end", required=required, help="last local date, YYYY-MM-DD (inclusive)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="IANA time zone of the dates")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="regenerate the investigation for a period")
    _period_options(run, required=True)
    run.add_argument("--db", help=DB_HELP)
    run.add_argument("--schema", help=SCHEMA_HELP)
    run.add_argument("--out", default="reports", help="folder for reports (default: reports)")
    run.add_argument(
        "--notebook",
        default="session_investigation",
        help="which notebook to run: "
        + ", ".join(notebook_names())
        + " (default session_investigation)",
    )
    for name, value in vars(Thresholds()).items():
        run.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=value,
            help=f"testing-readiness threshold (default {value})",
        )

    demo = commands.add_parser("build-demo", help="(re)build the SQLite demo database")
    demo.add_argument("--to", default=str(DEMO_DB), help=f"target file (default {DEMO_DB})")

    load = commands.add_parser("load-demo", help="put the demo data into any supported database")
    load.add_argument("--db", required=True, help="target database URL (written to)")
    load.add_argument("--schema", help="schema to create the tables in (default: the default)")
    load.add_argument("--replace", action="store_true", help="drop and reload existing tables")

    snap = commands.add_parser("snapshot", help="copy a live database into a local DuckDB file")
    snap.add_argument("--from", dest="source", required=True, help="source URL (read-only)")
    snap.add_argument("--to", required=True, type=Path, help="target .duckdb file")
    snap.add_argument("--schema", help=SCHEMA_HELP)
    _period_options(snap, required=False)
    synth = commands.add_parser("synth", help="generate realistic synthetic data into a database")
    synth.add_argument("--db", required=True, help="target database URL (written to)")
    synth.add_argument("--schema", help="schema to create the tables in")
    synth.add_argument("--requests", type=int, required=True, help="session requests to make")
    synth.add_argument("--customers", type=int, default=None, help="default: requests / 50")
    synth.add_argument("--mechanics", type=int, default=None, help="default: requests / 5000")
    synth.add_argument("--start", default="2025-01-01", help="first local date (2025-01-01)")
    synth.add_argument("--end", default="2025-12-31", help="last local date (2025-12-31)")
    synth.add_argument("--seed", type=int, default=0, help="random seed (0)")
    synth.add_argument("--replace", action="store_true", help="drop and regenerate tables")
    return parser


def _synth(args: argparse.Namespace) -> int:
    from analysis.db import mask_url
    from analysis.synth import Plan, load_synthetic

    period = Period.parse(args.start, args.end)
    plan = Plan(
        requests=args.requests,
        customers=args.customers or max(10, args.requests // 50),
        mechanics=args.mechanics or max(5, args.requests // 5000),
        start=period.start,
        end=period.end,
        seed=args.seed,
    )
    counts = load_synthetic(args.db, plan, args.schema, args.replace)
    print(
        f"synthetic data in {mask_url(args.db)}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items())
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    period = Period.parse(args.start, args.end, args.timezone)
    thresholds = Thresholds(**{k: getattr(args, k) for k in vars(Thresholds())})
    notebook = notebook_path(args.notebook)
    folder = run_report(
        period, args.out, args.db, thresholds, notebook=notebook, schema=args.schema
    )
    print(f"report written to {folder}")
    return 0


def _build_demo(args: argparse.Namespace) -> int:
    from analysis.demo import build_demo_db

    counts = build_demo_db(Path(args.to))
    print(f"demo database {args.to}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0


def _load_demo(args: argparse.Namespace) -> int:
    from analysis.db import mask_url
    from analysis.demo import load_demo

    counts = load_demo(args.db, args.schema, args.replace)
    print(
        f"demo data loaded into {mask_url(args.db)}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items())
    )
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    from analysis.snapshot import take_snapshot

    if (args.start is None) != (args.end is None):
        raise AnalysisError("give both --start and --end to snapshot one period, or neither")
    period = Period.parse(args.start, args.end, args.timezone) if args.start else None
    counts = take_snapshot(
        args.source, args.to, period, args.schema, show_progress=sys.stderr.isatty()
    )
    print(f"snapshot written to {args.to}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "run": _run,
        "build-demo": _build_demo,
        "load-demo": _load_demo,
        "snapshot": _snapshot,
        "synth": _synth,
    }
    try:
        return handlers[args.command](args)
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOTEBOOK_FAILED
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
