"""The index groups periods by the period length their batch recorded, not by guessing from
their dates."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.period import Period
from analysis.runs.index import sections
from analysis.runs.layout import NOTEBOOK, record_failure, run_record_name, scan


def report(out: Path, label: str, every: str | None) -> None:
    folder = out / label
    folder.mkdir(parents=True)
    (folder / "findings.json").write_text(json.dumps({"requests": {"total": 1}}))
    (folder / run_record_name(NOTEBOOK)).write_text(json.dumps({"every": every}))


def test_sections_follow_the_recorded_period_length(tmp_path: Path) -> None:
    report(tmp_path, "2025-10-29_2025-10-31", "month")  # a clipped month that looks weekly
    report(tmp_path, "2025-11-03_2025-11-09", "week")
    report(tmp_path, "2025-11-06_2025-11-06", None)  # one day made by `run`
    record_failure(tmp_path, Period.parse("2025-11-10", "2025-11-10"), "boom", "day")
    found = {s.title: [r["label"] for r in s.rows] for s in sections(scan(tmp_path), tmp_path)}
    assert found == {
        "Weekly": ["2025-11-03_2025-11-09"],
        "Monthly": ["2025-10-29_2025-10-31"],
        "Daily": ["2025-11-10_2025-11-10"],
        "Other periods": ["2025-11-06_2025-11-06"],
    }
