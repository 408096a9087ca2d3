"""Running a notebook for a period (nbclient, on its own kernel or a warm one), and putting
what readers get in place.

Everything is written to a temporary folder beside the destination and moved into place only
when the notebook, the HTML and its JSON all exist: a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from analysis.period import Period
from analysis.report.html import export_html, exporter
from analysis.runs import layout
from analysis.runs.kernel import (
    KernelSession,
    NotebookFailed,
    kernel_database_env,
    kernel_name,  # noqa: F401 (re-exported: the kernel the runner uses)
    read_notebook,
    write_notebook,
)
from analysis.runs.layout import (
    NOTEBOOK,
    html_name,
    json_name,
    report_dir,
    run_record_name,
)
from analysis.source.engine import connect
from analysis.source.provenance import check_coverage
from analysis.source.urls import (
    describe_url,
    mask_url,
    parse_url,
    resolve_schema,
    resolve_url,
)

# A kernel whose ports were taken by another starting at the same moment (a race with
# parallel runs) is started once more.
log = logging.getLogger(__name__)
KERNEL_START_RACE = ("Address already in use", "Kernel died before replying to kernel_info")


@contextmanager
def database_env(url: str, schema: str | None) -> Iterator[None]:
    """Hand the URL (and schema) to this process's environment for the duration (kernels get
    them through ``kernel_database_env``, never through a notebook parameter)."""
    wanted = kernel_database_env(url, schema)
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


def inject_parameters(nb: nbformat.NotebookNode, parameters: Mapping[str, Any]) -> None:
    """Add the ``injected-parameters`` cell after the ``parameters`` cell, as papermill does
    (values as Python literals)."""
    lines = ["# Parameters"] + [f"{name} = {value!r}" for name, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines) + "\n")
    cell.metadata["tags"] = ["injected-parameters"]
    if nb.nbformat_minor < 5:
        del cell["id"]  # cell ids came with nbformat 4.5
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def _execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, object],
    cwd: Path,
    deadline: float | None = None,
    limit: str = "its time limit",
    session: KernelSession | None = None,
    env: Mapping[str, str | None] | None = None,
) -> nbformat.NotebookNode:
    """Run the notebook on ``session`` (a kernel of its own when None), write it to ``output``
    once, at the end, and return it. ``deadline`` (``time.monotonic()``) bounds the whole
    run."""
    nb = read_notebook(notebook)
    inject_parameters(nb, parameters)
    own = session is None
    kernel = session or KernelSession(warm=False)
    try:
        for attempt in (1, 2):
            try:
                executed = kernel.execute(
                    nb, cwd, env or {}, deadline=deadline, name=notebook.name, limit=limit
                )
                break
            except NotebookFailed:
                raise
            except Exception as exc:
                if attempt == 1 and any(sign in str(exc) for sign in KERNEL_START_RACE):
                    continue
                raise
        write_notebook(executed, output)
        return executed
    finally:
        if own:
            kernel.close()


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
        "notebook_sha256": layout.sha256(notebook),
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


def _carry_over(destination: Path, staging: Path, notebook: Path, redact: bool) -> None:
    """Hard-link (else copy) into ``staging`` the destination's files this run keeps
    (``layout.keep_from``), and say which it drops."""
    kept, dropped = layout.keep_from(destination, notebook, redact)
    for name in kept:
        try:
            os.link(destination / name, staging / name)
        except OSError:
            shutil.copy2(destination / name, staging / name)
    if dropped:
        log.warning(
            "note: removed %s from %s: made with other masking, or not by a run (run their "
            "notebook again to remake them)",
            ", ".join(dropped),
            destination,
        )


def _in_time(deadline: float | None, notebook: Path, limit: str) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise NotebookFailed(
            f"the notebook {notebook.name} did not finish within {limit}: raise --timeout, "
            "or split the range into shorter periods"
        )


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
    session: KernelSession | None = None,
) -> Path:
    """Execute ``notebook`` for ``period`` into ``<out_dir>/<start>_<end>/``; return that folder.

    It holds the executed notebook, ``<notebook>.html``, its JSON (``findings.json`` for the
    investigation, ``<notebook>.json`` otherwise) and ``<notebook>.run.json`` (``run_settings``
    and the outputs' hashes); other notebooks' outputs already in the folder are kept when
    made with the same masking (``layout.keep_from``). ``parameters`` are the notebook
    parameters the user set (thresholds, test-account rules, profile fields): the notebook's
    own defaults (None: the library's) apply to the rest; one it doesn't declare is an
    error. ``redact`` masks personal data (``analysis.report.masking``); ``timeout`` bounds
    the whole run, checks and export included, in seconds; ``every`` is recorded for the
    index; ``session`` is a kernel already started (a batch worker's, or the command
    line's), else one is.
    """
    began = time.monotonic()
    deadline = began + timeout if timeout is not None else None
    limit = f"{timeout:g} seconds" if timeout is not None else "its time limit"
    given = dict(parameters or {})
    layout.check_request(period, notebook, given)
    url, schema = resolve_url(db), resolve_schema(schema)
    env = kernel_database_env(url, schema)
    own = session is None
    kernel = session or KernelSession()
    if own:  # it starts and imports while the source is checked
        kernel.start(env, Path.cwd())
    try:
        return _run_on(
            kernel,
            period,
            Path(out_dir),
            url,
            schema,
            notebook,
            redact,
            given,
            every,
            env,
            deadline,
            limit,
        )
    finally:
        if own:
            kernel.close()


def _run_on(
    kernel: KernelSession,
    period: Period,
    out_root: Path,
    url: str,
    schema: str | None,
    notebook: Path,
    redact: bool,
    given: dict[str, Any],
    every: str | None,
    env: Mapping[str, str | None],
    deadline: float | None,
    limit: str,
) -> Path:
    """``run_report``'s work once its input is checked, on ``kernel``."""
    # Fail fast, with one clear message, before any notebook runs.
    with connect(url, schema, given.get("naive_timezone"), given.get("query_timeout")) as conn:
        check_coverage(conn, period)
    _in_time(deadline, notebook, limit)
    exporter()  # its templates compiled while a starting kernel imports its libraries
    out_root.mkdir(parents=True, exist_ok=True)
    layout.remove_stale(out_root)
    staging = layout.staging_dir(out_root, period.label)
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
        ran = _execute(notebook, executed, injected, staging, deadline, limit, kernel, env)
        if not (staging / json_file).is_file():
            raise NotebookFailed(f"the notebook {notebook.name} did not write {json_file}")
        _in_time(deadline, notebook, limit)
        export_html(ran, staging / html_name(notebook))
        settings = run_settings(notebook, period, url, schema, given, redact, every)
        settings["outputs"] = {
            name: layout.sha256(staging / name) for name in layout.checked_outputs(notebook)
        }
        (staging / run_record_name(notebook)).write_text(
            json.dumps(settings, indent=2) + "\n", encoding="utf-8"
        )
        _in_time(deadline, notebook, limit)
        destination = report_dir(out_root, period)
        _carry_over(destination, staging, notebook, redact)
        layout.swap_dir(staging, destination)
        return destination
    finally:
        shutil.rmtree(staging, ignore_errors=True)
