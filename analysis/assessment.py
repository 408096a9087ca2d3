"""Judgements drawn from the figures: the test-data verdict, testing readiness, recommendations.

Every sentence is built from the numbers it states, so any period reads true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.accounts import TestAccountRules
from analysis.schema import KNOWN_SESSION_TYPES
from analysis.text import fmt_pct, join_words, plural, short_id

# The original script's rule: "test/development data" when cancel rate > 70 % and completion < 20 %.
SCRIPT_CANCEL_RATE = 0.70
SCRIPT_COMPLETION_RATE = 0.20
TEST_SHARE_DECISIVE = 0.5  # half the requests from test accounts settles it
TOP_CUSTOMER_SHARE = 0.5
FEW_CUSTOMERS = 5
MAX_NAMED_ACCOUNTS = 5  # the evidence names at most this many test accounts
SCARCE_TYPE_SHARE = 0.15
MECHANIC_TYPES = ("virtual", "workshop-affiliated", "independent workshop")


@dataclass(frozen=True)
class Thresholds:
    """What the testing-readiness table asks for (defaults: the original report's)."""

    min_requests: int = 15
    min_completed: int = 5
    min_cancelled: int = 1
    min_pending: int = 1
    min_working_mechanics: int = 5
    min_test_customers: int = 5


@dataclass(frozen=True)
class Headline:
    """The figures the verdict and recommendations reason from."""

    total: int
    cancelled: int
    completed: int
    pending: int
    never_assigned: int
    customers: pd.DataFrame  # metrics.customer_table
    mechanics_involved: int

    @property
    def test_customers(self) -> int:
        """Customers recognised as test accounts (``TestAccountRules``)."""
        return int(self.customers["test_account"].sum()) if len(self.customers) else 0

    @property
    def cancel_rate(self) -> float:
        return self.cancelled / self.total if self.total else 0.0

    @property
    def completion_rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


def evidence(h: Headline, rules: TestAccountRules | None = None) -> list[dict[str, Any]]:
    """The signals weighed by the verdict: ``{"signal", "holds", "detail"}`` each.

    ``rules`` (default ``TestAccountRules()``) explain why each test account is one.
    """
    if h.total == 0:
        return []
    rules = rules or TestAccountRules()
    customers = h.customers
    test_requests = int(customers.loc[customers["test_account"], "requests"].sum())
    test_share = test_requests / h.total
    test_accounts = customers.loc[customers["test_account"], "customer"].tolist()
    named = [f"{c} ({rules.reason(c)})" for c in test_accounts[:MAX_NAMED_ACCOUNTS]]
    if len(test_accounts) > MAX_NAMED_ACCOUNTS:
        named.append(f"{len(test_accounts) - MAX_NAMED_ACCOUNTS} more")
    top = customers.iloc[0]
    n_customers = len(customers)
    script_rule = h.cancel_rate > SCRIPT_CANCEL_RATE and h.completion_rate < SCRIPT_COMPLETION_RATE
    return [
        {
            "signal": "test_accounts",
            "holds": test_share >= TEST_SHARE_DECISIVE,
            "detail": f"{fmt_pct(test_share)} of requests come from "
            f"{len(test_accounts)} of {plural(n_customers, 'customer')} recognised as test "
            "accounts" + (f": {join_words(named)}" if named else "") + ".",
        },
        {
            "signal": "cancel_and_completion_rates",
            "holds": script_rule,
            "detail": f"Cancellation rate {fmt_pct(h.cancel_rate)} and completion rate "
            f"{fmt_pct(h.completion_rate)} (test traffic looks like cancellations over "
            f"{fmt_pct(SCRIPT_CANCEL_RATE, 0)} and completions under "
            f"{fmt_pct(SCRIPT_COMPLETION_RATE, 0)}).",
        },
        {
            "signal": "top_customer_concentration",
            "holds": float(top["share"]) >= TOP_CUSTOMER_SHARE,
            "detail": f"The busiest customer, {top['customer']}, made {fmt_pct(top['share'])} "
            f"of all requests ({top['requests']} of {h.total}); up to "
            f"{top['busiest_day_requests']} on one day ({top['busiest_day']:%d %b %Y}).",
        },
        {
            "signal": "few_customers",
            "holds": n_customers <= FEW_CUSTOMERS,
            "detail": f"{plural(n_customers, 'distinct customer')} and "
            f"{plural(h.mechanics_involved, 'mechanic')} took part.",
        },
    ]


def rules_used(rules: TestAccountRules) -> dict[str, list[str]]:
    """The test-account rules, as findings.json and the report state them."""
    return {
        "patterns": list(rules.patterns),
        "reserved_domains": list(rules.reserved_domains),
        "known": sorted(rules.known),
    }


def verdict(h: Headline, rules: TestAccountRules | None = None) -> dict[str, Any]:
    """Test data when test accounts make half the requests, or when the script's rate rule
    holds together with concentration (one customer, or few customers). Concentration alone
    is not enough: one genuine request is one customer making every request.

    Returns test_data (None for an empty period), reasons (the signals that agree with the
    verdict), evidence (all signals weighed), rules (how test accounts were recognised)."""
    rules = rules or TestAccountRules()
    weighed = evidence(h, rules)
    if not weighed:
        return {
            "test_data": None,
            "reasons": ["There were no requests in this period."],
            "evidence": [],
            "rules": rules_used(rules),
        }
    holds = {e["signal"]: e["holds"] for e in weighed}
    concentrated = holds["top_customer_concentration"] or holds["few_customers"]
    test_data = bool(
        holds["test_accounts"] or (holds["cancel_and_completion_rates"] and concentrated)
    )
    reasons = [e["detail"] for e in weighed if e["holds"] == test_data]
    return {
        "test_data": test_data,
        "reasons": reasons,
        "evidence": weighed,
        "rules": rules_used(rules),
    }


def readiness_status(current: int, needed: int) -> str:
    if current >= 2 * needed:
        return "Exceeds"
    if current >= needed:
        return "Sufficient"
    return f"Need {needed - current} more"


def readiness(h: Headline, t: Thresholds) -> pd.DataFrame:
    """Columns: metric, current, needed, status (``Exceeds``, ``Sufficient`` or ``Need N more``)."""
    rows = [
        ("Session requests", h.total, t.min_requests),
        ("Completed sessions", h.completed, t.min_completed),
        ("Cancelled sessions", h.cancelled, t.min_cancelled),
        ("Pending sessions", h.pending, t.min_pending),
        ("Working mechanics", h.mechanics_involved, t.min_working_mechanics),
        ("Test customers", h.test_customers, t.min_test_customers),
    ]
    return pd.DataFrame(
        [(m, c, f"{n}+", readiness_status(c, n)) for m, c, n in rows],
        columns=["metric", "current", "needed", "status"],
    )


def scarce_types(types: pd.DataFrame) -> pd.DataFrame:
    """Known session types under ``SCARCE_TYPE_SHARE`` of requests, absent ones included.

    ``types``: session_type, requests, share. Returns the same columns.
    """
    total = int(types["requests"].sum())
    counts = dict(zip(types["session_type"], types["requests"], strict=True))
    rows = [(t, int(counts.get(t, 0))) for t in KNOWN_SESSION_TYPES]
    table = pd.DataFrame(rows, columns=["session_type", "requests"])
    table["share"] = table["requests"] / total if total else 0.0
    return table[table["share"] < SCARCE_TYPE_SHARE].reset_index(drop=True)


def recommendations(
    h: Headline,
    t: Thresholds,
    verdict_: dict[str, Any],
    mechanics: pd.DataFrame,
    roster: pd.DataFrame,
    types: pd.DataFrame,
) -> list[str]:
    """Actions the figures call for, most pressing first.

    ``mechanics``: metrics.mechanic_table; ``roster``: metrics.mechanic_profiles;
    ``types``: metrics.type_breakdown.
    """
    if h.total == 0:
        return [
            "No requests were made in this period: check that the period and database are "
            "the intended ones before drawing conclusions."
        ]
    actions: list[str] = []
    incomplete = roster[~roster["profile_complete"]]
    if len(incomplete):
        items = [
            f"`{short_id(r.mechanic_id)}` ({_name(r.name)}) lacks "
            f"{join_words([f.replace('_', ' ') for f in r.missing])}"
            for r in incomplete.itertuples()
        ]
        actions.append(
            f"Complete the profiles of {plural(len(incomplete), 'mechanic')}: "
            + "; ".join(items)
            + "."
        )
    actions += _mechanic_actions(h, t, mechanics, roster)
    # Test customers to create only matter while the platform is being tested.
    if verdict_["test_data"] and h.test_customers < t.min_test_customers:
        missing = t.min_test_customers - h.test_customers
        actions.append(
            f"Create {plural(missing, 'more test customer')} with complete profiles "
            f"(address, postal code, coordinates): {h.test_customers} took part, "
            f"{t.min_test_customers} are needed."
        )
    if h.completed < t.min_completed:
        actions.append(
            f"Complete {plural(t.min_completed - h.completed, 'more session')} to "
            f"exercise the happy path ({h.completed} completed, {t.min_completed} "
            "needed)."
        )
    scarce = scarce_types(types)
    if len(scarce):
        top = types.iloc[0]
        parts = [
            f"{r.session_type} ({r.requests}, {fmt_pct(r.share)})" for r in scarce.itertuples()
        ]
        actions.append(
            f"Create more {join_words(parts)} sessions: {top['session_type']} makes "
            f"up {fmt_pct(top['share'])} of requests."
        )
    actions.append(_cancellation_action(h, verdict_))
    return actions


def _name(value: object) -> str:
    return value if isinstance(value, str) else "no name"


def _mechanic_actions(
    h: Headline, t: Thresholds, mechanics: pd.DataFrame, roster: pd.DataFrame
) -> list[str]:
    actions: list[str] = []
    if h.mechanics_involved < t.min_working_mechanics:
        missing = t.min_working_mechanics - h.mechanics_involved
        idle = roster[
            roster["profile_complete"]
            & ~roster["mechanic_id"].isin(mechanics.get("mechanic_id", []))
        ]
        text = (
            f"Get {plural(missing, 'more mechanic')} taking requests: "
            f"{h.mechanics_involved} took part, {t.min_working_mechanics} are needed."
        )
        if len(idle):
            text += (
                f" {plural(len(idle), 'mechanic')} with a complete profile took none: "
                f"{join_words([f'`{short_id(i)}`' for i in idle['mechanic_id']])}."
            )
        actions.append(text)
    served = set(mechanics["mechanic_type"].dropna()) if "mechanic_type" in mechanics else set()
    absent = [m for m in MECHANIC_TYPES if m not in served]
    if absent and h.mechanics_involved:
        actions.append(
            f"Have {join_words(absent, 'and')} mechanics take requests too: this "
            f"period's requests were served by {join_words(sorted(served)) or 'none'} "
            "mechanics only."
        )
    return actions


def _cancellation_action(h: Headline, verdict_: dict[str, Any]) -> str:
    if verdict_.get("test_data"):
        return (
            f"Don't treat the {fmt_pct(h.cancel_rate, 0)} cancellation rate as a production "
            "problem: it comes from test traffic. Keep the cancelled requests for testing "
            "error handling and focus on producing more completed sessions."
        )
    return (
        f"Investigate the {fmt_pct(h.cancel_rate, 0)} cancellation rate: "
        f"{fmt_pct(h.never_assigned / h.total, 0)} of requests were never assigned a "
        "mechanic."
    )
