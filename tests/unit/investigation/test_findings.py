"""Findings as an analyst meets it: a short summary when printed, the requests behind its
figures, the report's readable tables, and a source it never shows or keeps the password of."""

from __future__ import annotations

import dataclasses
import json

import pytest
from rows import PERIOD, local, make_db, request

from analysis import investigate
from analysis.errors import AnalysisError
from analysis.investigation import collect
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.findings import REPR_LIMIT, Findings
from analysis.report import sections
from analysis.source.engine import connect


@pytest.fixture(scope="module")
def f() -> Findings:
    return investigate("2025-10-29", "2025-11-06")


def test_repr_is_a_short_summary(f: Findings) -> None:
    text = repr(f)
    assert len(text) < REPR_LIMIT
    assert text.splitlines()[:4] == [
        "Findings 2025-10-29 .. 2025-11-06 (9 days, America/Toronto)",
        "  source:   demo database (demo.db)",
        "  requests: 43 (36 cancelled, 6 completed, 1 pending)",
        "  verdict:  test data",
    ]
    assert "f.requests(" in text and "DataFrame" not in text


def test_repr_of_an_empty_period(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(created_at=local(2025, 1, 5))])
    text = repr(investigate("2025-10-29", "2025-11-06", db=url))
    assert "requests: 0\n" in text and "verdict:  none (no requests)" in text


def test_repr_stays_short_with_many_statuses(f: Findings) -> None:
    many = f.status.loc[[0] * 300].assign(status=[f"status_{i:03d}" for i in range(300)])
    assert len(repr(dataclasses.replace(f, status=many))) <= REPR_LIMIT


def test_the_card_holds_the_headline_figures(f: Findings) -> None:
    card = f._repr_html_()
    for figure in (
        "43 (36 cancelled, 6 completed, 1 pending)",
        "13 / 30",
        "27 / 9",
        "3 of 7",
        "mean 4.83, median 1.51, min 0.47, max 29.38 (13 requests)",
        "3 requests fail 3 checks",
        "test data",
        "f.table(name)",
        "f.requests(status=&quot;cancelled&quot;)",
        "<code>customers</code>",
    ):
        assert figure in card, figure
    assert "cust1@test.com" not in card  # no personal data in the summary


def test_requests_are_the_periods_own(f: Findings) -> None:
    r = f.requests()
    assert len(r) == f.total
    assert len(f.requests(status="cancelled", mechanic="2750cdea")) == 6
    assert sorted(f.requests(anomaly="completed_without_mechanic").id) == sorted(
        f.anomalies.set_index("check").loc["completed_without_mechanic", "request_ids"]
    )


def test_requests_use_the_findings_rules(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(customer_email="qa@shop.ca")])
    found = investigate(
        "2025-10-29", "2025-11-06", db=url, rules=TestAccountRules.given(known=["qa@shop.ca"])
    )
    assert found.requests().test_account.tolist() == [True]
    assert investigate("2025-10-29", "2025-11-06", db=url).requests().test_account.tolist() == [
        False
    ]


def test_findings_made_on_a_connection_of_ones_own_need_a_db(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request()])
    with connect(url) as conn:
        found = collect(conn, PERIOD)
    with pytest.raises(AnalysisError, match=r"pass db=, or use analysis\.requests"):
        found.requests()
    assert len(found.requests(db=url)) == 1


def test_the_source_is_in_no_output(f: Findings) -> None:
    assert f.source is not None and f.source.bare_url.startswith("sqlite:///")
    assert "sqlite:///" not in repr(f) and "sqlite:///" not in f._repr_html_()
    assert "sqlite:///" not in json.dumps(f.to_dict(), default=str)
    assert "source" not in f.to_dict() and "request_mask" not in f.to_dict()


def test_tables_are_the_reports(f: Findings) -> None:
    assert f.tables()[:3] == ["comparison", "status", "rates"]
    assert f.table("customers").equals(sections.customers_table(f))
    assert list(f.table("status").columns) == ["Status", "Requests", "Share"]
    with pytest.raises(AnalysisError, match="no table 'nope': the report's tables are"):
        f.table("nope")


def test_the_docstring_names_every_field() -> None:
    doc = Findings.__doc__ or ""
    missing = [x.name for x in dataclasses.fields(Findings) if f"``{x.name}``" not in doc]
    assert missing == []


