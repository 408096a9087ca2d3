"""The test-data verdict's evidence in words: one sentence per signal (``Signal``), used by
the diagnosis (``sections``) and the root-cause section (``root_causes``)."""

from __future__ import annotations

import pandas as pd

from analysis.investigation.accounts import KNOWN, PATTERN, RESERVED_DOMAIN
from analysis.investigation.findings import Findings
from analysis.investigation.judgement import (
    FEW,
    MAX_NAMED_ACCOUNTS,
    SCRIPT_RATES,
    TEST_ACCOUNTS,
    TOP_CUSTOMER,
    Signal,
)
from analysis.report.text import first_few, fmt_count, fmt_pct, plural, words

REASON_TEXT = {
    KNOWN: lambda match: "listed as a known test account",
    RESERVED_DOMAIN: lambda match: f"reserved test domain {match}",
    PATTERN: lambda match: f"address matches {match!r}",
}


def signal_text(s: Signal, test_accounts: pd.DataFrame, top_customer: str | None) -> str:
    """One piece of the verdict's evidence in words. ``test_accounts``: customer, rule, match
    (``Findings.test_accounts``); ``top_customer``: the busiest customer's key."""
    x = s.figures
    if s.name == TEST_ACCOUNTS:
        accounts = test_accounts
        named = [
            f"{a.customer} ({REASON_TEXT[a.rule](a.match)})"
            for a in accounts.head(MAX_NAMED_ACCOUNTS).itertuples()
        ]
        return (
            f"{fmt_pct(x['share'])} of requests come from {fmt_count(x['test_accounts'])} of "
            f"{plural(x['customers'], 'customer')} recognised as test accounts"
            + (f": {first_few(named, len(accounts) - MAX_NAMED_ACCOUNTS)}" if named else "")
            + "."
        )
    if s.name == SCRIPT_RATES:
        return (
            f"Cancellation rate {fmt_pct(x['cancel_rate'])} and completion rate "
            f"{fmt_pct(x['completion_rate'])} (test traffic looks like cancellations over "
            f"{fmt_pct(x['cancel_above'], 0)} and completions under "
            f"{fmt_pct(x['completion_below'], 0)})."
        )
    if s.name == TOP_CUSTOMER:
        return (
            f"The busiest customer, {top_customer}, made "
            f"{fmt_pct(x['share'])} of all requests ({fmt_count(x['requests'])} of "
            f"{fmt_count(x['of'])}); up to {fmt_count(x['busiest_day_requests'])} on one day "
            f"({x['busiest_day']:%d %b %Y})."
        )
    if s.name == FEW:
        return (
            f"{plural(x['customers'], 'distinct customer')} and "
            f"{plural(x['mechanics'], 'mechanic')} took part."
        )
    return f"{words(s.name)}: {x}"


def top_customer(f: Findings) -> str | None:
    """The busiest customer's key (``Findings.customers`` is busiest first), or None."""
    return f.customers.iloc[0]["customer"] if len(f.customers) else None


def verdict_reasons(f: Findings) -> list[str]:
    """The verdict's reasons (``f.verdict.reasons``), a sentence each."""
    return [signal_text(s, f.test_accounts, top_customer(f)) for s in f.verdict.reasons]
