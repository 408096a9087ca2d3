"""Many periods at once: one notebook per period through ``analysis.runs.runner.run_report``, run in
parallel worker processes, with a progress bar, a log per period and a time limit per notebook.

A period whose report exists, made with the same settings (``report.run_settings``), is
skipped unless ``force``. A failed period leaves no report, a failure record
(``analysis.runs.layout``) and its log; without ``continue_on_error`` the first failure stops
periods not yet started (those already running finish).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from tqdm import tqdm

from analysis.errors import AnalysisError
from analysis.period import Period
from analysis.runs import layout
from analysis.runs.layout import NOTEBOOK
from analysis.runs.runner import run_report, run_settings
from analysis.source.urls import describe_url, scrub

DONE, SKIPPED, FAILED, NOT_RUN = "done", "skipped", "failed", "not run"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one period (picklable)."""

    period: Period
    out: Path
    url: str
    parameters: dict[str, Any] = field(default_factory=dict)  # those the user set
    redact: bool = True
    timeout: float | None = None
    notebook: Path = NOTEBOOK
    schema: str | None = None
    every: str | None = None

    @property
    def settings(self) -> dict[str, object]:
        """What this job's outputs are made with (a finished period is skipped only on a match)."""
        return run_settings(
            self.notebook,
            self.period,
            self.url,
            self.schema,
            self.parameters,
            self.redact,
            self.every,
        )


@dataclass(frozen=True)
class Outcome:
    label: str
    status: str  # DONE, SKIPPED, FAILED or NOT_RUN
    error: str | None = None
    seconds: float = 0.0


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def with_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    def summary(self) -> str:
        counts = {s: len(self.with_status(s)) for s in (DONE, SKIPPED, FAILED, NOT_RUN)}
        parts = [f"{counts[DONE]} written", f"{counts[SKIPPED]} skipped (report exists)"]
        parts += [f"{counts[s]} {s}" for s in (FAILED, NOT_RUN) if counts[s]]
        return f"{len(self.outcomes)} periods: " + ", ".join(parts)


class _Scrub(logging.Filter):
    """Masks the database URL and its password in every record a period's log receives."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage(), self.url)
        record.args = None
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), self.url)
            record.exc_info = None
        return True


def _open_log(job: Job) -> logging.Handler:
    path = layout.log_path(job.out, job.period.label)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(_Scrub(job.url))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send this process's stderr (and so its kernel's: warnings, crashes) to ``path``."""
    saved = os.dup(2)
    with path.open("a", encoding="utf-8") as target:
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def run_job(job: Job) -> Outcome:
    """One period, in a worker process: its report, or its failure record; and its log."""
    handler = _open_log(job)
    try:
        with _stderr_to(layout.log_path(job.out, job.period.label)):
            return _run_logged(job)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def _run_logged(job: Job) -> Outcome:
    label = job.period.label
    log = logging.getLogger("analysis.runs.batch")
    began = time.monotonic()
    try:
        log.info("period %s (%s), source %s", label, job.period.timezone, describe_url(job.url))
        folder = run_report(
            job.period,
            job.out,
            job.url,
            notebook=job.notebook,
            schema=job.schema,
            redact=job.redact,
            timeout=job.timeout,
            parameters=job.parameters,
            every=job.every,
        )
        layout.clear_failure(job.out, job.period)
        log.info("report written to %s", folder)
        return Outcome(label, DONE, seconds=time.monotonic() - began)
    except Exception as exc:  # every failure becomes a record; the batch carries on or stops
        reason = str(exc) if isinstance(exc, AnalysisError) else f"{type(exc).__name__}: {exc}"
        reason = scrub(reason, job.url)
        log.error("failed: %s", reason)
        layout.record_failure(job.out, job.period, reason, job.every)
        return Outcome(label, FAILED, reason, time.monotonic() - began)


def _progress(total: int, enabled: bool) -> tqdm:
    return tqdm(total=total, unit="period", desc="batch", file=sys.stderr, disable=not enabled)


def run_batch(
    jobs: Sequence[Job],
    workers: int,
    continue_on_error: bool = False,
    force: bool = False,
    progress: bool = True,
) -> BatchResult:
    """Run ``jobs`` on ``workers`` processes; the outcomes come back in the jobs' order."""
    outcomes: dict[str, Outcome] = {}
    todo = []
    for job in jobs:
        if not force and layout.is_done(job.out, job.period, job.notebook, job.settings):
            outcomes[job.period.label] = Outcome(job.period.label, SKIPPED)
        else:
            todo.append(job)
    bar = _progress(len(jobs), progress)
    bar.update(len(outcomes))
    stop = False
    if todo:
        # spawn: a fresh interpreter per worker, nothing inherited from this process's threads.
        context = multiprocessing.get_context("spawn")
        workers = min(workers, len(todo))
        queue = iter(todo)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # Only ``workers`` periods are handed out at a time, so after a failure nothing
            # more starts (a pre-queued period could not be taken back).
            running: dict[Future[Outcome], Job] = {
                pool.submit(run_job, j): j for j in islice(queue, workers)
            }
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = running.pop(future)
                    outcome = _outcome(future, job)
                    outcomes[outcome.label] = outcome
                    bar.update(1)
                    if outcome.status == FAILED:
                        bar.write(f"failed: {outcome.label}: {outcome.error}", file=sys.stderr)
                        stop = stop or not continue_on_error
                    if not stop:
                        for job in islice(queue, 1):
                            running[pool.submit(run_job, job)] = job
        for job in queue:  # left over after a failure
            outcomes[job.period.label] = Outcome(
                job.period.label, NOT_RUN, "stopped after a failure"
            )
            bar.update(1)
    bar.close()
    return BatchResult([outcomes[j.period.label] for j in jobs])


def _outcome(future: Future[Outcome], job: Job) -> Outcome:
    """The worker's outcome; a worker that died (killed, out of memory) is a failure too."""
    try:
        return future.result()
    except Exception as exc:
        reason = scrub(f"the worker process failed: {type(exc).__name__}: {exc}", job.url)
        layout.record_failure(job.out, job.period, reason, job.every)
        return Outcome(job.period.label, FAILED, reason)
