"""Recognising test accounts from their e-mail address (or grouping key)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# RFC 2606 / RFC 6761 names reserved for testing and documentation.
RESERVED_DOMAINS: tuple[str, ...] = (
    "example.com",
    "example.org",
    "example.net",
    ".example",
    ".test",
    ".invalid",
    ".localhost",
)
# "test" anywhere in the address, as the original report judged (cust1@test.com, ktest@…,
# test.user@…); a substring, so it also catches e.g. contest@…: pass narrower patterns (or a
# known list) in TestAccountRules where real addresses contain it.
TEST_PATTERNS: tuple[str, ...] = (r"test",)


@dataclass(frozen=True)
class TestAccountRules:
    """Which accounts count as test accounts: address patterns, reserved domains, a known list."""

    __test__ = False  # not a pytest test class, despite the name

    patterns: tuple[str, ...] = TEST_PATTERNS
    reserved_domains: tuple[str, ...] = RESERVED_DOMAINS
    known: frozenset[str] = field(default_factory=frozenset)

    def reason(self, account: str | None) -> str | None:
        """Why ``account`` is a test account, or None when nothing marks it as one."""
        if not account:
            return None
        text = account.strip().lower()
        if text in {k.lower() for k in self.known}:
            return "listed as a known test account"
        domain = text.rpartition("@")[2] if "@" in text else ""
        for reserved in self.reserved_domains:
            suffix = reserved.lower()
            if domain and (
                domain == suffix.lstrip(".")
                or domain.endswith(suffix if suffix.startswith(".") else "." + suffix)
                or domain == suffix
            ):
                return f"reserved test domain {reserved}"
        for pattern in self.patterns:
            if re.search(pattern, text, flags=re.IGNORECASE):
                return f"address matches {pattern!r}"
        return None

    def is_test(self, account: str | None) -> bool:
        return self.reason(account) is not None

    def flag(self, accounts: Iterable[str | None]) -> list[bool]:
        return [self.is_test(a) for a in accounts]
