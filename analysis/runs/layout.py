"""The reports folder's layout: one folder per period, failure records, logs.

::

    reports/
      index.html                      every period (analysis.runs.index)
      <start>_<end>/                  one period's report (analysis.report.run_report):
                                      the notebook, its HTML, findings.json, LIST_FILES;
                                      profile_audit.*, AUDIT_LIST_FILES (--notebook)
      <start>_<end>.failed.json       why that period's last run failed (removed on success)
      logs/<start>_<end>.log          that period's last batch run
      .<start>_<end>.<pid>.<random>/  a report being written by process <pid> (staging)
      .<start>_<end>.<pid>.old/       the report it replaces, for the moment of the swap
      .<file>.<pid>.<random>          a file being written by process <pid>

Hidden entries of a process that no longer runs (killed, machine stopped) are removed by the
next run or batch (``remove_stale``).
"""

from __future__ import annotations

import ast
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.domain import AUDIT_LISTS, LISTS
from analysis.errors import AnalysisError
from analysis.period import Period, parse_date

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "session_investigation.ipynb"


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


def declared_parameters(notebook: Path) -> set[str]:
    """The names the notebook's ``parameters`` cell assigns (what papermill's
    ``inspect_notebook`` lists), read from its JSON: nothing heavy is imported."""
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell["metadata"].get("tags", []):
            source = cell["source"]
            names: set[str] = set()
            for node in ast.parse("".join(source) if isinstance(source, list) else source).body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if isinstance(node, ast.AnnAssign):
                    targets = [node.target]
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
            return names
    return set()


def check_request(period: Period, notebook: Path, parameters: dict[str, Any]) -> None:
    """Refuse a period entirely in the future, or a parameter ``notebook`` doesn't declare:
    bad input, found before any kernel starts."""
    period.ensure_not_future(datetime.now(UTC))
    unknown = sorted(set(parameters) - declared_parameters(notebook))
    if unknown:
        raise AnalysisError(
            f"the notebook {notebook.name} has no parameter {', '.join(unknown)}: drop the "
            "option, or choose the notebook that takes it (--notebook)"
        )


FINDINGS_FILE = "findings.json"
AUDIT_NOTEBOOK = NOTEBOOKS / "profile_audit.ipynb"
# The full lists beside the investigation's report (analysis.report.export.full_lists):
# customers.csv, mechanics.csv, flagged_requests.csv; the report links to them.
LIST_FILES = {kind: f"{kind}.csv" for kind in LISTS}
# The full lists beside the profile audit's report (analysis.report.export.audit_lists):
# incomplete_mechanics.csv, incomplete_customers.csv, customers_without_profile.csv,
# customer_key_differences.csv; the audit's report links to them.
AUDIT_LIST_FILES = {kind: f"{kind}.csv" for kind in AUDIT_LISTS}


def list_files(notebook: Path) -> dict[str, str]:
    """The CSV files of full lists ``notebook`` writes beside its report, by kind (none for a
    notebook other than the investigation and the profile audit)."""
    return {NOTEBOOK.name: LIST_FILES, AUDIT_NOTEBOOK.name: AUDIT_LIST_FILES}.get(notebook.name, {})


INDEX_FILE = "index.html"
FAILED_SUFFIX = ".failed.json"
LOG_DIR = "logs"
LABEL = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
# What a process is writing: .<label or file name>.<pid>.<random or "old">
HIDDEN = re.compile(
    r"^\.(?P<name>\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}|[\w.-]+?)\.(?P<pid>\d+)\.(?P<rest>[\w-]+)$"
)
SCREENSHOT_SUFFIX = ".png"


def json_name(notebook: Path) -> str:
    """The JSON a notebook writes: ``findings.json`` for the investigation, else
    ``<notebook>.json``."""
    return FINDINGS_FILE if notebook.name == NOTEBOOK.name else f"{notebook.stem}.json"


def run_record_name(notebook: Path) -> str:
    """``<notebook>.run.json``: the settings that notebook's outputs in a folder were made with."""
    return f"{notebook.stem}.run.json"


def html_name(notebook: Path) -> str:
    return notebook.with_suffix(".html").name


def screenshot_name(page: str) -> str:
    """The screenshot ``check`` writes beside a page (``index.html`` → ``index.png``)."""
    return Path(page).with_suffix(SCREENSHOT_SUFFIX).name


def outputs(notebook: Path) -> set[str]:
    """Every file ``notebook``'s run writes in a report folder, and its page's screenshot; the
    investigation's and the profile audit's also their full lists (``list_files``)."""
    return {
        notebook.name,
        html_name(notebook),
        json_name(notebook),
        run_record_name(notebook),
        screenshot_name(html_name(notebook)),
        *list_files(notebook).values(),
    }


def checked_outputs(notebook: Path) -> list[str]:
    """The outputs whose hashes a run records (the screenshot is ``check``'s, not the run's)."""
    made_elsewhere = {run_record_name(notebook), screenshot_name(html_name(notebook))}
    return sorted(outputs(notebook) - made_elsewhere)


