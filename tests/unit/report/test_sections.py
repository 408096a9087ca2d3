"""The report's sentences, made from findings on hand-built data whose answers are known."""

from __future__ import annotations

import pytest
from rows import PERIOD, local, make_db, mechanic, request

from analysis import investigate
from analysis.investigation import collect
from analysis.investigation.quality import CHECK_NAMES
from analysis.report.sections import (
    CHECK_EXPLANATIONS,
    anomalies_text,
    customer_key_text,
    explain,
    recommendations_text,
    success_text,
)
from analysis.source.engine import connect


def test_mechanic_without_a_name_is_called_no_name(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[request(created_at=local(2025, 10, 30, 12))],
        mechanics=[mechanic(name=None, city=None), mechanic(name="Bob")],
    )
    with connect(url) as conn:
        findings = collect(conn, PERIOD)
    text = recommendations_text(findings)
    assert "(no name) lacks city" in text
    assert "nan" not in text


def test_completing_mechanic_missing_from_the_roster(tmp_path) -> None:
    """NaN profile attributes read as true: "complete profile, Red Seal certified (nan)"."""
    url = make_db(
        tmp_path,
        requests=[
            request(
                created_at=local(2025, 10, 30, 12),
                status="completed",
                mechanic_id="5f1c0000-0000-4000-8000-000000000001",
            )
        ],
    )
    with connect(url) as conn:
        text = success_text(collect(conn, PERIOD))
    assert "`5f1c0000` (no name) completed 1 of 1" in text
    assert "not in the mechanics table" in text
    assert "complete profile" not in text and "Red Seal certified" not in text
    assert "nan" not in text


@pytest.mark.parametrize(("count", "word"), [(1, "request carries"), (2, "requests carry")])
def test_explanations_agree_in_number(count: int, word: str) -> None:
    text = explain("email_differs_from_profile", count)
    assert text.startswith(f"{count} {word} ")
    for name in CHECK_NAMES:
        assert "[" not in explain(name, count) and "{" not in explain(name, count)


def test_every_check_is_explained() -> None:
    assert set(CHECK_EXPLANATIONS) == set(CHECK_NAMES)


# --- interactive use ------------------------------------------------------------------------


def test_data_quality_points_to_findings_json_in_a_report(reference) -> None:
    text = anomalies_text(reference)
    assert "(full ids are in findings.json)" in text
    assert "f.requests(" not in text


def test_data_quality_points_to_the_drill_down_interactively(reference) -> None:
    text = anomalies_text(reference, findings_json=False)
    assert "findings.json" not in text
    assert '`f.requests(anomaly="completed_without_mechanic")`' in text
    assert '`f.requests(anomaly="email_differs_from_profile")`' in text
    assert text.count("f.requests(") == 3  # one per check that found something


def test_the_customer_key_is_named(reference) -> None:
    text = customer_key_text(reference)
    assert text.startswith("Customers are grouped by the e-mail on each request, or by the ")
    assert "the profile audit groups them by customer id" in text.lower()
    assert "here 1 request carries an e-mail other than the one on the customer's profile" in text
    assert "(see Data quality)" in text
    assert '`f.requests(anomaly="email_differs_from_profile")` lists them' in customer_key_text(
        reference, findings_json=False
    )


def test_the_customer_key_without_differing_e_mails(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 10, 30, 12))])
    text = customer_key_text(investigate("2025-10-29", "2025-11-06", db=url))
    assert text.endswith("when one customer's requests carry different e-mails.")


# --- bounded whatever the data's size ---------------------------------------------------------


def test_top_n_and_one_row_for_the_others_add_up(reference) -> None:
    from analysis.report.sections import customers_table, mechanics_table

    full = customers_table(reference)
    assert len(full) == 3 and not full["Customer"].str.startswith("All other").any()
    one = customers_table(reference, top_n=1)
    assert list(one["Customer"])[1] == "All other 2 customers"
    assert one["Requests"].sum() == reference.total == full["Requests"].sum()
    for status in ("Cancelled", "Completed", "Pending"):
        assert one[status].sum() == full[status].sum()
    assert one.iloc[1]["Share"] == "23 %"  # 10 of 43
    assert one.iloc[1]["Cancellation (95 % CI)"] == "70 % (40–89 %)"  # 7 of 10
    mechanics = mechanics_table(reference, top_n=1)
    assert list(mechanics["Mechanic"])[1] == "All other 2 mechanics"
    assert mechanics["Requests"].sum() == mechanics_table(reference)["Requests"].sum()


