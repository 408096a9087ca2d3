"""Findings shared by the report's tests, built from hand-made rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rows import PERIOD, local, make_db, mechanic, profile, request

from analysis import investigate
from analysis.domain import Thresholds
from analysis.investigation.findings import Findings

# More requests than a thousand, so every count the report writes needs a separator.
MANY = 1234


@pytest.fixture(scope="module")
def thousands(tmp_path_factory: pytest.TempPathFactory) -> Findings:
    """``MANY`` requests by one customer on one local day (30 Oct 2025), each completed a
    minute later by one mechanic; readiness asks for three times as many requests and
    completed sessions."""
    worker = mechanic(name="Ann Busy")
    start = local(2025, 10, 30, 8)
    requests = [
        request(
            created_at=start + timedelta(seconds=20 * i),
            status="completed",
            mechanic_id=worker["id"],
            accepted_at=start + timedelta(seconds=20 * i + 60),
        )
        for i in range(MANY)
    ]
    url = make_db(
        tmp_path_factory.mktemp("thousands"),
        requests=requests,
        mechanics=[worker],
        profiles=[profile()],
    )
    thresholds = Thresholds(min_requests=3 * MANY, min_completed=3 * MANY)
    return investigate(PERIOD.start, PERIOD.end, thresholds=thresholds, db=url)


@pytest.fixture(scope="module")
def reference() -> Findings:
    """The reference period (29 Oct - 6 Nov 2025) of the demo database."""
    return investigate("2025-10-29", "2025-11-06")
