"""Running a notebook for a period with papermill, and putting what readers get in place.

Everything is written to a temporary folder beside the destination and moved into place only
when the notebook, the HTML and its JSON all exist: a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import papermill as pm
from jupyter_client.kernelspec import KernelSpecManager

from analysis.errors import AnalysisError
from analysis.period import Period
from analysis.report.export import export_html
from analysis.runs.layout import (
    NOTEBOOK,
    NOTEBOOKS,
    html_name,
    json_name,
    report_dir,
    run_record_name,
)
from analysis.source.engine import connect
from analysis.source.provenance import check_coverage
from analysis.source.urls import (
    SCHEMA_ENV,
    URL_ENV,
    describe_url,
    mask_url,
    parse_url,
    resolve_schema,
    resolve_url,
)

KERNEL = "session-analysis"
FALLBACK_KERNEL = "python3"
CELL_TIMEOUT_SECONDS = 600
# A kernel whose ports were taken by another starting at the same moment (a known papermill
# race with parallel runs) is started once more.
KERNEL_START_RACE = ("Address already in use", "Kernel died before replying to kernel_info")


class NotebookFailed(AnalysisError):
    """A notebook cell raised; the message names the cell and its error."""


def kernel_name() -> str:
    """The project's kernel when registered (``make setup``), else this interpreter's."""
    return KERNEL if KERNEL in KernelSpecManager().find_kernel_specs() else FALLBACK_KERNEL


@contextmanager
def database_env(url: str, schema: str | None) -> Iterator[None]:
    """Hand the URL (and schema) to the kernel through its environment, never through a
    notebook parameter, so they are not written into the executed notebook."""
    wanted = {URL_ENV: url, SCHEMA_ENV: schema}
    previous = {name: os.environ.get(name) for name in wanted}
    try:
        for name, value in wanted.items():
            _set_env(name, value)
        yield
    finally:
        for name, value in previous.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, object],
    cwd: Path,
    timeout: float | None = None,
) -> None:
    """Run the notebook; with ``timeout``, the whole run (every cell together) gets that long."""
    limits: dict[str, object] = {"execution_timeout": CELL_TIMEOUT_SECONDS}
    if timeout is not None:
        deadline = time.monotonic() + timeout
        # nbclient asks before each cell how long it may take: what is left of the budget.
        limits["timeout_func"] = lambda _cell: max(1, int(deadline - time.monotonic()) + 1)
        limits["start_timeout"] = max(1, min(60, int(timeout)))
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                kernel_name=kernel_name(),
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                **limits,
            )
            return
        except pm.PapermillExecutionError as exc:
            if exc.ename == "QueryTimeout":  # a limit the user set: bad input, one line
                raise AnalysisError(str(exc.evalue)) from None
            raise NotebookFailed(
                f"the notebook {notebook.name} failed in cell {exc.exec_count}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None
        except TimeoutError:
            limit = f"{timeout:g} seconds" if timeout is not None else "its time limit"
            raise NotebookFailed(
                f"the notebook {notebook.name} did not finish within {limit}: raise --timeout, "
                "or split the range into shorter periods"
            ) from None
        except Exception as exc:
            if attempt == 1 and any(sign in str(exc) for sign in KERNEL_START_RACE):
                continue
            raise


def notebook_names() -> list[str]:
    """The notebooks the runner can execute (``--notebook`` choices), by file stem."""
    return sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def notebook_path(name: str) -> Path:
    """``notebooks/<name>.ipynb`` (or the path of another notebook file), or an AnalysisError
    listing the choices."""
    if name.endswith(".ipynb") and Path(name).is_file():
        return Path(name)
    path = NOTEBOOKS / f"{name}.ipynb"
    if name not in notebook_names():
        raise AnalysisError(
            f"there is no notebook {name!r}: choose one of {', '.join(notebook_names())}"
        )
    return path


def run_settings(
    notebook: Path,
    period: Period,
    url: str | None,
    schema: str | None,
    parameters: Mapping[str, Any] | None = None,
    redact: bool = True,
    every: str | None = None,
    now: datetime | None = None,
) -> dict[str, object]:
    """What decides a notebook's outputs besides the data: a batch re-runs a period whose
    recorded settings differ (unmasked then, masked now; another database; an edited
    notebook; other parameters; a period that was still under way). ``parameters`` are those
    the user set (the rest are the library's defaults); ``every`` is the batch's period
    length (None for ``run``). The source is described, and identified by a hash of its
    masked URL (absolute path for a file), never given by its URL."""
    url, schema = resolve_url(url), resolve_schema(schema)
    now = now or datetime.now(UTC)
    return {
        "notebook": notebook.stem,
        "notebook_sha256": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "timezone": period.timezone,
        "every": every,
        "period_complete": period.utc_end <= now,
        "source": describe_url(url),
        "source_id": _source_id(url),
        "schema": schema,
        "parameters": {k: parameters[k] for k in sorted(parameters or {})},
        "redact": redact,
    }


def _source_id(url: str) -> str:
    parsed = parse_url(url)
    if parsed.get_backend_name() in ("sqlite", "duckdb") and parsed.database:
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return hashlib.sha256(mask_url(parsed).encode()).hexdigest()[:16]


def declared_parameters(notebook: Path) -> set[str]:
    """The names the notebook's ``parameters`` cell declares."""
    return set(pm.inspect_notebook(str(notebook)))


def _keep_others(destination: Path, staging: Path) -> None:
    """Hard-link (else copy) the destination's other notebooks' outputs into ``staging``, so
    replacing the folder keeps them."""
    if not destination.is_dir():
        return
    for old in destination.iterdir():
        new = staging / old.name
        if old.is_file() and not new.exists():
            try:
                os.link(old, new)
            except OSError:
                shutil.copy2(old, new)


def _replace_dir(source: Path, destination: Path) -> None:
    """Move ``source`` to ``destination``, replacing an older report only once the new one
    is complete."""
    if destination.exists():
        stale = destination.with_name(f".{destination.name}.old")
        shutil.rmtree(stale, ignore_errors=True)
        destination.rename(stale)
        source.rename(destination)
        shutil.rmtree(stale, ignore_errors=True)
    else:
        source.rename(destination)


def run_report(
    period: Period,
    out_dir: str | Path = "reports",
    db: str | None = None,
    notebook: Path = NOTEBOOK,
    schema: str | None = None,
    redact: bool = True,
    timeout: float | None = None,
    parameters: Mapping[str, Any] | None = None,
    every: str | None = None,
) -> Path:
    """Execute ``notebook`` for ``period`` into ``<out_dir>/<start>_<end>/``; return that folder.

    It holds the executed notebook, ``<notebook>.html``, its JSON (``findings.json`` for the
    investigation, ``<notebook>.json`` otherwise) and ``<notebook>.run.json`` (``run_settings``);
    other notebooks' outputs already in the folder are kept. ``parameters`` are the notebook
    parameters the user set (thresholds, test-account rules, profile fields): the notebook's
    own defaults (None: the library's) apply to the rest; one it doesn't declare is an
    error. ``redact`` masks personal data (``analysis.report.masking``); ``timeout`` bounds the
    whole notebook run, in seconds; ``every`` is recorded for the index.
    """
    period.ensure_not_future(datetime.now(UTC))
    given = dict(parameters or {})
    unknown = sorted(set(given) - declared_parameters(notebook))
    if unknown:
        raise AnalysisError(
            f"the notebook {notebook.name} has no parameter {', '.join(unknown)}: drop the "
            "option, or choose the notebook that takes it (--notebook)"
        )
    url, schema = resolve_url(db), resolve_schema(schema)
    # Fail fast, with one clear message, before starting a kernel.
    with connect(url, schema, given.get("naive_timezone"), given.get("query_timeout")) as conn:
        check_coverage(conn, period)
    out_root = Path(out_dir)
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{period.label}.", dir=out_root))
    staging.chmod(0o755)  # mkdtemp's 0700 would make the shared report private
    try:
        executed = staging / notebook.name
        json_file = json_name(notebook)
        injected = {
            "start_date": period.start.isoformat(),
            "end_date": period.end.isoformat(),
            "timezone": period.timezone,
            **given,
            "findings_path": json_file,
            "redact": redact,
        }
        with database_env(url, schema):
            _execute(notebook, executed, injected, cwd=staging, timeout=timeout)
        if not (staging / json_file).is_file():
            raise NotebookFailed(f"the notebook {notebook.name} did not write {json_file}")
        settings = run_settings(notebook, period, url, schema, given, redact, every)
        (staging / run_record_name(notebook)).write_text(
            json.dumps(settings, indent=2) + "\n", encoding="utf-8"
        )
        export_html(executed, staging / html_name(notebook))
        destination = report_dir(out_root, period)
        _keep_others(destination, staging)
        _replace_dir(staging, destination)
        return destination
    finally:
        shutil.rmtree(staging, ignore_errors=True)
