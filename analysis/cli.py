"""Command line: ``python -m analysis <command>``. Bad input, or a reports folder that can't be
written (full, read-only), gets one line on stderr and exit 2; a failing notebook (or any
failed period of a batch) exits 1 with the error; Ctrl-C one line and exit 130. After ``run``
and ``batch`` the index is rebuilt whatever happened, to show what exists."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.domain import DEFAULT_TIMEZONE, RETRY_WINDOW_MINUTES, TOP_N, Thresholds
from analysis.errors import AnalysisError
from analysis.period import EVERY, Period
from analysis.runs.kernel import KernelSession, NotebookFailed, kernel_database_env
from analysis.runs.layout import (
    INDEX_FILE,
    NOTEBOOK,
    OutputUnwritable,
    check_request,
    clear_failure,
    ensure_writable,
    log_path,
    notebook_names,
    notebook_path,
    unwritable,
)
from analysis.source.urls import DEMO_DB, mask_url, resolve_schema, resolve_url

if TYPE_CHECKING:
    from analysis.runs.batch import BatchResult

# The rest (the runner, batches, the database) is imported by the commands that use it: `run`
# starts its kernel first, so that the kernel's imports overlap this process's.

EXIT_NOTEBOOK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
DEFAULT_TIMEOUT_SECONDS = 1800
DB_HELP = "database URL (default: $ANALYSIS_DATABASE_URL, else the demo database)"
SPARK_DIR_HELP = "folder of its metastore, warehouse, log and pid file (default .spark)"
LOCATION_HELP = (
    "hive:// only: folder for the tables' Parquet files, read by the Spark server "
    "(default .spark/tables)"
)
SCHEMA_HELP = "schema holding the platform's tables, e.g. public ($ANALYSIS_DATABASE_SCHEMA)"


def _period_options(command: argparse.ArgumentParser, required: bool) -> None:
    command.add_argument("--start", required=required, help="first local date, YYYY-MM-DD")
    command.add_argument("--end", required=required, help="last local date (inclusive)")
    command.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="IANA time zone of dates")


def _report_options(command: argparse.ArgumentParser) -> None:
    """The options ``run`` and ``batch`` share."""
    _period_options(command, required=True)
    command.add_argument("--db", help=DB_HELP)
    command.add_argument("--schema", help=SCHEMA_HELP)
    command.add_argument("--out", default="reports", help="folder for reports (default: reports)")
    command.add_argument(
        "--no-redact",
        dest="redact",
        action="store_false",
        help="show e-mails, names and phones unmasked (internal use only: not for sharing)",
    )
    command.add_argument(
        "--notebook",
        default=NOTEBOOK.stem,
        help=f"which notebook to run: {', '.join(notebook_names())} (default {NOTEBOOK.stem})",
    )
    for threshold in fields(Thresholds):
        command.add_argument(
            f"--{threshold.name.replace('_', '-')}",
            type=int,
            help=f"testing-readiness threshold (default {threshold.default})",
        )
    command.add_argument(
        "--retry-window",
        dest="retry_window_minutes",
        type=int,
        metavar="MINUTES",
        help="a customer's request this soon after one of theirs failed counts as a retry "
        f"(default {RETRY_WINDOW_MINUTES})",
    )
    command.add_argument(
        "--naive-timezone",
        help="IANA zone of timestamps stored without a time zone (default UTC)",
    )
    command.add_argument(
        "--query-timeout",
        type=float,
        help="seconds one query may run, or wait for a lock, before it is cancelled and the "
        "run stops with exit 2 (default 300)",
    )
    command.add_argument(
        "--top",
        dest="top_n",
        type=int,
        metavar="N",
        help=f"customers, mechanics and ids listed in the report and findings.json before one "
        f"row for the others (default {TOP_N}); the CSV files beside the report list them all",
    )
    # Each repeatable; given once or more, they replace the library's default list.
    for option, parameter, what in LIST_OPTIONS:
        command.add_argument(option, dest=parameter, action="append", metavar="VALUE", help=what)


# Repeatable options for notebook parameters that are lists: option, parameter, help.
LIST_OPTIONS = (
    (
        "--test-pattern",
        "test_email_patterns",
        "regular expression marking a customer e-mail as a test account (default: test)",
    ),
    (
        "--test-domain",
        "test_reserved_domains",
        "domain reserved for testing; a leading dot matches any domain ending so "
        "(default: the RFC 2606/6761 names)",
    ),
    ("--known-test-account", "known_test_accounts", "e-mail always counted as a test account"),
    (
        "--mechanic-field",
        "mechanic_fields",
        "profile_audit: field a complete mechanic profile needs (default: SCHEMA.md's)",
    ),
    (
        "--customer-field",
        "customer_fields",
        "profile_audit: field a complete customer profile needs (default: SCHEMA.md's)",
    ),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="regenerate the investigation for a period")
    _report_options(run)

    batch = commands.add_parser("batch", help="one report per day, week or month of a range")
    _report_options(batch)
    batch.add_argument(
        "--every",
        required=True,
        choices=EVERY,
        help="period length: calendar days, Monday–Sunday weeks or months; the first and last "
        "are clipped to --start/--end",
    )
    batch.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks run at once (default: the number of cores)",
    )
    batch.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds one period's notebook may take (default {DEFAULT_TIMEOUT_SECONDS})",
    )
    batch.add_argument(
        "--continue-on-error",
        action="store_true",
        help="run the other periods when one fails (exit 1 at the end, naming each failure)",
    )
    batch.add_argument("--force", action="store_true", help="re-run periods already reported")
    batch.add_argument("--quiet", action="store_true", help="no progress bar (logs stay)")

    index = commands.add_parser("index", help="rebuild <out>/index.html from the reports there")
    index.add_argument("--out", default="reports", help="folder of reports (default: reports)")

    check = commands.add_parser(
        "check", help="open the index and every report in headless Chromium, offline"
    )
    check.add_argument("--out", default="reports", help="folder of reports (default: reports)")
    check.add_argument("--no-screenshots", dest="screenshots", action="store_false")

    demo = commands.add_parser("build-demo", help="(re)build the SQLite demo database")
    demo.add_argument("--to", default=str(DEMO_DB), help=f"target file (default {DEMO_DB})")

    load = commands.add_parser("load-demo", help="put the demo data into any supported database")
    load.add_argument("--db", required=True, help="target database URL (written to)")
    load.add_argument("--schema", help="schema to create the tables in (default: the default)")
    load.add_argument("--replace", action="store_true", help="drop and reload existing tables")
    load.add_argument("--location", type=Path, help=LOCATION_HELP)

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
    synth.add_argument("--location", type=Path, help=LOCATION_HELP)

    up = commands.add_parser("spark-up", help="start a local Spark Thrift Server (make spark)")
    up.add_argument("--port", type=int, default=10000, help="port on 127.0.0.1 (10000)")
    up.add_argument("--driver-memory", default="1g", help="the JVM's heap (1g)")
    up.add_argument("--dir", type=Path, help=SPARK_DIR_HELP)
    down = commands.add_parser("spark-down", help="stop the local Spark Thrift Server")
    down.add_argument("--dir", type=Path, help=SPARK_DIR_HELP)
    return parser


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The notebook parameters the user set on the command line (the rest keep the library's
    defaults)."""
    if args.top_n is not None and args.top_n < 1:
        raise AnalysisError(f"--top {args.top_n} lists nothing: give 1 or more")
    names = [t.name for t in fields(Thresholds)] + [p for _, p, _ in LIST_OPTIONS]
    names += ["retry_window_minutes", "naive_timezone", "query_timeout", "top_n"]
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def _refresh_index(out: Path) -> Path | None:
    """Rebuild ``out``'s index to show what exists; when that can't be written (a full or
    read-only disk), remove the old one rather than leave it stale. None when not written."""
    if not out.is_dir():
        return None
    try:
        from analysis.runs.index import build_index  # the charts' imports, once needed

        return build_index(out)
    except OSError as exc:
        if unwritable(exc, out) is None:
            raise
        with contextlib.suppress(OSError):
            (out / INDEX_FILE).unlink(missing_ok=True)
        return None


