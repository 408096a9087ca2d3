"""The index groups periods by the period length their batch recorded, not by guessing from
their dates, and stays readable at hundreds of periods."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from analysis.period import Period
from analysis.runs.index import (
    aggregate,
    build_index,
    headline_frame,
    render,
    sections,
    sparse_ticks,
)
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


def daily_reports(out: Path, days: int, failed: set[int] = frozenset()) -> None:
    """``days`` daily reports from 1 Jan 2025, 10 requests each (3 cancelled, 7 completed)."""
    first = date(2025, 1, 1)
    for n in range(days):
        day = first + timedelta(days=n)
        label = f"{day}_{day}"
        if n in failed:
            record_failure(out, Period.parse(str(day), str(day)), "boom", "day")
            continue
        findings = {
            "requests": {
                "total": 10,
                "by_status": {"cancelled": 3, "completed": 7},
                "cancel_rate": 0.3,
                "completion_rate": 0.7,
            },
            "assignment": {"never_assigned": 1},
            "response_minutes": {"median": 2.0 + n % 7},
        }
        folder = out / label
        folder.mkdir(parents=True)
        (folder / "findings.json").write_text(json.dumps(findings))
        (folder / run_record_name(NOTEBOOK)).write_text(json.dumps({"every": "day"}))


def test_a_year_of_days_is_charted_by_week_and_tabled_by_month(tmp_path: Path) -> None:
    daily_reports(tmp_path, 365, failed={40})
    frame = headline_frame(scan(tmp_path))
    points, unit = aggregate(frame)
    assert unit == "week" and len(points) == 53  # 1 Jan 2025 is a Wednesday
    assert points["requests"].sum() == 364 * 10
    assert points.loc[0, "by_status"] == {"cancelled": 15, "completed": 35}  # Wed–Sun
    assert points["cancel_rate"].round(6).eq(0.3).all()
    assert points["failed"].sum() == 1
    ticks = [t for t in sparse_ticks(list(points["start"]), list(points["tick"])) if t]
    assert ticks[:3] == ["Jan 2025", "Feb", "Mar"]  # not the week starting 30 Dec 2024
    assert len(ticks) <= 16
    (daily,) = sections(scan(tmp_path), tmp_path)
    assert len(daily.rows) == 365 and len(daily.charts) == 3
    assert [g["month"] for g in daily.groups][:2] == ["January 2025", "February 2025"]
    assert daily.groups[1]["failed"] == 1 and daily.groups[1]["requests"] == 270
    html = render(scan(tmp_path), tmp_path)
    assert html.count("<details") == 12 and html.count("data-label=") == 365


def test_few_periods_are_drawn_one_by_one(tmp_path: Path) -> None:
    daily_reports(tmp_path, 9)
    frame = headline_frame(scan(tmp_path))
    points, unit = aggregate(frame)
    assert unit == "period" and len(points) == 9
    assert sparse_ticks(list(points["start"]), list(points["tick"])) == list(points["tick"])
    (daily,) = sections(scan(tmp_path), tmp_path)
    assert daily.groups is None


def test_rebuilding_the_index_removes_its_old_screenshot(tmp_path: Path) -> None:
    daily_reports(tmp_path, 2)
    (tmp_path / "index.png").write_bytes(b"old")
    build_index(tmp_path)
    assert not (tmp_path / "index.png").exists() and (tmp_path / "index.html").is_file()


def test_counts_carry_thousands_separators(tmp_path: Path) -> None:
    """A period's requests in the table, and a month's in its group, read 12,345."""
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(45)]
    for day in days:
        folder = tmp_path / f"{day}_{day}"
        folder.mkdir()
        (folder / "findings.json").write_text(json.dumps({"requests": {"total": 1234}}))
        (folder / run_record_name(NOTEBOOK)).write_text(json.dumps({"every": "day"}))
    html = render(scan(tmp_path), tmp_path)
    assert ">1,234<" in html and ">1234<" not in html
    january = sum(1234 for d in days if d.month == 1)
    assert f"{january:,} requests" in html
