"""Command line: ``python -m analysis <command>``. Bad input gets one line on stderr and exit 2;
a failing notebook exits 1 with the failing cell's error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis.assessment import Thresholds
from analysis.db import DEMO_DB
from analysis.errors import AnalysisError
from analysis.period import DEFAULT_TIMEZONE, Period
from analysis.report import NotebookFailed, notebook_names, notebook_path, run_report

EXIT_NOTEBOOK_FAILED = 1
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="regenerate the investigation for a period")
    run.add_argument("--start", required=True, help="first local date, YYYY-MM-DD (inclusive)")
    run.add_argument("--end", required=True, help="last local date, YYYY-MM-DD (inclusive)")
    run.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="IANA time zone of the dates")
    run.add_argument(
        "--db", help="database URL (default: $ANALYSIS_DATABASE_URL, else the demo database)"
    )
    run.add_argument("--out", default="reports", help="folder for reports (default: reports)")
    run.add_argument(
        "--notebook",
        default="session_investigation",
        help="which notebook to run: "
        + ", ".join(notebook_names())
        + " (default session_investigation)",
    )
    defaults = Thresholds()
    for name, value in vars(defaults).items():
        run.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=value,
            help=f"testing-readiness threshold (default {value})",
        )

    demo = commands.add_parser("build-demo", help="(re)build the SQLite demo database")
    demo.add_argument("--to", default=str(DEMO_DB), help=f"target file (default {DEMO_DB})")
    return parser


def _run(args: argparse.Namespace) -> int:
    period = Period.parse(args.start, args.end, args.timezone)
    thresholds = Thresholds(**{k: getattr(args, k) for k in vars(Thresholds())})
    notebook = notebook_path(args.notebook)
    folder = run_report(period, args.out, args.db, thresholds, notebook=notebook)
    print(f"report written to {folder}")
    return 0


def _build_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from analysis.demo import build_demo_db

    counts = build_demo_db(Path(args.to))
    print(f"demo database {args.to}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"run": _run, "build-demo": _build_demo}
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
