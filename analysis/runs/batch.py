"""Many periods at once: one notebook per period through ``analysis.runs.runner.run_report``, in
worker processes that each keep a warm kernel (``analysis.runs.kernel``), with a progress bar,
a log per period and a time limit per period.

A period whose report exists, intact and made with the same settings
(``layout.is_done``), is skipped unless ``force``. A failed period leaves no report, a failure
record (``analysis.runs.layout``) and its log; without ``continue_on_error`` the first failure
stops periods not yet started (those already running finish).

Guarantees: a worker pays for its kernel and imports once, not once per period; a period
that fails or times out has its kernel killed and the next one gets a fresh kernel; a period
over its time limit (checks and export included) is ended by the batch, its worker killed and
replaced; workers die with the batch (Linux ``PR_SET_PDEATHSIG``) and their kernels with
them (ipykernel polls its parent); Ctrl-C ends the workers, keeps what is finished and leaves
nothing half-written. Each period's log holds everything its worker and kernel wrote while it
ran: both write through one pipe to the log of the period under way.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from analysis.errors import AnalysisError
from analysis.period import Period
from analysis.runs import layout
from analysis.runs.kernel import KernelSession, kernel_database_env
from analysis.runs.layout import NOTEBOOK
from analysis.runs.runner import run_report, run_settings
from analysis.source.urls import describe_url, scrub

DONE, SKIPPED, FAILED, NOT_RUN = "done", "skipped", "failed", "not run"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# After its time limit a period's worker has this long to report before it is killed (the
# worker ends a notebook over time itself; this is for a worker stuck elsewhere).
GRACE_SECONDS = 10.0
STOP_SECONDS = 5.0  # what workers get to end cleanly (kill their kernel, remove staging)
PR_SET_PDEATHSIG = 1
BEGAN = "began"  # a worker's word that its period's clock starts now
LOG_DRAINED = "\x00analysis-log-drained\x00"


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
    unwritable: bool = False  # failed because the reports folder can't be written


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


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C: the workers were ended; ``result`` holds what finished (the rest: not run)."""

    def __init__(self, result: BatchResult) -> None:
        super().__init__("interrupted")
        self.result = result


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


