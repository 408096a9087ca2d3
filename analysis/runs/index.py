"""``reports/index.html``: every period in the reports folder, with trend charts.

Built only from the periods' ``findings.json`` files and failure records (``analysis.runs.layout``),
so it can be rebuilt at any time; ``python -m analysis run`` and ``batch`` rebuild it. One
section per kind of period (the day, week or month a batch recorded in the report's run.json;
"other periods" for reports made by ``run``), each
with trend charts (inline PNG: the page opens offline) above a table linking to the reports.

Readable at any number of periods: beyond ``MAX_POINTS`` periods the charts show them summed
by calendar week (by month beyond that many weeks): requests by status added up, rates from
the summed counts, the median response averaged weighted by requests; the axis labels months
rather than every period. Beyond ``MAX_ROWS`` periods the table is grouped by month, each
month a collapsible group headed by its totals (the latest open).
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

from analysis.report.text import fmt_count, fmt_pct
from analysis.runs.layout import (
    INDEX_FILE,
    Entry,
    log_path,
    report_html,
    scan,
    screenshot_name,
    write_atomic,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "index/index.html.j2"
KINDS = {"week": "Weekly", "month": "Monthly", "day": "Daily", None: "Other periods"}
MAX_POINTS = 60  # periods a chart draws one by one; more are summed by week (or month)
MAX_TICKS = 16  # labelled ticks on a chart's axis
MAX_ROWS = 40  # table rows shown as one table; more are grouped by month


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


def _sum_statuses(counts: pd.Series) -> dict[str, int]:
    total: dict[str, int] = {}
    for by_status in counts:
        for status, n in (by_status or {}).items():
            total[status] = total.get(status, 0) + int(n)
    return total


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    """The requests-weighted mean of ``values`` where both are known."""
    known = values.notna() & weights.notna() & (weights > 0)
    if not known.any():
        return None
    return float((values[known] * weights[known]).sum() / weights[known].sum())


def aggregate(periods: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``periods`` as the charts draw them, and what one point is: the periods themselves
    up to ``MAX_POINTS``, else summed by calendar week, or by month when weeks are too many."""
    from analysis.report import trends as trend_plots  # see charts

    if len(periods) <= MAX_POINTS:
        return periods, "period"
    starts = pd.to_datetime(periods["start"])
    unit, key = "week", starts.dt.to_period("W-SUN").dt.start_time
    if key.nunique() > MAX_POINTS:
        unit, key = "month", starts.dt.to_period("M").dt.start_time
    rows = []
    for first, group in periods.groupby(key.to_numpy(), sort=True):
        requests = pd.to_numeric(group["requests"], errors="coerce")
        total = requests.sum(min_count=1)
        rates = {
            column: (
                None
                if not total
                else float((pd.to_numeric(group[column]) * requests).sum() / total)
            )
            for column in trend_plots.RATE_COLUMNS
        }
        start = pd.Timestamp(first).date()
        rows.append(
            {
                "start": start,
                "tick": f"{start:%d %b}",
                "failed": bool(group["failed"].any()),
                "requests": None if pd.isna(total) else int(total),
                "by_status": _sum_statuses(group["by_status"]),
                **rates,
                "median_response": _weighted(pd.to_numeric(group["median_response"]), requests),
            }
        )
    return pd.DataFrame(rows), unit


def sparse_ticks(starts: list[date], labels: list[str]) -> list[str]:
    """Every label when there are few; else only the first point of each month, named by
    month (with the year in January and at the start), or of each quarter when months are
    too many. Empty labels get no tick."""
    if len(labels) <= MAX_TICKS:
        return labels
    months = {(d.year, d.month) for d in starts}
    step = 1 if len(months) <= MAX_TICKS else 3
    ticks, previous, named_year = [], None, False
    for i, d in enumerate(starts):
        month = (d.year, d.month)
        # a first point alone in its month (a week starting in the month before) stays
        # unlabelled: its label would overlap the next one's
        lone = i == 0 and (starts[1].year, starts[1].month) != month
        first = month != previous and (d.month - 1) % step == 0 and not lone
        label = f"{d:%b %Y}" if not named_year or d.month == 1 else f"{d:%b}"
        ticks.append(label if first else "")
        named_year = named_year or first
        previous = month
    return ticks


