"""The readable views a Findings borrows from the report: its tables by name and its card."""

from __future__ import annotations

import inspect

import pytest

from analysis import investigate
from analysis.investigation.findings import Findings
from analysis.report import sections, views
from analysis.report.masking import redact


@pytest.fixture(scope="module")
def f() -> Findings:
    return investigate("2025-10-29", "2025-11-06")


def test_every_report_table_is_offered_by_name() -> None:
    report_tables = [
        name.removesuffix("_table")
        for name, fn in vars(sections).items()
        if name.endswith("_table") and inspect.isfunction(fn) and fn.__module__ == sections.__name__
    ]
    assert views.tables() == report_tables
    assert {"status", "mechanics", "customers", "readiness", "evidence"} <= set(views.tables())


@pytest.mark.parametrize("name", views.tables())
def test_each_table_is_the_one_the_report_shows(f: Findings, name: str) -> None:
    assert f.table(name).equals(getattr(sections, f"{name}_table")(f))


def test_masked_findings_give_masked_tables_and_card(f: Findings) -> None:
    safe = redact(f)
    assert safe.table("customers")["Customer"].tolist()[0] == "c***1@test.com"
    assert "personal data masked" in safe._repr_html_()
    assert "personal data masked" not in f._repr_html_()


def test_the_card_escapes_what_it_shows(f: Findings) -> None:
    odd = f.__class__(**{**f.__dict__, "database": "sqlite file <b>x</b>.db"})
    assert "&lt;b&gt;x&lt;/b&gt;" in views.card(odd) and "<b>x</b>" not in views.card(odd)


def test_the_card_lists_the_attributes_but_not_the_source(f: Findings) -> None:
    card = views.card(f)
    for name in ("status", "customers", "anomalies", "verdict", "period", "rules"):
        assert f"<code>{name}</code>" in card
    assert "<code>source</code>" not in card and "<code>request_mask</code>" not in card


def test_the_card_s_counts_have_thousands_separators(thousands: Findings) -> None:
    figures = dict(views.headline(thousands))
    a = thousands.assignment
    assert thousands.total >= 1000
    assert figures["Requests"] == f"{thousands.total:,} ({thousands.total:,} completed)"
    assert figures["Assigned / never assigned"] == f"{a['assigned']:,} / {a['never_assigned']:,}"