class PeriodLogs:
    """A worker's file descriptors 1 and 2, and so its kernels' (they inherit them), become one
    pipe; a thread copies what comes through it, scrubbed of the database URL, to the log of
    the period under way, as do the worker's log records. One writer per log file: nothing
    overwrites anything."""

    def __init__(self) -> None:
        read, write = os.pipe()
        os.dup2(write, 1)
        os.dup2(write, 2)
        os.close(write)
        self._pipe = os.fdopen(read, "r", encoding="utf-8", errors="replace")
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._url = ""
        self._drained = threading.Event()
        threading.Thread(target=self._copy, daemon=True).start()

    def _copy(self) -> None:
        for line in self._pipe:
            if LOG_DRAINED in line:
                self._drained.set()
                continue
            self.write(line)

    def write(self, text: str) -> None:
        with self._lock:
            if self._file is not None:
                self._file.write(scrub(text, self._url))
                self._file.flush()

    def open(self, path: Path, url: str) -> None:
        """From now on, write to ``path`` (emptied first)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._file = path.open("w", encoding="utf-8")
            self._url = url

    def close(self) -> None:
        """Wait (a moment at most) for what was written to the pipe so far, then close the log."""
        sys.stdout.flush()
        sys.stderr.flush()
        self._drained.clear()
        os.write(2, f"{LOG_DRAINED}\n".encode())
        self._drained.wait(2)
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._file = None


class _ToPeriodLog(logging.Handler):
    def __init__(self, logs: PeriodLogs) -> None:
        super().__init__()
        self.logs = logs
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.logs.write(self.format(record) + "\n")


def die_with_parent(parent: int) -> None:
    """On Linux, have the kernel send this process SIGKILL when its parent ends (kill -9
    included); if the parent has already gone, exit now."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _worker(conn: Connection, parent: int) -> None:
    """A worker process: periods from ``conn``, one at a time, on one warm kernel."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle

    def stop(*_: object) -> None:
        raise SystemExit(1)  # unwinds: the staging folder is removed, the kernel killed

    signal.signal(signal.SIGTERM, stop)
    logs = PeriodLogs()
    root = logging.getLogger()
    handler = _ToPeriodLog(logs)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    session = KernelSession()
    try:
        while True:
            try:
                job = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            handler.filters = [_Scrub(job.url)]
            # The kernel's start and imports are the worker's, not the period's: its time
            # limit counts from here.
            with contextlib.suppress(Exception):  # a kernel that won't start fails the period
                session.ready(kernel_database_env(job.url, job.schema))
            conn.send(BEGAN)
            conn.send(run_job(job, session, logs))
    finally:
        session.close()


def run_job(
    job: Job, session: KernelSession | None = None, logs: PeriodLogs | None = None
) -> Outcome:
    """One period: its report, or its failure record; and its log."""
    if logs is not None:
        with contextlib.suppress(OSError):  # a full disk: the failure is reported without a log
            logs.open(layout.log_path(job.out, job.period.label), job.url)
    try:
        return _run_logged(job, session)
    finally:
        if logs is not None:
            logs.close()


def _run_logged(job: Job, session: KernelSession | None) -> Outcome:
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
            session=session,
        )
        layout.clear_failure(job.out, job.period)
        log.info("report written to %s in %.1f s", folder, time.monotonic() - began)
        return Outcome(label, DONE, seconds=time.monotonic() - began)
    except Exception as exc:  # every failure becomes a record; the batch carries on or stops
        disk = layout.unwritable(exc, job.out)
        reason = (
            str(disk or exc)
            if isinstance(disk or exc, AnalysisError)
            else (f"{type(exc).__name__}: {exc}")
        )
        reason = scrub(reason, job.url)
        log.error("failed: %s", reason)
        with contextlib.suppress(OSError):  # a full disk may refuse the record too
            layout.record_failure(job.out, job.period, reason, job.every)
        return Outcome(label, FAILED, reason, time.monotonic() - began, disk is not None)


def _progress(total: int, enabled: bool) -> tqdm:
    return tqdm(total=total, unit="period", desc="batch", file=sys.stderr, disable=not enabled)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    job: Job | None = None
    began: float | None = None  # when the worker said it began the job


def _start_worker(context: Any) -> _Worker:
    here, there = context.Pipe()
    process = context.Process(target=_worker, args=(there, os.getpid()), daemon=True)
    process.start()
    there.close()
    return _Worker(process, here)


def _end_workers(pool: list[_Worker], outs: set[Path]) -> None:
    """Ask idle workers to stop, busy ones to end now (SIGTERM: they kill their kernel and
    remove their staging folder), kill what is left, then remove what dead processes left."""
    for worker in pool:
        with contextlib.suppress(OSError, ValueError):
            if worker.job is None:
                worker.conn.send(None)
            else:
                worker.process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for worker in pool:
        worker.process.join(max(0.1, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
    for out in outs:
        with contextlib.suppress(OSError):
            layout.remove_stale(out)


def _killed(worker: _Worker, job: Job, why: str) -> Outcome:
    """The batch ended ``worker`` (over time) or found it dead: a failure, recorded."""
    worker.process.kill()
    worker.process.join()
    with contextlib.suppress(OSError):
        layout.remove_stale(job.out)
        with layout.log_path(job.out, job.period.label).open("a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} ERROR analysis.runs.batch: {why}\n")
        layout.record_failure(job.out, job.period, why, job.every)
    return Outcome(job.period.label, FAILED, why, time.monotonic() - (worker.began or 0))


def _late(job: Job) -> str:
    return (
        f"the notebook {job.notebook.name} did not finish within {job.timeout:g} seconds: "
        "raise --timeout, or split the range into shorter periods"
    )


def run_batch(
    jobs: Sequence[Job],
    workers: int,
    continue_on_error: bool = False,
    force: bool = False,
    progress: bool = True,
) -> BatchResult:
    """Run ``jobs`` on ``workers`` processes; the outcomes come back in the jobs' order.
    Ctrl-C raises BatchInterrupted with what finished."""
    outcomes: dict[str, Outcome] = {}
    outs = {job.out for job in jobs}
    for out in outs:
        layout.remove_stale(out)
    todo: deque[Job] = deque()
    for job in jobs:
        if not force and layout.is_done(job.out, job.period, job.notebook, job.settings):
            outcomes[job.period.label] = Outcome(job.period.label, SKIPPED)
        else:
            todo.append(job)
    bar = _progress(len(jobs), progress)
    bar.update(len(outcomes))
    stop = False
    # spawn: a fresh interpreter per worker, nothing inherited from this process's threads.
    context = multiprocessing.get_context("spawn")
    pool = [_start_worker(context) for _ in range(min(workers, len(todo)))]
    try:
        while True:
            for worker in pool:
                if worker.job is None and todo and not stop:
                    worker.job, worker.began = todo.popleft(), None
                    worker.conn.send(worker.job)
            busy = [w for w in pool if w.job is not None]
            if not busy:
                break
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], 1.0))
            for worker in busy:
                job = worker.job
                assert job is not None
                outcome = None
                if worker.conn in ready:
                    with contextlib.suppress(EOFError, OSError):
                        outcome = worker.conn.recv()
                    if outcome == BEGAN:
                        outcome, worker.began = None, time.monotonic()
                over = (
                    job.timeout is not None
                    and worker.began is not None
                    and time.monotonic() - worker.began > job.timeout + GRACE_SECONDS
                )
                if outcome is None and (worker.process.sentinel in ready or over):
                    code = worker.process.exitcode
                    why = (
                        _late(job)
                        if over
                        else scrub(
                            f"the worker process died (exit code {code}): see the log", job.url
                        )
                    )
                    outcome = _killed(worker, job, why)
                    pool[pool.index(worker)] = worker = _start_worker(context)
                if outcome is None:
                    continue
                worker.job = None
                outcomes[outcome.label] = outcome
                bar.update(1)
                if outcome.status == FAILED:
                    if progress and not outcome.unwritable:  # --quiet: the summary names it
                        bar.write(f"failed: {outcome.label}: {outcome.error}", file=sys.stderr)
                    stop = stop or not continue_on_error or outcome.unwritable
    except KeyboardInterrupt:
        _end_workers(pool, outs)
        pool = []
        bar.close()
        raise BatchInterrupted(_result(jobs, outcomes, "interrupted (Ctrl-C)")) from None
    finally:
        _end_workers(pool, outs)
    bar.update(len(todo))  # left over after a failure
    bar.close()
    return _result(jobs, outcomes, "stopped after a failure")


def _result(jobs: Sequence[Job], outcomes: dict[str, Outcome], why: str) -> BatchResult:
    """Every job's outcome, in order; those without one were not run, for ``why``."""
    return BatchResult(
        [outcomes.get(j.period.label) or Outcome(j.period.label, NOT_RUN, why) for j in jobs]
    )
