"""Masking personal data: the rules, stability, collisions, and masking as data (the declared
personal columns, before any sentence exists)."""

from __future__ import annotations

import copy
import json
import pickle

import pandas as pd
import pytest

from analysis import investigate
from analysis.errors import AnalysisError
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.findings import EMAIL, NAME, PHONE
from analysis.report import sections
from analysis.report.masking import Masker, mask_email, mask_name, mask_phone, redact


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
    assert mask_name("  Customer   A ") == "  C***   A*** "
    assert mask_name("Mechanic 1") == "M*** 1***"
    assert mask_name("x@y.com") == "x***@y.com"
    assert mask_phone("+1 416-555-0199") == "***99"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("Customer B <b@x.com>", "C*** B*** <b***@x.com>"),
        ("b@x.com, carol.w@y.org", "b***@x.com, c***w@y.org"),
        ("mailto:dana@z.ca", "m***:d***a@z.ca"),
        ("no-email-here", "no-email-here"),  # an e-mail column holding no e-mail: not personal
    ],
)
def test_every_e_mail_in_a_personal_value_is_masked(raw: str, masked: str) -> None:
    m = Masker()
    m.add([raw], EMAIL)
    assert m.value(raw) == masked


def test_masks_are_stable_and_distinct() -> None:
    m = Masker()
    m.add(["cust1@test.com", "cast1@test.com", "cust1@test.com", None, ""], EMAIL)
    m.add(["Anna Tran", "Alex Thompson"], NAME)
    m.add(["416-555-0199"], PHONE)
    assert m.masks == {
        "cast1@test.com": "c***1@test.com",
        "cust1@test.com": "c***1@test.com #2",
        "Alex Thompson": "A*** T***",
        "Anna Tran": "A*** T*** #2",
        "416-555-0199": "***99",
    }
    frame = pd.DataFrame(
        {"who": ["cust1@test.com", None, "cast1@test.com", "someone else"]}, dtype=object
    )
    assert m.column(frame, "who")["who"].tolist() == [
        "c***1@test.com #2",
        None,
        "c***1@test.com",
        "someone else",
    ]


def test_redacted_findings_mask_every_table_and_sentence(reference) -> None:
    safe = redact(reference)
    document = json.dumps(safe.to_dict())
    text = "\n".join(
        [
            sections.executive_summary(safe),
            sections.customers_text(safe),
            sections.verdict_text(safe),
            sections.recommendations_text(safe),
            sections.evidence_table(safe).to_string(),
            sections.mechanics_table(safe).to_string(),
            sections.customers_table(safe).to_string(),
        ]
    )
    for personal in (
        "cust1@test.com",
        "cust2@test.com",
        "owner@autodoctor.example",
        "Mechanic 1",
        "Alex Thompson",
        "416-555",
    ):
        assert personal not in document
        assert personal not in text
        assert personal not in safe.mechanic_roster.to_string()
        assert personal not in safe.customer_profiles.to_string()
    assert "c***1@test.com" in text and "c***1@test.com" in document
    assert safe.total == reference.total == 43
    assert list(safe.customers["requests"]) == list(reference.customers["requests"])
    assert "cust1@test.com" in json.dumps(reference.to_dict())  # the original is unchanged


def test_one_person_one_mask_across_tables(reference) -> None:
    safe = redact(reference)
    assert safe.customers["customer"].iloc[0] == safe.test_accounts["customer"].iloc[0]
    masks = dict(zip(reference.customers["customer"], safe.customers["customer"], strict=True))
    profiles = dict(
        zip(reference.customer_profiles["email"], safe.customer_profiles["email"], strict=True)
    )
    for raw in set(masks) & set(profiles):
        assert masks[raw] == profiles[raw]


def test_listed_test_accounts_are_masked_too() -> None:
    """A known test account is named in the verdict's rules even when it made no request."""
    rules = TestAccountRules(known=frozenset({"qa.lead@garage-real.ca", "cust1@test.com"}))
    f = investigate("2025-10-29", "2025-11-06", rules=rules)
    assert "qa.lead@garage-real.ca" in json.dumps(f.to_dict())
    shared = json.dumps(redact(f).to_dict())
    assert "qa.lead@garage-real.ca" not in shared and "cust1@test.com" not in shared
    assert redact(f).to_dict()["verdict"]["rules"]["known"] == [
        "c***1@test.com",
        "q***d@garage-real.ca",
    ]