def test_distribution_in_words_with_the_link(reference) -> None:
    from analysis.report.sections import distribution_text

    text = distribution_text(reference, "customer", top_n=1, full_list="customers.csv")
    assert text.startswith(
        "**3 customers**; requests per customer: median 9, 90th percentile 28, most 33. "
        "Concentration: the busiest 1 % (1) made 77 % of the requests. "  # 10 %: the same one
        "1 customer made exactly one request (33 %). "
    )
    assert "one row for the other 2. [customers.csv](customers.csv) lists every customer." in text
    # all 3 fit the table: it says it all
    assert distribution_text(reference, "customer", full_list="customers.csv") == (
        "[customers.csv](customers.csv) lists every customer."
    )
    assert distribution_text(reference, "customer") == ""


def test_data_quality_links_the_flagged_requests(reference) -> None:
    text = anomalies_text(reference, True, "flagged_requests.csv")
    assert "[flagged_requests.csv](flagged_requests.csv) lists every flagged request" in text
    assert "f.requests(" not in text


# --- counts with thousands separators -------------------------------------------------------


def test_counts_in_the_tables_have_thousands_separators(thousands) -> None:
    from analysis.report.sections import customers_table, readiness_table

    top = thousands.customers.iloc[0]
    assert top["busiest_day_requests"] >= 1000
    busiest = customers_table(thousands)["Busiest day"][0]
    assert busiest == f"{top['busiest_day']:%d %b} ({top['busiest_day_requests']:,})"
    r, shown = thousands.readiness, readiness_table(thousands)
    assert list(shown["Needed"]) == [f"{n:,}+" for n in r["needed"]]
    short = r[r["short_by"] >= 1000]
    assert len(short)
    for metric, by in zip(short["metric"], short["short_by"], strict=True):
        assert shown.loc[shown["Metric"] == metric, "Status"].item() == f"Need {by:,} more"


def test_counts_in_the_sentences_have_thousands_separators(thousands) -> None:
    m = thousands.mechanics.iloc[0]
    assert f"completed {m['completed']:,} of {m['requests']:,} (" in success_text(thousands)
    action = next(r for r in thousands.recommendations if r.code == "more_completed")
    current, needed = action.figures["current"], action.figures["needed"]
    assert current >= 1000
    assert f"({current:,} completed, {needed:,} needed)" in recommendations_text(thousands)


def test_requests_a_day_over_a_thousand_have_separators(thousands) -> None:
    from analysis.report.sections import customers_table, customers_text

    top = thousands.customers.iloc[0]
    assert top["per_active_day"] >= 1000
    assert f"{top['per_active_day']:,.2f} per active day" in customers_text(thousands)
    assert customers_table(thousands)["Per active day"][0] == f"{top['per_active_day']:,.1f}"


def test_unexpected_values_name_the_commonest_and_count_the_rest(thousands) -> None:
    import dataclasses

    from analysis.report.sections import MAX_IDS_SHOWN, unknown_values_text

    odd = {f"status_{i}": 1000 + i for i in range(MAX_IDS_SHOWN + 3)}
    text = unknown_values_text(dataclasses.replace(thousands, unknown_values={"status": odd}))
    named = list(odd)[:MAX_IDS_SHOWN]
    assert all(f"`{v}` ({odd[v]:,})" in text for v in named)
    assert not any(f"`{v}`" in text for v in list(odd)[MAX_IDS_SHOWN:])
    rest = list(odd.values())[MAX_IDS_SHOWN:]
    assert f"{len(rest)} other values ({sum(rest):,})" in text


def test_response_lines_agree_in_number(thousands) -> None:
    import dataclasses

    from analysis.report.sections import time_text

    for bad, verb in ((1, "it was"), (2, "they were")):
        response = {**thousands.response, "min": 1 / 60, "excluded_negative": bad}
        text = time_text(dataclasses.replace(thousands, response=response))
        assert "(1 second)" in text
        assert f"accepted before {verb} created" in text


def test_a_precise_rate_is_not_called_a_range(thousands, reference) -> None:
    from analysis.report.sections import NARROW_INTERVAL, rates_text

    narrow, wide = thousands.rates["cancellation"], reference.rates["cancellation"]
    assert narrow.high - narrow.low < NARROW_INTERVAL <= wide.high - wide.low
    assert "range, not a point" not in rates_text(thousands)
    assert "known to within 0.0 %–" in rates_text(thousands)
    assert "a rate from a small period is a range, not a point" in rates_text(reference)
