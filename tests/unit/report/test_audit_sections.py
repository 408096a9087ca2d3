"""The profile audit's text: which key groups customers, and where it parts from the
investigation's."""

from __future__ import annotations

import json

from rows import local, make_db, request

from analysis.investigation.audit import audit
from analysis.report import audit_sections
from analysis.report.masking import redact


def test_the_audit_explains_33_against_34() -> None:
    text = audit_sections.grouping_text(redact(audit("2025-10-29", "2025-11-06")))
    assert "counted here by **customer id**" in text
    assert "by the **e-mail on each request**" in text
    assert (
        "- `0af3d300` made 34 requests here; the investigation counts them as "
        "c***1@test.com (33) and o***r@autodoctor.example (1)."
    ) in text
    assert "cust1@test.com" not in text


def test_the_audit_says_when_both_keys_agree(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 30, 12))])
    text = audit_sections.grouping_text(audit("2025-10-29", "2025-11-06", db=url))
    assert text.endswith("In this period both give the same counts.")


def test_an_e_mail_shared_by_two_customer_ids(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[
            request(customer_email="shared@x.com", created_at=local(2025, 10, 30, 9)),
            request(
                customer_id="11111111-2222-4333-8444-555555555555",
                customer_email="shared@x.com",
                created_at=local(2025, 10, 30, 10),
            ),
        ],
    )
    text = audit_sections.grouping_text(audit("2025-10-29", "2025-11-06", db=url))
    assert "- shared@x.com is on the requests of 2 customer ids" in text
    assert "which the investigation counts together: 2." in text


def test_the_audits_json_masks_the_e_mails_of_both_keys() -> None:

    document = json.dumps(redact(audit("2025-10-29", "2025-11-06")).to_dict())
    assert "cust1@test.com" not in document and "owner@autodoctor.example" not in document
    assert '"key": "o***r@autodoctor.example"' in document