def _run(args: argparse.Namespace) -> int:
    period = Period.parse(args.start, args.end, args.timezone)
    out = Path(args.out)
    notebook = notebook_path(args.notebook)
    parameters = _parameters(args)
    check_request(period, notebook, parameters)  # before a kernel starts
    if out.exists():  # else made by the runner once the input is checked
        ensure_writable(out)
    env = kernel_database_env(resolve_url(args.db), resolve_schema(args.schema))
    try:
        with KernelSession() as kernel:
            # Started before the runner is imported: the kernel imports its libraries while
            # this process imports its own and checks the source.
            kernel.start(env, Path.cwd())
            import analysis.runs.index  # noqa: F401 (for the index, after the report)
            from analysis.runs.runner import run_report

            folder = run_report(
                period,
                out,
                args.db,
                notebook=notebook,
                schema=args.schema,
                redact=args.redact,
                parameters=parameters,
                session=kernel,
            )
    except (OSError, KeyboardInterrupt) as exc:
        _refresh_index(out)
        raise (unwritable(exc, out) or exc) from None
    except NotebookFailed:
        _refresh_index(out)
        raise
    clear_failure(out, period)
    print(f"report written to {folder}")
    index = _refresh_index(out)
    print(f"index: {index}" if index else f"index: not written ({out} can't be written)")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from analysis.runs.batch import DONE, FAILED, NOT_RUN, BatchInterrupted, Job, run_batch
    from analysis.source.engine import connect

    whole = Period.parse(args.start, args.end, args.timezone)
    now = datetime.now(UTC)
    notebook = notebook_path(args.notebook)
    parameters = _parameters(args)
    # one message, not one failure per period: a range in the future, an unknown option
    check_request(whole, notebook, parameters)
    every_period = whole.split(args.every)
    periods = [p for p in every_period if p.utc_start <= now]
    if later := len(every_period) - len(periods):
        print(f"note: {later} period(s) starting after today left out", file=sys.stderr)
    if args.workers < 1:
        raise AnalysisError(
            f"--workers {args.workers} is not a number of processes: give 1 or more"
        )
    if args.timeout <= 0:
        raise AnalysisError(f"--timeout {args.timeout:g} is not a duration: give seconds above 0")
    url, schema = resolve_url(args.db), resolve_schema(args.schema)
    # an unusable database stops everything before any period
    with connect(url, schema, args.naive_timezone, args.query_timeout):
        pass
    out = Path(args.out)
    ensure_writable(out)
    jobs = [
        Job(p, out, url, parameters, args.redact, args.timeout, notebook, schema, args.every)
        for p in periods
    ]
    try:
        result = run_batch(
            jobs, args.workers, args.continue_on_error, args.force, progress=not args.quiet
        )
    except BatchInterrupted as stopped:
        # The summary first: it needs no disk.
        print(stopped.result.summary())
        _refresh_index(out)
        raise
    print(result.summary())
    index = _refresh_index(out)
    print(f"index: {index}" if index else f"index: not written ({out} can't be written)")
    full = [o for o in result.with_status(FAILED) if o.unwritable]
    problems = [
        o for o in result.with_status(FAILED) + result.with_status(NOT_RUN) if o not in full
    ]
    for outcome in problems if not full else []:
        log = log_path(out, outcome.label)
        where = f" (log: {log})" if log.is_file() and outcome.status == FAILED else ""
        print(
            f"error: period {outcome.label} {outcome.status}: {outcome.error}{where}",
            file=sys.stderr,
        )
    if full:
        written = len(result.with_status(DONE))
        raise OutputUnwritable(f"{full[0].error} ({written} periods were written)")
    return EXIT_NOTEBOOK_FAILED if problems else 0


