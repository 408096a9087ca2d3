"""Bugs found by review, pinned: each test failed before its fix."""

from __future__ import annotations

import json

from helpers import PERIOD, fetch, local, make_db, mechanic, request

from analysis import queries
from analysis.db import connect
from analysis.findings import collect
from analysis.sections import success_text
from analysis.sql import day_from_number


def test_request_at_local_midnight_is_on_that_day(tmp_path) -> None:
    """SQLite's julianday() float put whole seconds microseconds early, so local midnight
    floored into the day before."""
    url = make_db(
        tmp_path,
        requests=[request(created_at=local(2025, 10, 29)), request(created_at=local(2025, 10, 30))],
    )
    days = fetch(url, queries.daily_status_counts(PERIOD))["day_number"].map(day_from_number)
    assert sorted(d.isoformat() for d in days) == ["2025-10-29", "2025-10-30"]


def test_mechanic_without_a_name_is_called_no_name(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[request(created_at=local(2025, 10, 30, 12))],
        mechanics=[mechanic(name=None, city=None), mechanic(name="Bob")],
    )
    with connect(url) as conn:
        findings = collect(conn, PERIOD)
    text = " ".join(findings.recommendations)
    assert "(no name) lacks city" in text
    assert "nan" not in text


def test_findings_without_any_mechanic_on_record(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 30, 12))])
    with connect(url) as conn:
        document = collect(conn, PERIOD).to_dict()
    assert document["incomplete_mechanics"] == []
    assert document["assignment"]["mechanics_on_record"] == 0
    json.dumps(document)


def test_completing_mechanic_missing_from_the_roster(tmp_path) -> None:
    """NaN profile attributes read as true: "complete profile, Red Seal certified (nan)"."""
    url = make_db(
        tmp_path,
        requests=[
            request(
                created_at=local(2025, 10, 30, 12),
                status="completed",
                mechanic_id="5f1c0000-0000-4000-8000-000000000001",
            )
        ],
    )
    with connect(url) as conn:
        text = success_text(collect(conn, PERIOD))
    assert "`5f1c0000` (no name) completed 1 of 1" in text
    assert "not in the mechanics table" in text
    assert "complete profile" not in text and "Red Seal certified" not in text
    assert "nan" not in text
