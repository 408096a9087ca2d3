"""What a ``Findings`` shows of itself in a notebook: the report's labelled tables by name
(``f.table(name)``, ``f.tables()``) and a card of the headline figures (``f`` in JupyterLab).

``Findings`` lives in the investigation layer, which may not import the report; this module
registers these views with it (``findings.present_with``) when ``analysis`` is imported. The
tables are the report's own: every one-argument ``*_table`` function of
``analysis.report.sections``, named without the suffix, in the report's order.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable
from dataclasses import fields

import pandas as pd

from analysis.domain import CANCELLED, COMPLETED
from analysis.errors import AnalysisError
from analysis.investigation.findings import Findings, present_with
from analysis.report import sections
from analysis.report.text import fmt_count, fmt_pct, plural, words

SUFFIX = "_table"


def _report_tables() -> dict[str, Callable[[Findings], pd.DataFrame]]:
    found: dict[str, Callable[[Findings], pd.DataFrame]] = {}
    for name, function in vars(sections).items():
        if (
            name.endswith(SUFFIX)
            and inspect.isfunction(function)
            and function.__module__ == sections.__name__
            and _required(function) == 1
        ):
            found[name.removesuffix(SUFFIX)] = function
    return found


def _required(function: Callable[..., object]) -> int:
    """How many parameters ``function`` needs (those without a default)."""
    return sum(
        p.default is inspect.Parameter.empty
        for p in inspect.signature(function).parameters.values()
    )


TABLES = _report_tables()


def tables() -> list[str]:
    """The names ``table`` accepts, in the report's order."""
    return list(TABLES)


def table(f: Findings, name: str) -> pd.DataFrame:
    """The report's labelled table ``name`` for ``f`` (masked when ``f`` is)."""
    if name not in TABLES:
        raise AnalysisError(f"no table {name!r}: the report's tables are {', '.join(TABLES)}")
    return TABLES[name](f)


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def headline(f: Findings) -> list[tuple[str, str]]:
    """The card's figures: (label, value) pairs, as the report words them."""
    if not f.total:
        return [("Requests", "none in this period")]
    a, c, r = f.assignment, f.cancellations, f.response
    by_status = ", ".join(
        f"{fmt_count(n)} {s}" for s, n in zip(f.status["status"], f.status["requests"], strict=True)
    )
    verdict = {True: "test data", False: "looks like real traffic"}.get(f.verdict.test_data, "—")
    failing = f.anomalies[f.anomalies["count"] > 0]
    return [
        ("Requests", f"{fmt_count(f.total)} ({by_status})"),
        ("Cancellation rate", fmt_pct(f.rates["cancellation"].rate)),
        ("Completion rate", fmt_pct(f.rates["completion"].rate)),
        (
            "Assigned / never assigned",
            f"{fmt_count(a['assigned'])} / {fmt_count(a['never_assigned'])}",
        ),
        (
            "Cancelled before / after assignment",
            f"{fmt_count(c['before_assignment'])} / {fmt_count(c['after_assignment'])}",
        ),
        (
            "Mechanics taking part",
            f"{fmt_count(a['mechanics_involved'])} of {fmt_count(a['mechanics_on_record'])}",
        ),
        ("Customers", fmt_count(len(f.customers))),
        (
            "Minutes to acceptance",
            f"mean {_minutes(r['mean'])}, median {_minutes(r['median'])}, "
            f"min {_minutes(r['min'])}, max {_minutes(r['max'])} ({plural(r['count'], 'request')})",
        ),
        (
            "Data quality",
            f"{plural(f.flagged_requests, 'request')} fail "
            f"{plural(len(failing), 'check')}: {', '.join(words(x) for x in failing['check'])}"
            if len(failing)
            else "every check passed",
        ),
        ("Verdict", verdict),
    ]


def _attributes(f: Findings) -> str:
    """The fields, grouped by what they hold."""
    kinds: dict[str, list[str]] = {"tables (DataFrames)": [], "figures": [], "settings": []}
    settings = {"period", "database", "thresholds", "rules", "generated_at", "previous_period"}
    for item in fields(f):
        if item.name in ("source", "request_mask"):
            continue
        value = getattr(f, item.name)
        if isinstance(value, pd.DataFrame):
            kinds["tables (DataFrames)"].append(item.name)
        elif item.name in settings:
            kinds["settings"].append(item.name)
        else:
            kinds["figures"].append(item.name)
    return "".join(
        f"<div><b>{html.escape(kind)}:</b> "
        + ", ".join(f"<code>{html.escape(n)}</code>" for n in names)
        + "</div>"
        for kind, names in kinds.items()
    )


def card(f: Findings) -> str:
    """The HTML card JupyterLab shows for ``f``: period, source, headline figures, and what
    there is to look at next (attributes, tables, the drill-down)."""
    p = f.period
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(label)}</th>"
        f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
        for label, value in headline(f)
    )
    masked = " · personal data masked" if f.masked else ""
    example = f'f.requests(status="{CANCELLED if f.count(CANCELLED) else COMPLETED}")'
    names = ", ".join(f"<code>{html.escape(n)}</code>" for n in tables())
    return (
        "<div style='border:1px solid #ccc;border-radius:4px;padding:0.6em 1em;"
        "max-width:60em'>"
        f"<div><b>Findings</b> {p.start:%d %b %Y} – {p.end:%d %b %Y} "
        f"({plural(p.days, 'day')}, {html.escape(p.timezone)}){masked}</div>"
        f"<div style='color:#555'>{html.escape(f.database)}</div>"
        f"<table style='margin:0.5em 0'>{rows}</table>"
        f"<div><b>The requests behind a figure:</b> <code>{html.escape(example)}</code> "
        "(filters: status, session_type, customer, mechanic, anomaly)</div>"
        f"<div><b>Readable tables:</b> <code>f.table(name)</code> for {names}</div>"
        f"{_attributes(f)}"
        "<div style='color:#555'><code>help(f)</code> documents every field; "
        "<code>f.to_dict()</code> is findings.json</div>"
        "</div>"
    )


class _Views:
    """The views, as ``findings.Presenter`` expects them."""

    def tables(self) -> list[str]:
        return tables()

    def table(self, findings: Findings, name: str) -> pd.DataFrame:
        return table(findings, name)

    def card(self, findings: Findings) -> str:
        return card(findings)


present_with(_Views())
