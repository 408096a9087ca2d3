"""The files a report writes besides its notebook: the full lists as CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import investigate
from analysis.report import masking
from analysis.report.export import full_lists, write_lists
from analysis.runs.layout import LIST_FILES


@pytest.fixture(scope="module")
def reference():
    return masking.redact(investigate("2025-10-29", "2025-11-06"))


def test_customers_list_has_a_count_per_status_adding_up(reference) -> None:
    customers = full_lists(reference)["customers"]
    assert list(customers.columns[:5]) == [
        "customer",
        "requests",
        "cancelled",
        "completed",
        "pending",
    ]
    assert len(customers) == len(reference.customers) == 3
    assert customers["requests"].sum() == reference.total == 43
    assert (customers[reference.statuses].sum(axis=1) == customers["requests"]).all()
    assert customers["customer"].iloc[0] == "c***1@test.com"  # masked like the report


def test_mechanics_and_flagged_requests(reference) -> None:
    lists = full_lists(reference)
    assert list(lists["mechanics"].columns[:3]) == ["mechanic_id", "name", "requests"]
    assert lists["mechanics"]["requests"].sum() == reference.mechanics["requests"].sum()
    flagged = lists["flagged_requests"]
    assert list(flagged.columns) == ["request_id", "checks"]
    assert len(flagged) == reference.flagged_requests == flagged["request_id"].nunique()
    expected = {
        (str(i), check)
        for check, ids in zip(
            reference.anomalies["check"], reference.anomalies["request_ids"], strict=True
        )
        for i in ids
    }
    assert {(r.request_id, c) for r in flagged.itertuples() for c in r.checks.split(";")} == (
        expected
    )


def test_written_under_the_layout_names(reference, tmp_path) -> None:
    written = write_lists(reference, LIST_FILES, tmp_path)
    assert sorted(p.name for p in written) == [
        "customers.csv",
        "flagged_requests.csv",
        "mechanics.csv",
    ]
    again = pd.read_csv(tmp_path / "customers.csv")
    assert again["requests"].sum() == 43
