"""The reports folder's rules: what a run keeps of an earlier one, what a dead process left,
which reports are intact, which write errors are the disk's."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import papermill as pm
import pytest

from analysis.errors import AnalysisError
from analysis.period import Period
from analysis.runs import layout
from analysis.runs.layout import NOTEBOOK, NOTEBOOKS

AUDIT = NOTEBOOKS / "profile_audit.ipynb"
DAY = Period.parse("2025-11-03", "2025-11-03")


def folder_with(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / DAY.label
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_other_notebooks_outputs_are_kept_only_with_the_same_masking(tmp_path: Path) -> None:
    masked = json.dumps({"redact": True})
    folder = folder_with(
        tmp_path,
        {
            "profile_audit.html": "",
            "profile_audit.json": "",
            "profile_audit.ipynb": "",
            "profile_audit.run.json": masked,
            "profile_audit.png": "",
            **{name: "id\n" for name in layout.AUDIT_LIST_FILES.values()},  # its full lists
            "session_investigation.png": "old screenshot",
            "findings.json": "{}",
            "notes.txt": "someone's file",
        },
    )
    kept, dropped = layout.keep_from(folder, NOTEBOOK, redact=True)
    assert kept == sorted(layout.outputs(AUDIT))
    assert dropped == ["notes.txt"]  # the investigation's own files are replaced
    kept, dropped = layout.keep_from(folder, NOTEBOOK, redact=False)
    assert kept == [] and "profile_audit.html" in dropped and "profile_audit.png" in dropped
    assert set(layout.AUDIT_LIST_FILES.values()) <= set(dropped)  # unmasked now: CSVs too


def test_each_notebooks_full_lists_are_its_outputs_and_named_apart() -> None:
    audit_lists, lists = set(layout.AUDIT_LIST_FILES.values()), set(layout.LIST_FILES.values())
    assert audit_lists <= layout.outputs(AUDIT) and lists <= layout.outputs(NOTEBOOK)
    assert not audit_lists & layout.outputs(NOTEBOOK) and not lists & layout.outputs(AUDIT)
    assert audit_lists <= set(layout.checked_outputs(AUDIT))  # hashed in its run record
    other = Path("elsewhere/another.ipynb")
    assert layout.list_files(other) == {} and not layout.outputs(other) & (audit_lists | lists)


def test_an_audit_with_a_missing_or_edited_csv_is_redone(tmp_path: Path) -> None:
    settings = {"notebook": "profile_audit", "redact": True}
    files = {
        "profile_audit.json": "{}",
        "profile_audit.html": "<p>",
        "profile_audit.ipynb": "{}",
        **{name: "id\n" for name in layout.AUDIT_LIST_FILES.values()},
    }
    folder = folder_with(tmp_path, files)
    record = {**settings, "outputs": {n: layout.sha256(folder / n) for n in files}}
    (folder / "profile_audit.run.json").write_text(json.dumps(record))
    assert layout.is_done(tmp_path, DAY, AUDIT, settings)
    csv = folder / layout.AUDIT_LIST_FILES["incomplete_customers"]
    csv.write_text("id\nsomeone\n")
    assert not layout.is_done(tmp_path, DAY, AUDIT, settings)  # stale: not what the run wrote
    csv.unlink()
    assert not layout.is_done(tmp_path, DAY, AUDIT, settings)  # missing


def dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_what_dead_processes_left_is_removed(tmp_path: Path) -> None:
    dead, alive = dead_pid(), os.getpid()
    (tmp_path / f".{DAY.label}.{dead}.abc123").mkdir()
    (tmp_path / f".{DAY.label}.{alive}.def456").mkdir()  # being written: left alone
    (tmp_path / f".index.html.{dead}.x1y2").write_text("half")
    old = tmp_path / f".2025-11-04_2025-11-04.{dead}.old"
    old.mkdir()
    (old / "findings.json").write_text("{}")
    handled = layout.remove_stale(tmp_path)
    assert len(handled) == 3
    names = sorted(p.name for p in tmp_path.iterdir())
    # the swap that stopped half-way gets its report back
    assert names == [f".{DAY.label}.{alive}.def456", "2025-11-04_2025-11-04"]


def test_a_report_is_done_only_when_intact(tmp_path: Path) -> None:
    settings = {"notebook": "session_investigation", "redact": True}
    files = {
        "findings.json": "{}",
        "session_investigation.html": "<p>",
        "session_investigation.ipynb": "{}",
        **{name: "id\n" for name in layout.LIST_FILES.values()},  # the full lists
    }
    folder = folder_with(tmp_path, files)
    record = {**settings, "outputs": {n: layout.sha256(folder / n) for n in files}}
    (folder / "session_investigation.run.json").write_text(json.dumps(record))
    assert layout.is_done(tmp_path, DAY, NOTEBOOK, settings)
    assert not layout.is_done(tmp_path, DAY, NOTEBOOK, {**settings, "redact": False})
    (folder / "session_investigation.html").write_text("<p>edited")
    assert not layout.is_done(tmp_path, DAY, NOTEBOOK, settings)
    (folder / "session_investigation.html").write_text("<p>")
    (folder / "findings.json").write_text("{")
    record["outputs"]["findings.json"] = layout.sha256(folder / "findings.json")
    (folder / "session_investigation.run.json").write_text(json.dumps(record))
    assert not layout.is_done(tmp_path, DAY, NOTEBOOK, settings)  # hash right, JSON broken
    (folder / "findings.json").write_text("{}")
    record["outputs"]["findings.json"] = layout.sha256(folder / "findings.json")
    (folder / "session_investigation.run.json").write_text(json.dumps(record))
    assert layout.is_done(tmp_path, DAY, NOTEBOOK, settings)
    lists = {**record, "outputs": dict(record["outputs"])}
    del lists["outputs"]["customers.csv"]
    (folder / "session_investigation.run.json").write_text(json.dumps(lists))
    assert not layout.is_done(tmp_path, DAY, NOTEBOOK, settings)  # made before the CSV files
    (folder / "customers.csv").unlink()
    (folder / "session_investigation.run.json").write_text(json.dumps(record))
    assert not layout.is_done(tmp_path, DAY, NOTEBOOK, settings)  # a full list missing
    del record["outputs"]
    (folder / "session_investigation.run.json").write_text(json.dumps(record))
    assert not layout.is_done(tmp_path, DAY, NOTEBOOK, settings)  # made before hashes


def test_disk_errors_become_one_line(tmp_path: Path) -> None:
    full = layout.unwritable(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert full is not None and str(full).startswith(f"cannot write to {tmp_path}: it is full")
    assert "\n" not in str(full) and "choose another --out" in str(full)
    read_only = layout.unwritable(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    assert read_only is not None and "is read-only" in str(read_only)
    assert layout.unwritable(OSError(errno.ENOENT, "No such file"), tmp_path) is None
    assert layout.unwritable(ValueError("x"), tmp_path) is None


def test_declared_parameters_match_papermill() -> None:
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        assert layout.declared_parameters(notebook) == set(pm.inspect_notebook(str(notebook)))


def test_a_request_in_the_future_or_with_an_unknown_parameter_is_refused() -> None:
    layout.check_request(DAY, NOTEBOOK, {"min_requests": 3})  # declared: accepted
    with pytest.raises(AnalysisError, match="has no parameter min_requests"):
        layout.check_request(DAY, AUDIT, {"min_requests": 3})
    with pytest.raises(AnalysisError, match="entirely in the future"):
        layout.check_request(Period.parse("2999-01-01", "2999-01-31"), NOTEBOOK, {})
