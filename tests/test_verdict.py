"""The test-data verdict: configurable rules, and no "test data" for production-like traffic."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from analysis import sections
from analysis.accounts import TestAccountRules
from analysis.findings import investigate
from tests.conftest import at, request

PERIOD = ("2025-11-01", "2025-11-30")


def production_like() -> dict:
    """300 customers, 3 of them test addresses, about 12 % cancelled and 80 % completed."""
    rnd = random.Random(6)
    mechanics = [{"id": f"m{i}", "name": f"Mechanic {i}", "city": "Ottawa"} for i in range(20)]
    customers = [f"c{i}" for i in range(300)]
    emails = {c: f"driver{i}@mail.ca" for i, c in enumerate(customers)}
    emails.update({"c0": "qa@test.com", "c1": "dev@example.com", "c2": "ops@app.invalid"})
    rows = []
    start = at("2025-11-01 12:00")
    for n in range(900):
        cust = customers[n % 300]
        created = start + timedelta(minutes=47 * n)
        roll = rnd.random()
        status = "completed" if roll < 0.8 else ("cancelled" if roll < 0.92 else "expired")
        assigned = status == "completed" or rnd.random() < 0.3
        rows.append(
            request(
                f"r{n}",
                created_at=created,
                customer_id=cust,
                customer_email=emails[cust],
                status=status,
                mechanic_id=rnd.choice(mechanics)["id"] if assigned else None,
                accepted_at=created + timedelta(minutes=3) if assigned else None,
            )
        )
    profiles = [{"id": c, "email": emails[c]} for c in customers]
    return {"mechanics": mechanics, "profiles": profiles, "session_requests": rows}


@pytest.fixture(scope="module")
def production_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from tests.conftest import fill

    return fill(tmp_path_factory.mktemp("prod") / "prod.db", production_like())


def test_production_like_data_is_not_called_test_data(production_db: str) -> None:
    f = investigate(*PERIOD, db=production_db)
    assert f.total == 900 and len(f.customers) == 300
    v = f.to_dict()["verdict"]
    assert v["test_data"] is False
    holds = {e["signal"]: e["holds"] for e in v["evidence"]}
    assert holds == {
        "test_accounts": False,
        "cancel_and_completion_rates": False,
        "top_customer_concentration": False,
        "few_customers": False,
    }
    details = " ".join(e["detail"] for e in v["evidence"])
    assert "3 of 300 customers recognised as test accounts" in details
    for text in (sections.verdict_text(f), sections.executive_summary(f)):
        assert "test data" not in text.lower() and "test/development" not in text.lower()
    assert "real customer traffic" in sections.verdict_text(f)


def test_rules_are_configurable_and_reported(production_db: str) -> None:
    # Nothing matches: no pattern, no reserved domain, one known account.
    rules = TestAccountRules(patterns=(), reserved_domains=(), known=frozenset({"driver7@mail.ca"}))
    f = investigate(*PERIOD, db=production_db, rules=rules)
    flagged = f.customers.loc[f.customers["test_account"], "customer"].tolist()
    assert flagged == ["driver7@mail.ca"]
    assert f.verdict["rules"] == {
        "patterns": [],
        "reserved_domains": [],
        "known": ["driver7@mail.ca"],
    }
    assert "driver7@mail.ca (listed as a known test account)" in f.verdict["evidence"][0]["detail"]


def test_a_pattern_can_turn_everything_into_test_accounts(production_db: str) -> None:
    f = investigate(*PERIOD, db=production_db, rules=TestAccountRules(patterns=(r"@mail\.ca$",)))
    assert f.verdict["test_data"] is True
    assert "this is test data" in sections.verdict_text(f)


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        ("cust1@test.com", "address matches 'test'"),
        ("owner@autodoctor.example", "reserved test domain .example"),
        ("a@shop.invalid", "reserved test domain .invalid"),
        ("x@example.com", "reserved test domain example.com"),
        ("x@notexample.com", None),
        ("driver@mail.ca", None),
    ],
)
def test_default_rules(account: str, reason: str | None) -> None:
    assert TestAccountRules().reason(account) == reason
