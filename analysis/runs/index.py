"""``reports/index.html``: every period in the reports folder, with trend charts.

Built only from the periods' ``findings.json`` files and failure records (``analysis.runs.layout``),
so it can be rebuilt at any time; ``python -m analysis run`` and ``batch`` rebuild it. One
section per kind of period (the day, week or month a batch recorded in the report's run.json;
"other periods" for reports made by ``run``), each
with trend charts (inline PNG: the page opens offline) above a table linking to the reports.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from analysis.report import plots
from analysis.report import trends as trend_plots
from analysis.report.text import fmt_pct
from analysis.runs.layout import INDEX_FILE, Entry, log_path, report_html, scan, write_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "index/index.html.j2"
KINDS = {"week": "Weekly", "month": "Monthly", "day": "Daily", None: "Other periods"}


def _rate(part: Any, total: Any) -> float | None:
    return part / total if isinstance(total, int) and total and isinstance(part, int) else None


def headline(entry: Entry) -> dict[str, Any]:
    """The index row of one period: headline figures from its findings.json."""
    f = entry.findings or {}
    requests = f.get("requests", {})
    total = requests.get("total")
    verdict = (f.get("verdict") or {}).get("test_data")
    start, end = date.fromisoformat(entry.start), date.fromisoformat(entry.end)
    return {
        "label": entry.label,
        "start": start,
        "end": end,
        "days": entry.days,
        "kind": KINDS.get(entry.every, KINDS[None]),
        "tick": f"{start:%d %b}" if start.year == end.year else f"{start:%d %b %Y}",
        "failed": entry.failed,
        "error": entry.error,
        "has_report": entry.findings is not None,
        "requests": total,
        "by_status": requests.get("by_status", {}),
        "cancel_rate": requests.get("cancel_rate"),
        "completion_rate": requests.get("completion_rate"),
        "never_assigned_share": _rate((f.get("assignment") or {}).get("never_assigned"), total),
        "median_response": (f.get("response_minutes") or {}).get("median"),
        "verdict": (
            "—"
            if entry.findings is None
            else "no requests"
            if verdict is None
            else "test data"
            if verdict
            else "not test data"
        ),
    }


def headline_frame(entries: list[Entry]) -> pd.DataFrame:
    return pd.DataFrame([headline(e) for e in entries])


def status_frame(periods: pd.DataFrame) -> pd.DataFrame:
    """Long (position, status, requests) rows for the stacked requests chart."""
    rows = [
        (i, status, n)
        for i, counts in enumerate(periods["by_status"])
        for status, n in (counts or {}).items()
    ]
    return pd.DataFrame(rows, columns=["position", "status", "requests"])


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(periods: pd.DataFrame) -> list[dict[str, str]]:
    """The trend charts of one section, as inline PNG data URLs."""
    plots.use_theme()
    drawn = []
    for title, draw in (
        (
            "Requests per period",
            lambda ax: trend_plots.requests_per_period(periods, status_frame(periods), ax),
        ),
        ("Rates per period", lambda ax: trend_plots.rates_per_period(periods, ax)),
        ("Median response per period", lambda ax: trend_plots.response_per_period(periods, ax)),
    ):
        # A bare Figure (no pyplot): nothing global, nothing left open.
        figure = Figure(figsize=trend_plots.TREND_FIGSIZE, dpi=110, layout="constrained")
        draw(figure.subplots())
        drawn.append({"title": title, "src": _png(figure)})
    return drawn


def _pct(value: float | None) -> str:
    return "—" if value is None else fmt_pct(value)


def _row(record: dict[str, Any], out: Path) -> dict[str, Any]:
    # pandas turned missing figures (empty periods, failures) into NaN; the page shows "—".
    r = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in record.items()}
    minutes = r["median_response"]
    return {
        **r,
        "period": f"{r['start']:%d %b %Y}" + (f" – {r['end']:%d %b %Y}" if r["days"] > 1 else ""),
        "href": report_html(r["label"]) if r["has_report"] else None,
        "log": str(log_path(out, r["label"]).relative_to(out))
        if log_path(out, r["label"]).is_file()
        else None,
        "cancel": _pct(r["cancel_rate"]),
        "completion": _pct(r["completion_rate"]),
        "never_assigned": _pct(r["never_assigned_share"]),
        "response": "—" if minutes is None else f"{minutes:.2f}",
        "requests_text": "—" if r["requests"] is None else f"{int(r['requests'])}",
    }


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[dict[str, Any]]
    charts: list[dict[str, str]]
    failed: int


def sections(entries: list[Entry], out: Path) -> list[Section]:
    frame = headline_frame(entries)
    found = []
    for title in dict.fromkeys(KINDS.values()):
        periods = frame[frame["kind"] == title].reset_index(drop=True) if len(frame) else frame
        if periods.empty:
            continue
        found.append(
            Section(
                title=title,
                rows=[_row(r, out) for r in periods.to_dict(orient="records")],
                charts=charts(periods) if len(periods) > 1 else [],
                failed=int(periods["failed"].sum()),
            )
        )
    return found


def render(entries: list[Entry], out: Path) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(TEMPLATE).render(
        sections=sections(entries, out),
        total=len(entries),
        failed=sum(e.failed for e in entries),
        generated_at=f"{datetime.now(UTC):%d %b %Y %H:%M} UTC",
    )


def build_index(out: str | Path) -> Path:
    """(Re)write ``<out>/index.html`` from what ``out`` holds; returns its path."""
    folder = Path(out)
    return write_atomic(folder / INDEX_FILE, render(scan(folder), folder))
