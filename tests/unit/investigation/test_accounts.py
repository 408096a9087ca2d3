"""Test-account rules: patterns, reserved domains and a known list, and why each matched."""

from __future__ import annotations

import pytest

from analysis.investigation.accounts import (
    KNOWN,
    PATTERN,
    RESERVED_DOMAIN,
    Reason,
    TestAccountRules,
)


@pytest.mark.parametrize(
    "account",
    [
        "cust1@test.com",
        "owner@autodoctor.example",
        "a@example.com",
        "x@foo.invalid",
        "A@Sub.Example.COM",
        "someone@dev.localhost",
        "ktest@gmail.com",
    ],
)
def test_test_like_accounts_are_test(account):
    assert TestAccountRules().is_test(account)


@pytest.mark.parametrize(
    "account",
    ["jane.doe@gmail.com", "bob@notexample.com", "", None, "0af3d300-cbca-4019-baa6-e92e402ccd1b"],
)
def test_ordinary_accounts_are_not_test(account):
    assert not TestAccountRules().is_test(account)


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        ("a@example.com", Reason(RESERVED_DOMAIN, "example.com")),
        ("x@foo.invalid", Reason(RESERVED_DOMAIN, ".invalid")),
        ("owner@autodoctor.example", Reason(RESERVED_DOMAIN, ".example")),
        ("cust1@test.com", Reason(PATTERN, "test")),
        ("x@notexample.com", None),
        ("jane.doe@gmail.com", None),
    ],
)
def test_reason_says_why(account, reason):
    assert TestAccountRules().reason(account) == reason


def test_known_accounts_are_test_whatever_the_case():
    rules = TestAccountRules(known=frozenset({"Jane.Doe@Gmail.com"}))
    assert rules.reason(" jane.doe@gmail.com ") == Reason(KNOWN, " jane.doe@gmail.com ")
    assert not rules.is_test("john.doe@gmail.com")


def test_rules_given_by_keyword_keep_the_defaults_for_none():
    assert TestAccountRules.given() == TestAccountRules()
    rules = TestAccountRules.given(patterns=[], known=["a@b.ca"])
    assert rules.patterns == () and rules.known == frozenset({"a@b.ca"})
    assert rules.reserved_domains == TestAccountRules().reserved_domains
    assert rules.to_dict() == {
        "patterns": [],
        "reserved_domains": list(TestAccountRules().reserved_domains),
        "known": ["a@b.ca"],
    }
