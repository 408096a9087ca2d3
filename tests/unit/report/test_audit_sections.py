"""The profile audit's text and tables: which key groups customers, and where it parts from
the investigation's; every list bounded to its top N, with totals that lose no figure."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from rows import SYNTHETIC_MONTH, local, make_db, new_id, request

from analysis.domain import TOP_N
from analysis.investigation.audit import ProfileAudit, audit, split_customer_ids
from analysis.report import audit_sections
from analysis.report.masking import redact
from analysis.report.text import MAX_IDS_SHOWN


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


# --- bounded whatever the data's size ---------------------------------------------------------


@pytest.fixture(scope="module")
def month(synthetic: str) -> ProfileAudit:
    """A synthetic month, masked as the notebook masks it: thousands of customers."""
    return redact(audit(*SYNTHETIC_MONTH, db=synthetic))


def _incomplete_in(table: pd.DataFrame) -> int:
    """Incomplete profiles a display table counts: its rows missing something, plus the
    number the "All other" row gives."""
    shown = int((table["Missing"].iloc[:-1] != "—").sum())
    others = re.match(r"([\d,]+) incomplete", table["Missing"].iloc[-1])
    return shown + (int(others.group(1).replace(",", "")) if others else 0)


@pytest.mark.parametrize(
    ("make", "table", "key", "noun"),
    [
        (audit_sections.mechanics_table, "mechanics", "Mechanic", "mechanic"),
        (audit_sections.customers_table, "customers", "Customer", "customer"),
    ],
)
@pytest.mark.parametrize("top_n", [3, TOP_N])
def test_tables_show_the_top_n_and_one_row_adding_up(
    month: ProfileAudit, make, table: str, key: str, noun: str, top_n: int
) -> None:
    whole = getattr(month, table)
    shown = make(month, top_n)
    assert len(whole) > top_n + 1 and len(shown) == top_n + 1
    assert shown[key].iloc[-1] == f"All other {len(whole) - top_n:,} {noun}s"
    assert shown["Requests in period"].sum() == whole["requests"].sum()
    assert _incomplete_in(shown) == int((~whole["profile_complete"]).sum())


def test_the_rows_shown_are_the_incomplete_profiles_with_most_requests(month: ProfileAudit) -> None:
    shown = audit_sections.customers_table(month, TOP_N).iloc[:-1]
    incomplete = month.customers[~month.customers["profile_complete"]]
    assert list(shown["Requests in period"]) == list(
        incomplete["requests"].sort_values(ascending=False).head(TOP_N)
    )
    assert (shown["Missing"] != "—").all()


def test_the_deleted_profiles_add_up(month: ProfileAudit) -> None:
    shown = audit_sections.customers_table(month, TOP_N)
    others = int(shown["Deleted"].iloc[-1].removesuffix(" yes").replace(",", ""))
    assert (shown["Deleted"].iloc[:-1] == "yes").sum() + others == month.customers["deleted"].sum()


def test_the_reference_reads_as_before_without_an_others_row() -> None:
    a = redact(audit("2025-10-29", "2025-11-06"))
    for table, whole in (
        (audit_sections.mechanics_table(a), a.mechanics),
        (audit_sections.customers_table(a), a.customers),
    ):
        assert len(table) == len(whole) <= TOP_N
        assert not table.iloc[:, 0].str.contains("other").any()
    assert "The table shows" not in audit_sections.mechanics_list_text(a)
    assert audit_sections.customers_list_text(a) == (
        "The customers who made the most requests in the period first."
    )


def test_sentences_give_the_totals_by_field_with_thousands_separators(month: ProfileAudit) -> None:
    c, m = month.customers, month.mechanics
    text = audit_sections.customers_summary(month)
    incomplete = int((~c["profile_complete"]).sum())
    assert f"Of the {len(c):,} customer profiles" in text
    assert f"**{incomplete:,} are incomplete**" in text
    for field, n in c["missing"].explode().dropna().value_counts().items():
        assert f"{field}: {n:,}" in text
    assert f"{int(c['deleted'].sum()):,} have been deleted" in text
    text = audit_sections.mechanics_summary(month)
    bad = m[~m["profile_complete"]]
    assert f"**{len(bad):,} of {len(m):,} mechanics on record" in text
    for field, n in bad["missing"].explode().value_counts().items():
        assert f"{field.replace('_', ' ')}: {n:,}" in text
    working = int((bad["requests"] > 0).sum())
    assert f"{working:,} of them still took requests" in text
    assert text.count("`") == 2 * MAX_IDS_SHOWN  # the first few ids, then how many more
    assert f"and {working - MAX_IDS_SHOWN:,} more" in text


def test_the_list_texts_say_the_order_and_link_the_csv(month: ProfileAudit) -> None:
    for make, whole, noun, csv in (
        (audit_sections.mechanics_list_text, month.mechanics, "mechanic", "m.csv"),
        (audit_sections.customers_list_text, month.customers, "customer", "c.csv"),
    ):
        text = make(month, TOP_N, csv)
        assert text.startswith("Incomplete profiles first, the ")
        assert f"the first {TOP_N} and one row for the other {len(whole) - TOP_N:,} {noun}s" in text
        incomplete = int((~whole["profile_complete"]).sum())
        assert f"[{csv}]({csv}) lists all {incomplete:,} " in text
        assert "](" not in make(month, TOP_N)  # no file written: no link


def test_the_grouping_text_is_bounded_and_links_every_difference(month: ProfileAudit) -> None:
    top_n = 5
    ids = split_customer_ids(month.key_differences)
    assert len(ids) > top_n
    text = audit_sections.grouping_text(month, top_n, "customer_key_differences.csv")
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == top_n + 1  # the largest, and one line for the rest
    assert lines[-1] == (
        f"- All other {len(ids) - top_n:,} customer ids counted under more than one key: "
        f"{int(ids['requests'].iloc[top_n:].sum()):,} requests."
    )
    assert f"{int(ids['requests'].iloc[0]):,} requests here" in lines[0]
    assert f"{len(ids):,} customer ids ({int(ids['requests'].sum()):,} requests)" in text
    assert text.endswith(
        "[customer_key_differences.csv](customer_key_differences.csv) lists every customer id "
        "and key where they part."
    )


def test_customers_without_a_profile_first_few_and_a_link(tmp_path) -> None:
    ids = [new_id() for _ in range(MAX_IDS_SHOWN + 3)]
    url = make_db(
        tmp_path,
        requests=[request(customer_id=i, created_at=local(2025, 10, 30, 12)) for i in ids],
    )
    a = audit("2025-10-29", "2025-11-06", db=url)
    text = audit_sections.customers_summary(a, "customers_without_profile.csv")
    assert f"{len(ids):,} customers made {len(ids):,} requests without any profile" in text
    assert text.count("`") == 2 * MAX_IDS_SHOWN and "and 3 more." in text
    assert text.endswith(
        "[customers_without_profile.csv](customers_without_profile.csv) lists all of them."
    )