def test_findings_json_keeps_the_top_n_of_each_list_and_the_totals(f: Findings) -> None:
    full, short = f.to_dict(), f.to_dict(top_n=1)
    assert [c["customer"] for c in full["customers"]] == list(f.customers["customer"])
    assert full["customers_others"] == {"count": 0, "requests": 0, "by_status": {}}
    assert len(short["customers"]) == 1 and len(short["mechanics"]) == 1
    assert short["customers_others"] == {
        "count": 2,
        "requests": 10,
        "by_status": {"cancelled": 7, "completed": 3},
    }
    assert short["customers"][0]["requests"] + short["customers_others"]["requests"] == 43
    assert short["customer_distribution"] == full["customer_distribution"]
    assert short["customer_distribution"]["entities"] == 3
    shown = {a["check"]: a for a in short["anomalies"]}["completed_without_mechanic"]
    assert (shown["count"], len(shown["request_ids"]), shown["request_ids_shown"]) == (2, 1, 1)
    assert len(short["incomplete_mechanics"]) == 1 and short["incomplete_mechanics_count"] == 3
    assert short["test_accounts_count"] == 3 and len(short["test_accounts"]) == 1


def test_flagged_requests_one_row_each(f: Findings) -> None:
    flagged = f.flagged
    assert len(flagged) == f.flagged_requests == 3
    assert list(flagged["request_id"]) == sorted(flagged["request_id"])
    both = flagged[flagged["checks"].str.contains(";")]
    assert list(both["checks"]) == ["completed_without_mechanic;completed_without_accepted_at"] * 2


# Lists in findings.json as long as a vocabulary, not the data: statuses, checks, actions,
# signals, readiness metrics, figures compared, session types, hours of the week, driver
# dimensions, factor levels, acceptance thresholds, profile fields, the rules' own lists.
VOCABULARY_LISTS = {
    "anomalies",
    "recommendations",
    "readiness",
    "reasons",
    "evidence",
    "reserved_domains",
    "comparison",
    "busiest_slots",
    "unassigned_waits",
    "success_factors",
    "coinciding_factors",
    "separated_factors",
    "driver_dimensions",
    "drivers",  # data-valued dimensions checked below
    "drivers_others",
    "coverage",
    "minutes",
    "share",
    "present",
    "missing",
    "served",
    "scarce",
    "interval",
    "completion_rate_interval",
    "cancel_rate_interval",
}


def _lists(value: object, key: str = "") -> list[tuple[str, int]]:
    """(key, length) of every list in a JSON document, nested ones included."""
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _lists(v, k)]
    if isinstance(value, list):
        return [(key, len(value)), *(x for v in value for x in _lists(v, key))]
    return []


def test_no_list_in_findings_json_grows_with_the_data_beyond_top_n(f: Findings) -> None:
    top_n = 1
    document = f.to_dict(top_n=top_n)
    types = set(f.types["session_type"])
    long = {k for k, n in _lists(document) if n > top_n} - VOCABULARY_LISTS - types
    assert long == set()
    actions = {r["action"]: r for r in document["recommendations"]}
    profiles = actions["complete_mechanic_profiles"]
    assert len(profiles["mechanics"]) == top_n
    assert profiles["mechanics_count"] == len(f.incomplete_mechanics) > top_n
    idle = actions["more_working_mechanics"]
    assert len(idle["idle_complete"]) == top_n < idle["idle_complete_count"]


def test_drivers_keep_top_n_levels_of_data_valued_dimensions(f: Findings) -> None:
    from analysis.investigation.drivers import DATA_LEVELS

    top_n = 1
    document = f.to_dict(top_n=top_n)
    others = {(o["outcome"], o["dimension"]): o for o in document["drivers_others"]}
    assert others
    levels = {d["dimension"]: d["levels"] for d in document["driver_dimensions"]}
    full = f.root_causes.drivers
    for (outcome, dimension), rows in full.groupby(["outcome", "dimension"]):
        shown = [
            d for d in document["drivers"] if (d["outcome"], d["dimension"]) == (outcome, dimension)
        ]
        if dimension not in DATA_LEVELS:
            assert len(shown) == len(rows)  # hours, weekdays, yes/no: all of them
            continue
        rest = others.get((outcome, dimension), {"levels": 0, "requests": 0, "failures": 0})
        assert len(shown) == min(len(rows), top_n)
        assert len(shown) + rest["levels"] == len(rows) == levels[dimension]
        assert sum(d["requests"] for d in shown) + rest["requests"] == rows["requests"].sum()
        assert sum(d["failures"] for d in shown) + rest["failures"] == rows["failures"].sum()


def test_unexpected_values_past_top_n_are_counted_not_listed(f: Findings) -> None:
    odd = {f"status_{i}": 100 - i for i in range(7)}
    messy = dataclasses.replace(f, unknown_values={"status": odd, "routing_type": {"NULL": 2}})
    document = messy.to_dict(top_n=3)
    assert document["unknown_values"] == {
        "status": dict(list(odd.items())[:3]),
        "routing_type": {"NULL": 2},
    }
    rest = list(odd.values())[3:]
    assert document["unknown_values_others"] == {
        "status": {"values": len(rest), "requests": sum(rest)}
    }