def sha256(path: Path) -> str | None:
    """The file's SHA-256, or None when it can't be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def report_html(label: str) -> str:
    """The investigation report's page, relative to the reports folder."""
    return f"{label}/{html_name(NOTEBOOK)}"


def report_dir(out: Path, period: Period) -> Path:
    return out / period.label


def is_done(out: Path, period: Period, notebook: Path, settings: dict[str, Any]) -> bool:
    """``notebook``'s complete outputs for ``period`` exist, made with ``settings``
    (``runner.run_settings``), intact: its JSON parses and every output still has the hash
    its run recorded (``outputs`` in the run record). Anything else is redone."""
    folder = report_dir(out, period)
    record = _read_json(folder / run_record_name(notebook))
    if record is None:
        return False
    hashes = record.pop("outputs", None)
    if record != settings or not isinstance(hashes, dict):
        return False
    if set(hashes) != set(checked_outputs(notebook)):
        return False
    if _read_json(folder / json_name(notebook)) is None:
        return False
    return all(sha256(folder / name) == digest for name, digest in hashes.items())


def keep_from(destination: Path, notebook: Path, redact: bool) -> tuple[list[str], list[str]]:
    """Which files of an existing report folder a new run of ``notebook`` keeps, and which
    it drops: other notebooks' outputs made with the same masking are kept; their outputs
    made with other masking, and files no run of ours wrote, are dropped (a run never keeps
    what it can't vouch for). ``notebook``'s own outputs, its page's old screenshot
    included, are replaced, in neither list."""
    if not destination.is_dir():
        return [], []
    present = {p.name for p in destination.iterdir() if p.is_file()}
    ours = outputs(notebook)
    kept: set[str] = set()
    for name in present:
        if not name.endswith(".run.json") or name in ours:
            continue
        other = Path(name[: -len(".run.json")] + ".ipynb")
        record = _read_json(destination / name)
        if record is not None and record.get("redact") is redact:
            kept |= outputs(other) & present
    dropped = present - kept - ours
    return sorted(kept), sorted(dropped)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(out: Path, label: str) -> Path:
    """A new hidden folder in ``out`` to write ``label``'s report in, named after this process."""
    staging = Path(tempfile.mkdtemp(prefix=f".{label}.{os.getpid()}.", dir=out))
    staging.chmod(0o755)  # mkdtemp's 0700 would make the shared report private
    return staging


def swap_dir(source: Path, destination: Path) -> None:
    """Move ``source`` to ``destination``, replacing an older report only once the new one is
    complete (the old one is set aside as ``.<name>.<pid>.old`` for the moment of the swap)."""
    if destination.exists():
        stale = destination.with_name(f".{destination.name}.{os.getpid()}.old")
        shutil.rmtree(stale, ignore_errors=True)
        destination.rename(stale)
        source.rename(destination)
        shutil.rmtree(stale, ignore_errors=True)
    else:
        source.rename(destination)


def remove_stale(out: Path) -> list[str]:
    """Remove what processes that no longer run left half-written in ``out`` (staging
    folders, temporary files); a report set aside for a swap that never finished is put back.
    Returns the names handled."""
    handled: list[str] = []
    if not out.is_dir():
        return handled
    for path in out.iterdir():
        match = HIDDEN.match(path.name)
        if not match or pid_alive(int(match["pid"])):
            continue
        target = out / match["name"]
        if match["rest"] == "old" and path.is_dir() and not target.exists():
            path.rename(target)  # the swap stopped half-way: the old report is still whole
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        handled.append(path.name)
    return handled


# A folder that can't take more: full, over quota, read-only, not ours to write.
UNWRITABLE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


class OutputUnwritable(AnalysisError):
    """The reports folder can't be written (full, read-only, no permission): exit 2."""


def unwritable(exc: BaseException, out: Path) -> OutputUnwritable | None:
    """The one-line error for a write that failed because of ``out``'s disk, else None."""
    if not isinstance(exc, OSError) or exc.errno not in UNWRITABLE_ERRNOS:
        return None
    what = {errno.ENOSPC: "is full", errno.EDQUOT: "is over its quota", errno.EROFS: "is read-only"}
    return OutputUnwritable(
        f"cannot write to {out}: it {what.get(exc.errno, 'is not writable')} "
        f"({exc.strerror}): free some space or choose another --out"
    )


def ensure_writable(out: Path) -> None:
    """Create ``out`` and write a probe file in it, or raise OutputUnwritable."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = write_atomic(out / ".probe", "")
        probe.unlink()
    except OSError as exc:
        raise (unwritable(exc, out) or exc) from None


def failure_path(out: Path, label: str) -> Path:
    return out / f"{label}{FAILED_SUFFIX}"


def log_path(out: Path, label: str) -> Path:
    return out / LOG_DIR / f"{label}.log"


def write_atomic(target: Path, text: str) -> Path:
    """Write ``text`` to ``target`` through a temporary file, so readers never see half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", dir=target.parent)
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
