"""Recognising test accounts from their e-mail address (or grouping key)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from analysis.domain import RESERVED_DOMAINS, TEST_PATTERNS

KNOWN, RESERVED_DOMAIN, PATTERN = "known", "reserved_domain", "pattern"


class Reason(NamedTuple):
    """Why an account is a test account: which ``rule`` (``known``, ``reserved_domain``,
    ``pattern``) and what it matched (the listed account, the domain, the pattern)."""

    rule: str
    match: str


@dataclass(frozen=True)
class TestAccountRules:
    """Which accounts count as test accounts: address patterns (regular expressions),
    reserved domains (a leading dot matches any domain ending so) and a known list."""

    __test__ = False  # not a pytest test class, despite the name

    patterns: tuple[str, ...] = TEST_PATTERNS
    reserved_domains: tuple[str, ...] = RESERVED_DOMAINS
    known: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def given(
        cls,
        patterns: Iterable[str] | None = None,
        reserved_domains: Iterable[str] | None = None,
        known: Iterable[str] | None = None,
    ) -> TestAccountRules:
        """Rules from keyword values, where None means "the default"."""
        default = cls()
        return cls(
            patterns=default.patterns if patterns is None else tuple(patterns),
            reserved_domains=(
                default.reserved_domains if reserved_domains is None else tuple(reserved_domains)
            ),
            known=default.known if known is None else frozenset(known),
        )

    @cached_property
    def _compiled(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((p, re.compile(p, flags=re.IGNORECASE)) for p in self.patterns)

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(k.strip().lower() for k in self.known)

    def reason(self, account: str | None) -> Reason | None:
        """Why ``account`` is a test account, or None when nothing marks it as one."""
        if not account:
            return None
        text = account.strip().lower()
        if text in self._known:
            return Reason(KNOWN, account)
        domain = text.rpartition("@")[2] if "@" in text else ""
        for reserved in self.reserved_domains:
            suffix = reserved.lower()
            if domain and (
                domain == suffix.lstrip(".")
                or domain.endswith(suffix if suffix.startswith(".") else "." + suffix)
            ):
                return Reason(RESERVED_DOMAIN, reserved)
        for pattern, compiled in self._compiled:
            if compiled.search(text):
                return Reason(PATTERN, pattern)
        return None

    def is_test(self, account: str | None) -> bool:
        return self.reason(account) is not None

    def to_dict(self) -> dict[str, list[str]]:
        """The rules as findings.json and the report state them."""
        return {
            "patterns": list(self.patterns),
            "reserved_domains": list(self.reserved_domains),
            "known": sorted(self.known),
        }