CHART_TITLES = {
    "period": (
        "Requests per period by status",
        "Cancellation, completion and never-assigned rates",
        "Median time to acceptance",
    ),
    "week": (
        "Requests per week by status (periods summed)",
        "Rates per week (from the week's summed counts)",
        "Median time to acceptance, weekly (periods' medians weighted by requests)",
    ),
    "month": (
        "Requests per month by status (periods summed)",
        "Rates per month (from the month's summed counts)",
        "Median time to acceptance, monthly (periods' medians weighted by requests)",
    ),
}


def charts(periods: pd.DataFrame) -> list[dict[str, str]]:
    """The trend charts of one section, as inline PNG data URLs."""
    # The charts' libraries (seaborn, scipy) are imported when there is a trend to draw: an
    # index of one period, what every `run` refreshes, has none and costs no second for them.
    from analysis.report import plots
    from analysis.report import trends as trend_plots

    plots.use_theme()
    points, unit = aggregate(periods)
    points = points.reset_index(drop=True)
    points["tick"] = sparse_ticks(list(points["start"]), list(points["tick"]))
    drawn = []
    for title, heading, draw in zip(
        ("Requests per period", "Rates per period", "Median response per period"),
        CHART_TITLES[unit],
        (
            lambda ax: trend_plots.requests_per_period(points, status_frame(points), ax),
            lambda ax: trend_plots.rates_per_period(points, ax),
            lambda ax: trend_plots.response_per_period(points, ax),
        ),
        strict=True,
    ):
        # A bare Figure (no pyplot): nothing global, nothing left open.
        figure = Figure(figsize=trend_plots.TREND_FIGSIZE, dpi=110, layout="constrained")
        ax = figure.subplots()
        draw(ax)
        ax.set_title(heading)
        ax.set_xlabel("period starting" if unit == "period" else f"{unit} starting")
        if len(points) > MAX_TICKS:
            for line in ax.get_lines():
                line.set_marker("")  # dozens of markers hide the line
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
        "requests_text": "—" if r["requests"] is None else fmt_count(r["requests"]),
    }


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[dict[str, Any]]
    charts: list[dict[str, str]]
    failed: int
    groups: list[dict[str, Any]] | None = None  # rows by month, when too many for one table


def month_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """``rows`` by the month their period starts in, with totals, beyond ``MAX_ROWS``."""
    if len(rows) <= MAX_ROWS:
        return None
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        month = f"{row['start']:%B %Y}"
        group = groups.setdefault(month, {"month": month, "rows": [], "requests": 0, "failed": 0})
        group["rows"].append(row)
        group["requests"] += int(row["requests"] or 0)
        group["failed"] += bool(row["failed"])
    return list(groups.values())


def sections(entries: list[Entry], out: Path) -> list[Section]:
    frame = headline_frame(entries)
    found = []
    for title in dict.fromkeys(KINDS.values()):
        periods = frame[frame["kind"] == title].reset_index(drop=True) if len(frame) else frame
        if periods.empty:
            continue
        rows = [_row(r, out) for r in periods.to_dict(orient="records")]
        found.append(
            Section(
                title=title,
                rows=rows,
                charts=charts(periods) if len(periods) > 1 else [],
                failed=int(periods["failed"].sum()),
                groups=month_groups(rows),
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
    """(Re)write ``<out>/index.html`` from what ``out`` holds; returns its path. The page's
    old screenshot (``check`` makes one) goes with the old page."""
    folder = Path(out)
    (folder / screenshot_name(INDEX_FILE)).unlink(missing_ok=True)
    return write_atomic(folder / INDEX_FILE, render(scan(folder), folder))
