"""Masking personal data: the rules, stability, collisions, and the one place it is applied."""

from __future__ import annotations

import json

import pytest

from analysis import investigate
from analysis.accounts import TestAccountRules
from analysis.redact import Masker, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("cust1@test.com", "c***1@test.com"),
        ("owner@autodoctor.example", "o***r@autodoctor.example"),
        ("ab@x.org", "a***@x.org"),
        ("a@x.org", "a***@x.org"),
        ("0af3d300-cbca-4019-baa6-e92e402ccd1b", "0af3d300-cbca-4019-baa6-e92e402ccd1b"),
    ],
)
def test_mask_email(raw: str, masked: str) -> None:
    assert mask_email(raw) == masked


def test_mask_name_and_phone() -> None:
    assert mask_name("Alex Thompson") == "A*** T***"
    assert mask_name("  Customer   A ") == "C*** A***"
    assert mask_name("x@y.com") == "x***@y.com"
    assert mask_phone("+1 416-555-0199") == "***99"


def test_masks_are_stable_and_distinct() -> None:
    m = Masker()
    m.add(["cust1@test.com", "cast1@test.com", "cust1@test.com", None, ""], mask_email)
    m.add(["Anna Tran", "Alex Thompson"], mask_name)
    assert m.masks == {
        "cast1@test.com": "c***1@test.com",
        "cust1@test.com": "c***1@test.com #2",
        "Alex Thompson": "A*** T***",
        "Anna Tran": "A*** T*** #2",
    }
    assert len(set(m.masks.values())) == len(m.masks)
    text = "cust1@test.com and cast1@test.com met Alex Thompson (not xcust1@test.com)."
    assert m.text(text) == (
        "c***1@test.com #2 and c***1@test.com met A*** T*** (not xcust1@test.com)."
    )


def test_redacted_findings_mask_every_table_and_sentence() -> None:
    raw = investigate("2025-10-29", "2025-11-06")
    safe = raw.redacted()
    document = str(safe.to_dict())
    for personal in (
        "cust1@test.com",
        "cust2@test.com",
        "owner@autodoctor.example",
        "Mechanic 1",
        "Alex Thompson",
        "416-555",
    ):
        assert personal not in document
        assert personal not in safe.mechanic_roster.to_string()
        assert personal not in safe.customer_profiles.to_string()
    assert safe.total == raw.total == 43
    assert list(safe.customers["requests"]) == list(raw.customers["requests"])
    assert "cust1@test.com" in str(raw.to_dict())  # the original is left as it was


def test_listed_test_accounts_are_masked_too() -> None:
    """A known test account is named in the verdict's rules even when it made no request."""
    rules = TestAccountRules(known=frozenset({"qa.lead@garage-real.ca", "cust1@test.com"}))
    f = investigate("2025-10-29", "2025-11-06", rules=rules)
    assert "qa.lead@garage-real.ca" in json.dumps(f.to_dict())
    shared = json.dumps(f.redacted().to_dict())
    assert "qa.lead@garage-real.ca" not in shared and "cust1@test.com" not in shared
    assert f.redacted().verdict["rules"]["known"] == ["c***1@test.com", "q***d@garage-real.ca"]
