"""The files a report writes besides its notebook: the full lists as CSV (the
investigation's and the profile audit's)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from rows import SYNTHETIC_MONTH

from analysis import investigate
from analysis.domain import TOP_N
from analysis.investigation.audit import ProfileAudit, audit
from analysis.report import masking
from analysis.report.export import audit_lists, full_lists, write_lists
from analysis.runs.layout import AUDIT_LIST_FILES, LIST_FILES


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


# --- the profile audit's full lists ---------------------------------------------------------


@pytest.fixture(scope="module")
def month(synthetic: str) -> ProfileAudit:
    """A synthetic month with thousands of customers, masked as the notebook masks it."""
    return masking.redact(audit(*SYNTHETIC_MONTH, db=synthetic))


def test_the_audits_lists_one_row_per_incomplete_profile(month: ProfileAudit) -> None:
    lists = audit_lists(month)
    for kind, whole, key in (
        ("incomplete_mechanics", month.mechanics, "mechanic_id"),
        ("incomplete_customers", month.customers, "customer_id"),
    ):
        incomplete = whole[~whole["profile_complete"]]
        frame = lists[kind]
        assert len(incomplete) > TOP_N and len(frame) == len(incomplete)
        assert set(frame[key]) == set(incomplete[key]) and frame[key].is_unique
        assert frame["requests"].sum() == incomplete["requests"].sum()
        assert list(frame["requests"]) == sorted(frame["requests"], reverse=True)
        pairs = zip(incomplete[key], incomplete["missing"], strict=True)
        lacking = {(i, f) for i, fields in pairs for f in fields}
        written = zip(frame[key], frame["missing"], strict=True)
        assert {(i, f) for i, fields in written for f in fields.split(";")} == lacking
    differences = lists["customer_key_differences"]
    assert len(differences) == len(month.key_differences) > TOP_N
    assert differences["id_requests"].iloc[0] == differences["id_requests"].max()
    assert list(lists["customers_without_profile"].columns) == ["customer_id", "requests"]


def test_the_audits_lists_are_masked_like_its_report(month: ProfileAudit, tmp_path) -> None:
    written = write_lists(month, AUDIT_LIST_FILES, tmp_path)
    assert sorted(p.name for p in written) == sorted(AUDIT_LIST_FILES.values())
    text = "".join(p.read_text() for p in written)
    assert not re.search(r"\buser\d+@inbox\.ca", text)  # the synthetic e-mails, raw
    assert "Mechanic " not in text  # the synthetic names, raw
    customers = pd.read_csv(tmp_path / AUDIT_LIST_FILES["incomplete_customers"])
    assert len(customers) == int((~month.customers["profile_complete"]).sum())
    assert customers["email"].str.contains(r"\*\*\*", regex=True).all()


def test_the_reference_audit_writes_its_lists_under_their_names(tmp_path) -> None:
    a = masking.redact(audit("2025-10-29", "2025-11-06"))
    write_lists(a, AUDIT_LIST_FILES, tmp_path)
    mechanics = pd.read_csv(tmp_path / "incomplete_mechanics.csv")
    assert len(mechanics) == int((~a.mechanics["profile_complete"]).sum())
    assert pd.read_csv(tmp_path / "incomplete_customers.csv").empty
    differences = pd.read_csv(tmp_path / "customer_key_differences.csv")
    assert "cust1@test.com" not in set(differences["key"])
    assert differences["requests"].sum() == differences["id_requests"].iloc[0]
