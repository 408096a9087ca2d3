"""The verdict's evidence in words."""

from __future__ import annotations

from analysis.investigation.judgement import TOP_CUSTOMER
from analysis.report.verdict import signal_text, top_customer


def test_the_busiest_customer_s_counts_have_thousands_separators(thousands) -> None:
    signal = next(s for s in thousands.verdict.evidence if s.name == TOP_CUSTOMER)
    x = signal.figures
    assert x["requests"] >= 1000
    text = signal_text(signal, thousands.test_accounts, top_customer(thousands))
    assert f"({x['requests']:,} of {x['of']:,}); up to {x['busiest_day_requests']:,} on" in text
