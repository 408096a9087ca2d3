"""Where the audit's grouping (customer id) and the investigation's (the request's e-mail,
else the customer id) part; the audit's lists bounded to their top N beside every total."""

from __future__ import annotations

import pandas as pd
import pytest
from rows import SYNTHETIC_MONTH, local, make_db, new_id, request

from analysis.domain import TOP_N
from analysis.investigation.audit import (
    ProfileAudit,
    audit,
    key_differences,
    missing_counts,
    ranked,
    rest_totals,
)

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


# --- lists that grow with the data: the top and the totals ------------------------------------


@pytest.fixture(scope="module")
def month(synthetic: str) -> ProfileAudit:
    """A synthetic month: thousands of customers, 150 mechanics on record."""
    return audit(*SYNTHETIC_MONTH, db=synthetic)


def test_ranked_puts_incomplete_profiles_first_then_the_busiest() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "profile_complete": [True, False, False, True, False],
            "requests": [9, 1, 5, 5, 5],
        }
    )
    assert list(ranked(frame, "customer_id")["customer_id"]) == ["c", "e", "b", "a", "d"]
    assert ranked(frame.head(0), "customer_id").empty


def test_rest_totals_and_missing_counts() -> None:
    rest = pd.DataFrame(
        {
            "profile_complete": [False, True, False],
            "requests": [3, 4, 0],
            "deleted": [True, False, False],
            "missing": [["city"], [], ["city", "phone"]],
        }
    )
    assert rest_totals(rest) == {"count": 3, "incomplete": 2, "requests": 7, "deleted": 1}
    assert rest_totals(rest.drop(columns="deleted").head(0)) == {
        "count": 0,
        "incomplete": 0,
        "requests": 0,
    }
    assert missing_counts(rest, ("phone", "city", "province")) == {
        "phone": 1,
        "city": 2,
        "province": 0,
    }


@pytest.mark.parametrize("table", ["mechanics", "customers"])
def test_the_top_and_the_rest_add_up_to_the_whole(month: ProfileAudit, table: str) -> None:
    whole = getattr(month, table)
    incomplete = int((~whole["profile_complete"]).sum())
    assert len(whole) > incomplete > TOP_N  # the data outgrows the table
    head, rest = month.top(table, TOP_N)
    assert len(head) == TOP_N and len(head) + rest["count"] == len(whole)
    assert int(head["requests"].sum()) + rest["requests"] == int(whole["requests"].sum())
    assert int((~head["profile_complete"]).sum()) + rest["incomplete"] == incomplete
    # incomplete profiles first, the busiest first
    assert not head["profile_complete"].any()
    assert list(head["requests"]) == sorted(head["requests"], reverse=True)
    left_out = whole[~whole["profile_complete"]]["requests"].nlargest(TOP_N + 1).iloc[-1]
    assert head["requests"].min() >= left_out


def test_the_json_keeps_the_top_and_every_total(month: ProfileAudit) -> None:
    d = month.to_dict(top_n=TOP_N)
    m, c = month.mechanics, month.customers
    assert len(d["mechanics"]) == len(d["customers"]) == TOP_N
    for key, whole in (("mechanics", m), ("customers", c)):
        others = d[f"{key}_others"]
        assert len(d[key]) + others["count"] == d[f"{key}_count"] == len(whole)
        assert sum(e["requests"] for e in d[key]) + others["requests"] == whole["requests"].sum()
        shown_incomplete = sum(bool(e["missing"]) for e in d[key])
        assert shown_incomplete + others["incomplete"] == d[f"incomplete_{key}_count"]
        assert d[f"incomplete_{key}_count"] == int((~whole["profile_complete"]).sum())
        lacking = whole["missing"].explode().dropna().value_counts()
        assert {f: n for f, n in d[f"{key}_missing"].items() if n} == lacking.to_dict()
    assert d["deleted_customers_count"] == int(c["deleted"].sum())
    assert (
        sum(e["deleted"] for e in d["customers"]) + d["customers_others"]["deleted"]
        == (d["deleted_customers_count"])
    )
    assert sum(t["mechanics"] for t in d["mechanics_by_type"]) == len(m)
    assert {g["field"] for g in d["mechanic_gaps"]} == set(month.mechanic_fields)


def test_the_json_keeps_the_largest_key_differences_and_their_totals(month: ProfileAudit) -> None:
    d = month.to_dict(top_n=TOP_N)
    t = month.request_emails.copy()
    t["key"] = t["customer_email"].where(t["customer_email"].notna(), t["customer_id"])
    keys_per_id = t.groupby("customer_id")["key"].nunique()
    split = keys_per_id[keys_per_id > 1].index
    assert len(split) > TOP_N
    assert d["customer_ids_split"] == {
        "count": len(split),
        "requests": int(t[t["customer_id"].isin(split)]["requests"].sum()),
    }
    assert d["customer_key_differences_count"] == len(month.key_differences)
    shown = d["customer_key_differences"]
    assert len(shown) == TOP_N
    assert [e["id_requests"] for e in shown] == sorted(
        (e["id_requests"] for e in shown), reverse=True
    )
    assert shown[0]["id_requests"] == int(month.key_differences["id_requests"].max())


def test_no_list_of_the_json_grows_with_the_data(month: ProfileAudit) -> None:
    small, large = month.to_dict(top_n=3), month.to_dict(top_n=TOP_N)
    for key in ("mechanics", "customers", "customers_without_profile", "customer_key_differences"):
        assert len(small[key]) <= 3
    assert all(len(v) <= TOP_N for v in large.values() if isinstance(v, list))
    assert small["customers_count"] == large["customers_count"] == len(month.customers)
    assert small["customers_others"]["requests"] > large["customers_others"]["requests"]


def test_the_reference_fits_its_top_n() -> None:
    d = audit("2025-10-29", "2025-11-06").to_dict()
    assert d["mechanics_count"] == len(d["mechanics"])
    assert d["mechanics_others"] == {"count": 0, "incomplete": 0, "requests": 0}
    assert d["customers_others"]["count"] == 0
    assert d["customer_key_differences_count"] == len(d["customer_key_differences"]) == 2
    assert d["customer_ids_split"]["count"] == 1 and d["keys_shared"]["count"] == 0


def test_customers_without_a_profile_most_requests_first(tmp_path) -> None:
    ids = [new_id() for _ in range(TOP_N + 3)]
    url = make_db(
        tmp_path,
        requests=[
            request(customer_id=i, created_at=local(2025, 10, 30, 9 + n % 10, n))
            for n, i in enumerate(ids)
        ]
        + [request(customer_id=ids[-1], created_at=local(2025, 10, 31, 9))],
    )
    d = audit("2025-10-29", "2025-11-06", db=url).to_dict()
    assert d["customers_without_profile_count"] == len(ids)
    assert d["customers_without_profile_requests"] == len(ids) + 1
    assert len(d["customers_without_profile"]) == TOP_N
    assert d["customers_without_profile"][0] == {"customer_id": ids[-1], "requests": 2}