def test_twenty_thousand_customers_get_distinct_masks(reference) -> None:
    """Thousands share a mask shape (u***0@inbox.ca): each still gets its own."""
    customers = pd.DataFrame(
        {
            "customer": [f"user{i}@inbox.ca" for i in range(20_000)],
            "requests": 1,
            "test_account": False,
        }
    )
    many = reference.__class__(**{**reference.__dict__, "customers": customers})
    safe = redact(many)
    assert safe.customers["customer"].str.contains("@inbox.ca").all()
    assert not safe.customers["customer"].isin(customers["customer"]).any()
    assert safe.customers["customer"].is_unique
    nines = sorted(c for c in customers["customer"] if c.startswith("user") and c[-10] == "9")
    masks = dict(zip(customers["customer"], safe.customers["customer"], strict=True))
    assert [masks[c] for c in nines[:2]] == ["u***9@inbox.ca", "u***9@inbox.ca #2"]
    assert masks[nines[-1]] == "u***9@inbox.ca #2000"  # the last of 2,000 alike, sorted


# --- the drill-down of masked findings ------------------------------------------------------


def test_masked_findings_list_their_requests_masked_alike(reference) -> None:
    """f.requests() of a masked Findings shows the masks its tables show, never the e-mails."""
    safe = redact(reference)
    assert safe.masked and not reference.masked
    rows = safe.requests()
    assert "@test.com" in " ".join(rows["customer"])
    for raw in ("cust1@test.com", "cust2@test.com", "owner@autodoctor.example"):
        assert raw not in rows.to_string() and raw not in rows.to_json(date_format="iso")
    counts = rows.groupby("customer").size().to_dict()
    assert counts == dict(zip(safe.customers["customer"], safe.customers["requests"], strict=True))
    assert set(rows["customer_email"]) <= set(safe.customers["customer"])
    assert rows["customer_id"].str.len().eq(36).all()  # ids are not masked


def test_a_masked_customer_key_filters_the_drill_down(reference) -> None:
    safe = redact(reference)
    top = safe.customers["customer"].iloc[0]
    assert top == "c***1@test.com"
    assert len(safe.requests(customer=top)) == 33
    assert len(safe.requests(customer=[top, "c***2@test.com"])) == 42


def test_listed_test_accounts_still_count_after_masking() -> None:
    rules = TestAccountRules(patterns=(), reserved_domains=(), known=frozenset({"cust2@test.com"}))
    safe = redact(investigate("2025-10-29", "2025-11-06", rules=rules))
    flagged = safe.requests().groupby("customer").test_account.first()
    assert flagged.to_dict() == {
        "c***1@test.com": False,
        "c***2@test.com": True,
        "o***r@autodoctor.example": False,
    }


def test_a_pickled_copy_refuses_rather_than_unmask(reference) -> None:
    safe = redact(reference)
    shipped = pickle.dumps(safe)
    assert b"cust1@test.com" not in shipped
    with pytest.raises(AnalysisError, match=r"copied \(pickled\) without its masks"):
        pickle.loads(shipped).requests()
    assert len(copy.deepcopy(safe).requests()) == 43  # a copy in memory keeps them


def test_masking_twice_keeps_the_first_masks(reference) -> None:
    twice = redact(redact(reference))
    assert twice.requests()["customer"].iloc[0] in set(twice.customers["customer"])
    assert "#2" not in " ".join(twice.requests()["customer"])


def test_the_audit_and_the_investigation_mask_a_person_alike(synthetic: str) -> None:
    """One period's two reports sit in one folder and name each other's keys (the audit's
    key differences): a raw value gets the same mask, ``#n`` included, in both."""
    from rows import SYNTHETIC_MONTH

    from analysis import investigate
    from analysis.investigation.audit import audit
    from analysis.report.masking import masker_for

    findings = masker_for(investigate(*SYNTHETIC_MONTH, db=synthetic)).masks
    audited = masker_for(audit(*SYNTHETIC_MONTH, db=synthetic)).masks
    shared = findings.keys() & audited.keys()
    numbered = [raw for raw in shared if "#" in findings[raw]]
    assert len(shared) > 1000 and len(numbered) > 100  # many people, many colliding masks
    assert {raw: audited[raw] for raw in shared} == {raw: findings[raw] for raw in shared}
