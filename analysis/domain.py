"""The platform's vocabulary and the package's defaults, declared once.

Statuses, session and routing types, mechanic types, the cleanup rule's expiry, the profile
fields a complete profile needs, the testing-readiness thresholds and the test-account rules'
defaults. Every layer takes them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

DEFAULT_TIMEZONE = "America/Toronto"

# Statuses, session and routing types the platform is known to use; anything else is counted
# and shown, never dropped.
PENDING, ACCEPTED, CANCELLED, COMPLETED, EXPIRED, UNATTENDED = (
    "pending",
    "accepted",
    "cancelled",
    "completed",
    "expired",
    "unattended",
)
KNOWN_STATUSES = (PENDING, ACCEPTED, CANCELLED, COMPLETED, EXPIRED, UNATTENDED)
KNOWN_SESSION_TYPES = ("chat", "video", "diagnostic")
KNOWN_ROUTING_TYPES = ("broadcast", "workshop_only", "hybrid")
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "status": KNOWN_STATUSES,
    "session_type": KNOWN_SESSION_TYPES,
    "routing_type": KNOWN_ROUTING_TYPES,
}
# How a NULL is shown where a value is grouped on.
MISSING_STATUS = "unknown"
MISSING_TYPE = "unknown"
MISSING_ROUTING = "none"

# SCHEMA.md's mechanic types (derived from workshop_id and account_type).
VIRTUAL, WORKSHOP_AFFILIATED, INDEPENDENT_WORKSHOP = (
    "virtual",
    "workshop-affiliated",
    "independent workshop",
)
MECHANIC_TYPES = (VIRTUAL, WORKSHOP_AFFILIATED, INDEPENDENT_WORKSHOP)
WORKSHOP_MECHANIC_ACCOUNT = "workshop_mechanic"

# The cleanup job expires pending unassigned requests after this many minutes.
EXPIRY_MINUTES = 120

# The most request rows the drill-down (analysis.requests, Findings.requests) loads at once;
# a period with more is refused, pointing at the aggregates (investigate), which never load rows.
DRILL_DOWN_LIMIT = 2_000_000
# Longest a query may run, or wait for a lock, before it is cancelled (seconds; --query-timeout).
QUERY_TIMEOUT_SECONDS = 300.0
# The zone naive timestamps (no time zone stored) are wall-clock time in (--naive-timezone).
NAIVE_TIMEZONE = "UTC"
# Root causes: a request by the same customer within this many minutes after one of theirs
# that failed is a retry; the acceptance curve's thresholds, in minutes from the request.
RETRY_WINDOW_MINUTES = 30
ACCEPTANCE_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120)
# Lists that grow with the data (customers, mechanics, ids) show their busiest TOP_N entries in
# the report and findings.json (the profile audit: its first TOP_N, incomplete profiles first,
# in its report and profile_audit.json), then one row for all the others; the full lists go to
# CSV files beside the report. The distribution summary's concentration shares: the busiest 1 %
# and 10 % of customers (or mechanics), at least one of each.
TOP_N = 15
TOP_SHARES = (0.01, 0.10)

# Profile fields whose absence makes a profile incomplete (SCHEMA.md, "How the original report
# defined its figures").
MECHANIC_PROFILE_FIELDS = ("city", "province", "postal_code", "years_of_experience")
CUSTOMER_PROFILE_FIELDS = ("postal_code", "city", "province", "phone", "latitude", "longitude")

# Test accounts: "test" anywhere in the address, as the original report judged (cust1@test.com,
# ktest@…, test.user@…); a substring, so it also catches e.g. contest@…: pass narrower patterns
# (or a known list) where real addresses contain it.
TEST_PATTERNS: tuple[str, ...] = (r"test",)
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


@dataclass(frozen=True)
class Thresholds:
    """What the testing-readiness table asks for (defaults: the original report's)."""

    min_requests: int = 15
    min_completed: int = 5
    min_cancelled: int = 1
    min_pending: int = 1
    min_working_mechanics: int = 5
    min_test_customers: int = 5

    @classmethod
    def given(cls, **values: Any) -> Thresholds:
        """Thresholds from keyword values, where None means "the default"; an unknown name
        is a TypeError."""
        names = {f.name for f in fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise TypeError(f"unknown threshold(s): {', '.join(sorted(unknown))}")
        return cls(**{k: int(v) for k, v in values.items() if v is not None})


# The full lists written beside an investigation's report (``report.export.full_lists``; their
# file names: ``runs.layout.LIST_FILES``), by kind.
CUSTOMERS, MECHANICS, FLAGGED_REQUESTS = "customers", "mechanics", "flagged_requests"
LISTS = (CUSTOMERS, MECHANICS, FLAGGED_REQUESTS)
# The full lists written beside the profile audit's report (``report.export.audit_lists``;
# their file names: ``runs.layout.AUDIT_LIST_FILES``), by kind: named apart from the
# investigation's, as both notebooks write into the same folder.
INCOMPLETE_MECHANICS, INCOMPLETE_CUSTOMERS = "incomplete_mechanics", "incomplete_customers"
CUSTOMERS_WITHOUT_PROFILE, CUSTOMER_KEY_DIFFERENCES = (
    "customers_without_profile",
    "customer_key_differences",
)
AUDIT_LISTS = (
    INCOMPLETE_MECHANICS,
    INCOMPLETE_CUSTOMERS,
    CUSTOMERS_WITHOUT_PROFILE,
    CUSTOMER_KEY_DIFFERENCES,
)