def interrupted_line(result: BatchResult | None) -> str:
    """What Ctrl-C leaves, in one line."""
    if result is None:
        return "interrupted: nothing half-written was left; run the command again"
    from analysis.runs.batch import DONE, NOT_RUN

    done = len(result.with_status(DONE))
    left = len(result.with_status(NOT_RUN))
    return (
        f"interrupted: {done} periods written, {left} not run; run the same command again to "
        "finish (periods already written are skipped)"
    )


def _index(args: argparse.Namespace) -> int:
    from analysis.runs.index import build_index  # the charts' imports, after the report

    print(f"index: {build_index(args.out)}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from analysis.runs.browser import check_pages

    out = Path(args.out)
    # every notebook's page: the investigation's, and the profile audit's where it was run
    pages = sorted(p for name in notebook_names() for p in out.glob(f"*/{name}.html"))
    if (out / "index.html").is_file():
        pages.insert(0, out / "index.html")
    if not pages:
        raise AnalysisError(
            f"no index.html or report in {out}: run `python -m analysis batch` first"
        )
    failed = 0
    for check in check_pages(pages, screenshots=args.screenshots):
        problems = check.problems
        failed += bool(problems)
        shot = f", screenshot {check.screenshot}" if check.screenshot else ""
        state = "; ".join(problems) if problems else "ok"
        print(f"{check.path}: {len(check.images)} images, {check.tables} tables{shot}: {state}")
    if failed:
        print(f"error: {failed} of {len(pages)} pages have problems (see above)", file=sys.stderr)
        return EXIT_NOTEBOOK_FAILED
    return 0


def _build_demo(args: argparse.Namespace) -> int:
    from analysis.load.demo import build_demo_db

    counts = build_demo_db(Path(args.to))
    print(f"demo database {args.to}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0


def _load_demo(args: argparse.Namespace) -> int:
    from analysis.load.demo import load_demo

    counts = load_demo(args.db, args.schema, args.replace, args.location)
    print(f"demo data loaded into {mask_url(args.db)}: " + _counts(counts))
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    from analysis.load.snapshot import take_snapshot

    if (args.start is None) != (args.end is None):
        raise AnalysisError("give both --start and --end to snapshot one period, or neither")
    period = Period.parse(args.start, args.end, args.timezone) if args.start else None
    counts = take_snapshot(
        args.source, args.to, period, args.schema, show_progress=sys.stderr.isatty()
    )
    print(f"snapshot written to {args.to}: " + _counts(counts))
    return 0


def _synth(args: argparse.Namespace) -> int:
    from analysis.load.synth import Plan, load_synthetic

    period = Period.parse(args.start, args.end)
    plan = Plan(
        requests=args.requests,
        customers=args.customers or max(10, args.requests // 50),
        mechanics=args.mechanics or max(5, args.requests // 5000),
        start=period.start,
        end=period.end,
        seed=args.seed,
    )
    counts = load_synthetic(args.db, plan, args.schema, args.replace, args.location)
    print(f"synthetic data in {mask_url(args.db)}: " + _counts(counts))
    return 0


def _spark_up(args: argparse.Namespace) -> int:
    from analysis.load import spark_server

    url = spark_server.start(
        args.port, args.dir or spark_server.SPARK_DIR, driver_memory=args.driver_memory
    )
    print(url)
    return 0


def _spark_down(args: argparse.Namespace) -> int:
    from analysis.load import spark_server

    pid = spark_server.stop(args.dir or spark_server.SPARK_DIR)
    print(f"stopped the Spark Thrift Server (pid {pid})" if pid else "no Spark server was running")
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


HANDLERS = {
    "run": _run,
    "batch": _batch,
    "index": _index,
    "check": _check,
    "build-demo": _build_demo,
    "load-demo": _load_demo,
    "snapshot": _snapshot,
    "synth": _synth,
    "spark-up": _spark_up,
    "spark-down": _spark_down,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except KeyboardInterrupt as exc:  # a batch's (BatchInterrupted) holds what it finished
        print(f"error: {interrupted_line(getattr(exc, 'result', None))}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOTEBOOK_FAILED
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
