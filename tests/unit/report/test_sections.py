"""The report's sentences, made from findings on hand-built data whose answers are known."""

from __future__ import annotations

import pytest
from rows import PERIOD, local, make_db, mechanic, request

from analysis import investigate
from analysis.investigation import collect
from analysis.investigation.quality import CHECK_NAMES
from analysis.report.sections import (
    CHECK_EXPLANATIONS,
    anomalies_text,
    customer_key_text,
    explain,
    recommendations_text,
    success_text,
)
from analysis.source.engine import connect


def test_mechanic_without_a_name_is_called_no_name(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[request(created_at=local(2025, 10, 30, 12))],
        mechanics=[mechanic(name=None, city=None), mechanic(name="Bob")],
    )
    with connect(url) as conn:
        findings = collect(conn, PERIOD)
    text = recommendations_text(findings)
    assert "(no name) lacks city" in text
    assert "nan" not in text


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


@pytest.mark.parametrize(("count", "word"), [(1, "request carries"), (2, "requests carry")])
def test_explanations_agree_in_number(count: int, word: str) -> None:
    text = explain("email_differs_from_profile", count)
    assert text.startswith(f"{count} {word} ")
    for name in CHECK_NAMES:
        assert "[" not in explain(name, count) and "{" not in explain(name, count)


def test_every_check_is_explained() -> None:
    assert set(CHECK_EXPLANATIONS) == set(CHECK_NAMES)


# --- interactive use ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference():
    return investigate("2025-10-29", "2025-11-06")


def test_data_quality_points_to_findings_json_in_a_report(reference) -> None:
    text = anomalies_text(reference)
    assert "(full ids are in findings.json)" in text
    assert "f.requests(" not in text


def test_data_quality_points_to_the_drill_down_interactively(reference) -> None:
    text = anomalies_text(reference, findings_json=False)
    assert "findings.json" not in text
    assert '`f.requests(anomaly="completed_without_mechanic")`' in text
    assert '`f.requests(anomaly="email_differs_from_profile")`' in text
    assert text.count("f.requests(") == 3  # one per check that found something


def test_the_customer_key_is_named(reference) -> None:
    text = customer_key_text(reference)
    assert text.startswith("Customers are grouped by the e-mail on each request, or by the ")
    assert "the profile audit groups them by customer id" in text.lower()
    assert "here 1 request carries an e-mail other than the one on the customer's profile" in text
    assert "(see Data quality)" in text
    assert '`f.requests(anomaly="email_differs_from_profile")` lists them' in customer_key_text(
        reference, findings_json=False
    )


def test_the_customer_key_without_differing_e_mails(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 30, 12))])
    text = customer_key_text(investigate("2025-10-29", "2025-11-06", db=url))
    assert text.endswith("when one customer's requests carry different e-mails.")
