"""The reports folder's layout: one folder per period, failure records, logs.

::

    reports/
      index.html                      every period (analysis.runs.index)
      <start>_<end>/                  one period's report (analysis.report.run_report):
                                      the notebook, its HTML, findings.json, LIST_FILES
      <start>_<end>.failed.json       why that period's last run failed (removed on success)
      logs/<start>_<end>.log          that period's last batch run
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.period import Period, parse_date
from analysis.report.export import LISTS

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "session_investigation.ipynb"
FINDINGS_FILE = "findings.json"
# The full lists beside the investigation's report (analysis.report.export.full_lists):
# customers.csv, mechanics.csv, flagged_requests.csv; the report links to them.
LIST_FILES = {kind: f"{kind}.csv" for kind in LISTS}
INDEX_FILE = "index.html"
FAILED_SUFFIX = ".failed.json"
LOG_DIR = "logs"
LABEL = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")


def json_name(notebook: Path) -> str:
    """The JSON a notebook writes: ``findings.json`` for the investigation, else
    ``<notebook>.json``."""
    return FINDINGS_FILE if notebook.name == NOTEBOOK.name else f"{notebook.stem}.json"


def run_record_name(notebook: Path) -> str:
    """``<notebook>.run.json``: the settings that notebook's outputs in a folder were made with."""
    return f"{notebook.stem}.run.json"


def html_name(notebook: Path) -> str:
    return notebook.with_suffix(".html").name


def report_html(label: str) -> str:
    """The investigation report's page, relative to the reports folder."""
    return f"{label}/{html_name(NOTEBOOK)}"


def report_dir(out: Path, period: Period) -> Path:
    return out / period.label


def is_done(out: Path, period: Period, notebook: Path, settings: dict[str, Any]) -> bool:
    """``notebook``'s complete outputs for ``period`` exist, made with ``settings``
    (``report.run_settings``); the runner moves a folder into place only when complete."""
    folder = report_dir(out, period)
    if not (folder / json_name(notebook)).is_file():
        return False
    return _read_json(folder / run_record_name(notebook)) == settings


def failure_path(out: Path, label: str) -> Path:
    return out / f"{label}{FAILED_SUFFIX}"


def log_path(out: Path, label: str) -> Path:
    return out / LOG_DIR / f"{label}.log"


def write_atomic(target: Path, text: str) -> Path:
    """Write ``text`` to ``target`` through a temporary file, so readers never see half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def record_failure(out: Path, period: Period, error: str, every: str | None = None) -> Path:
    """Note that ``period`` (of a batch by ``every``) failed and why (the message must already
    be free of secrets)."""
    record = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "timezone": period.timezone,
        "every": every,
        "error": error,
        "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "log": str(log_path(out, period.label).relative_to(out)),
    }
    return write_atomic(failure_path(out, period.label), json.dumps(record, indent=2) + "\n")


def clear_failure(out: Path, period: Period) -> None:
    failure_path(out, period.label).unlink(missing_ok=True)


@dataclass(frozen=True)
class Entry:
    """One period found in the reports folder: its findings, or why it failed."""

    label: str
    start: str
    end: str
    findings: dict[str, Any] | None  # findings.json, when the report exists
    error: str | None  # the failure record's message, when the last run failed
    settings: dict[str, Any] | None = None  # the report's run.json

    @property
    def every(self) -> str | None:
        """The batch period length the report was made for (None: made by ``run``)."""
        return (self.settings or {}).get("every")

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def days(self) -> int:
        return (parse_date(self.end, "end") - parse_date(self.start, "start")).days + 1


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def scan(out: Path) -> list[Entry]:
    """Every period with a report or a failure record under ``out``, oldest first.

    A failure record wins over an older report of the same period (the last run failed).
    """
    found: dict[str, Entry] = {}
    if not out.is_dir():
        return []
    for path in out.iterdir():
        name = path.name[: -len(FAILED_SUFFIX)] if path.name.endswith(FAILED_SUFFIX) else path.name
        match = LABEL.match(name)
        if not match:
            continue
        start, end = match.groups()
        previous = found.get(name)
        if path.is_dir() and (path / FINDINGS_FILE).is_file():
            found[name] = Entry(
                name,
                start,
                end,
                _read_json(path / FINDINGS_FILE),
                previous.error if previous else None,
                _read_json(path / run_record_name(NOTEBOOK)),
            )
        elif path.is_file() and path.name.endswith(FAILED_SUFFIX):
            record = _read_json(path) or {}
            error = str(record.get("error") or "failed (no reason recorded)")
            found[name] = Entry(
                name,
                start,
                end,
                previous.findings if previous else None,
                error,
                previous.settings if previous else {"every": record.get("every")},
            )
    return sorted(found.values(), key=lambda e: (e.start, e.end))
