"""Where the audit's grouping (customer id) and the investigation's (the request's e-mail,
else the customer id) part."""

from __future__ import annotations

import pandas as pd

from analysis.investigation.audit import audit, key_differences

COLUMNS = ["customer_id", "customer_email", "requests"]


def test_one_customer_under_two_e_mails() -> None:
    counts = pd.DataFrame(
        [("c1", "a@x.com", 33), ("c1", "b@y.com", 1), ("c2", "c@x.com", 9)], columns=COLUMNS
    )
    d = key_differences(counts)
    assert d[["customer_id", "key", "requests", "id_requests"]].values.tolist() == [
        ["c1", "a@x.com", 33, 34],
        ["c1", "b@y.com", 1, 34],
    ]


def test_one_e_mail_on_two_customer_ids_and_a_missing_e_mail() -> None:
    counts = pd.DataFrame(
        [("c1", "a@x.com", 2), ("c2", "a@x.com", 3), ("c3", None, 4), ("c3", "d@x.com", 1)],
        columns=COLUMNS,
    )
    d = key_differences(counts)
    assert d[["customer_id", "key", "customer_email", "key_requests"]].values.tolist() == [
        ["c1", "a@x.com", "a@x.com", 5],
        ["c2", "a@x.com", "a@x.com", 5],
        ["c3", "c3", None, 4],  # no e-mail: counted under the customer id
        ["c3", "d@x.com", "d@x.com", 1],
    ]


def test_the_same_grouping_gives_no_difference() -> None:
    counts = pd.DataFrame([("c1", "a@x.com", 2), ("c2", None, 1)], columns=COLUMNS)
    assert key_differences(counts).empty
    assert key_differences(pd.DataFrame(columns=COLUMNS)).empty


def test_the_reference_customer_counted_33_and_34() -> None:
    a = audit("2025-10-29", "2025-11-06")
    d = a.key_differences
    assert d[["key", "requests", "id_requests"]].values.tolist() == [
        ["cust1@test.com", 33, 34],
        ["owner@autodoctor.example", 1, 34],
    ]
    assert a.to_dict()["customer_key_differences"][0]["customer_id"].startswith("0af3d300")
