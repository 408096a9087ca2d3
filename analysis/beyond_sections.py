"""Report text and tables for what goes beyond the original investigation: data quality,
uncertainty, the previous period, time patterns, success factors and the verdict's rules.

Every figure and data-dependent sentence comes from ``Findings`` (``f.beyond``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import factors, quality
from analysis.findings import Findings
from analysis.text import fmt_pct, join_words, plural, short_id
from analysis.timing import EXPIRY_MINUTES, busiest_slots
from analysis.uncertainty import FEW_TO_JUDGE, fmt_interval, fmt_rate

DATE_FORMAT = "%d %b %Y"
MAX_IDS_SHOWN = 5
RATE_LABELS = {
    "cancellation": "Cancellation",
    "completion": "Completion",
    "assignment": "Assigned to a mechanic",
}


def _ids(ids: list[str]) -> str:
    shown = [f"`{short_id(i)}`" for i in ids[:MAX_IDS_SHOWN]]
    more = len(ids) - MAX_IDS_SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def anomalies_text(f: Findings) -> str:
    """One plain sentence per check that flagged something, with the request ids."""
    a = f.beyond.anomalies
    flagged = a[a["count"] > 0]
    if flagged.empty:
        return (
            f"All {len(a)} data-quality checks passed: no request contradicts itself or the schema."
        )
    lines = [
        f"**{len(flagged)} of {len(a)} data-quality checks found problems** "
        "(full ids are in findings.json):\n"
    ]
    lines += [
        f"- {quality.explain(r.check, int(r.count))} ({_ids(r.request_ids)})"
        for r in flagged.itertuples()
    ]
    passed = a[a["count"] == 0]["check"].str.replace("_", " ")
    lines.append(f"\nThe other {len(passed)} checks found nothing: {join_words(list(passed))}.")
    return "\n".join(lines)


def rates_table(f: Findings) -> pd.DataFrame:
    """Headline rates with their 95 % intervals."""
    rows = [
        (
            RATE_LABELS[name],
            e["count"],
            e["of"],
            fmt_pct(e["rate"]),
            fmt_interval(e["low"], e["high"]),
        )
        for name, e in f.beyond.rates.items()
    ]
    return pd.DataFrame(rows, columns=["Rate", "Requests", "Of", "Rate (%)", "95 % interval"])


def rates_text(f: Findings) -> str:
    n = f.total
    if not n:
        return "No requests, so no rates."
    c = f.beyond.rates["cancellation"]
    text = (
        f"With {plural(n, 'request')}, the cancellation rate of {fmt_pct(c['rate'], 0)} is known "
        f"only to within {fmt_interval(c['low'], c['high'])} (95 % Wilson interval): "
        "a rate from a small period is a range, not a point."
    )
    if n < FEW_TO_JUDGE:
        text += f" Fewer than {FEW_TO_JUDGE} requests is too few to judge any rate."
    return text


def comparison_table(f: Findings) -> pd.DataFrame:
    rows = []
    for r in f.beyond.comparison.itertuples():
        if f.beyond.previous_unavailable:
            rows.append((r.label, _fmt(r.kind, r.current), "not in the data", "—"))
        else:
            rows.append((r.label, _fmt(r.kind, r.current), _fmt(r.kind, r.previous), _change(r)))
    p = f.beyond.previous_period
    before = f"Previous ({p.start:%d %b} – {p.end:%d %b})"
    return pd.DataFrame(rows, columns=["Figure", "This period", before, "Change"])


def _fmt(kind: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "—"
    if kind == "rate":
        return fmt_pct(value)
    if kind == "minutes":
        return f"{value:.2f}"
    return f"{int(value)}"


def _change(r: Any) -> str:
    """A comparison row's change: points for rates (flagged when within noise), else the
    difference and the relative change."""
    if r.change is None or pd.isna(r.change):
        return "—"
    if r.kind == "rate":
        return f"{r.change * 100:+.1f} pts" + ("" if r.real_change else " (within noise)")
    text = f"{r.change:+.2f}" if r.kind == "minutes" else f"{int(r.change):+d}"
    relative = r.relative_change
    return text + (f" ({relative:+.0%})" if relative is not None and not pd.isna(relative) else "")


def what_changed_text(f: Findings) -> str:
    """The biggest movements since the previous period, in words."""
    b = f.beyond
    p = b.previous_period
    span = f"the previous {plural(p.days, 'day')} ({p.start:{DATE_FORMAT}} – {p.end:{DATE_FORMAT}})"
    if b.previous_unavailable:
        return f"No comparison with {span}: {b.previous_unavailable}."
    before = b.previous_figures["requests"]
    if not before:
        if not f.total:
            return f"No requests in this period or in {span}: nothing to compare."
        return (
            f"There were no requests in {span}, so every figure here is new: "
            f"{plural(f.total, 'request')} against none."
        )
    moves = b.movements
    if moves.empty:
        return f"Nothing moved compared with {span}."
    lines = [f"Compared with {span}, the biggest movements:\n"]
    for r in moves.itertuples():
        if r.kind == "rate":
            noise = (
                "a real change (the 95 % intervals do not overlap)"
                if r.real_change
                else "within the noise of periods this size"
            )
            lines.append(
                f"- **{r.label}** {fmt_pct(r.previous)} → {fmt_pct(r.current)} "
                f"({r.change * 100:+.1f} points): {noise}."
            )
        else:
            lines.append(
                f"- **{r.label}** {_fmt(r.kind, r.previous)} → {_fmt(r.kind, r.current)} "
                f"({r.relative_change:+.0%})."
            )
    return "\n".join(lines)


def time_patterns_text(f: Findings) -> str:
    slots = busiest_slots(f.beyond.hour_weekday)
    if not slots:
        return "No requests, so no time pattern."
    busiest = join_words([f"{d} {h:02d}:00–{h:02d}:59 ({n})" for d, h, n in slots])
    active = int((f.beyond.hour_weekday > 0).to_numpy().sum())
    return (
        f"Requests fell in {plural(active, 'weekday-hour slot')} of 168 ({f.period.timezone} "
        f"time); the busiest: {busiest}."
    )


def waits_text(f: Findings) -> str:
    w = f.beyond.waits
    never = f.assignment["never_assigned"]
    if not never:
        return "Every request was assigned a mechanic."
    lines = [
        f"**How long did the {plural(never, 'never-assigned request')} wait?** The table has "
        "no `cancelled_at` column, so the moment a request was given up is not recorded. "
        f"What can be said, using the cleanup rule (pending unassigned requests expire after "
        f"{EXPIRY_MINUTES} minutes):\n"
    ]
    for r in w.itertuples():
        detail = r.known
        if r.status == "pending" and r.min_wait_minutes is not None:
            detail += f" (waiting {_duration(r.min_wait_minutes)}"
            if r.max_wait_minutes != r.min_wait_minutes:
                detail += f" to {_duration(r.max_wait_minutes)}"
            detail += ")"
        lines.append(f"- {plural(r.requests, r.status + ' request')}: {detail}.")
    return "\n".join(lines)


def _duration(minutes: float) -> str:
    if minutes < 120:
        return f"{minutes:.0f} minutes"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} hours"
    return f"{minutes / 1440:.0f} days"


def factors_table(f: Findings) -> pd.DataFrame:
    t = f.beyond.factors
    return pd.DataFrame(
        {
            "Attribute": t["factor"],
            "Level": t["level"],
            "Mechanics": t["mechanics"],
            "Requests": t["requests"],
            "Completed": t["completed"],
            "Completion (95 % CI)": [
                fmt_rate(int(c), int(n)) for c, n in zip(t["completed"], t["requests"], strict=True)
            ],
            "Cancelled": t["cancelled"],
            "Cancellation (95 % CI)": [
                fmt_rate(int(c), int(n)) for c, n in zip(t["cancelled"], t["requests"], strict=True)
            ],
            "Enough to judge": ["no" if x else "yes" for x in t["too_few"]],
        }
    )


def factors_text(f: Findings) -> str:
    """What the success-factor table can and cannot support."""
    t = f.beyond.factors
    if t.empty:
        return "No mechanic took a request, so no attribute can be linked to success."
    n_mech = len(f.mechanics)
    lines = [
        f"Completion and cancellation rates of the requests taken by {plural(n_mech, 'mechanic')}"
        ", grouped by each mechanic attribute. The original report credited one mechanic's "
        "profile, certification and workshop for their success; this table tests that."
    ]
    notes = []
    same = factors.coinciding(f.mechanics)
    for group in same:
        notes.append(
            f"{join_words(group)} split this period's mechanics in exactly the same way, so "
            "the data cannot tell which of them matters."
        )
    thin = sorted(set(t.loc[t["mechanics"] <= 1, "factor"]))
    if thin:
        notes.append(
            f"Some levels rest on a single mechanic ({join_words(thin)}): "
            "they describe that mechanic, not the attribute."
        )
    if t["too_few"].any():
        notes.append(
            f"Levels with fewer than {FEW_TO_JUDGE} requests are too few to judge; requests by "
            "the same mechanic are not independent, so the intervals are if anything too narrow."
        )
    judged = [name for name in factors.FACTORS if factors.separated(t, name)]
    if judged and not same and not thin:
        notes.append(f"Completion rates differ beyond the noise for {join_words(judged)}.")
    elif not judged:
        notes.append("No attribute's completion rates differ beyond the noise.")
    return "\n".join(lines + [""] + [f"- {n}" for n in notes])


def verdict_rules_text(f: Findings) -> str:
    r = f.verdict["rules"]
    parts = [
        f"addresses matching {join_words([f'`{p}`' for p in r['patterns']], 'or')}"
        if r["patterns"]
        else None,
        f"reserved domains ({', '.join(r['reserved_domains'])})" if r["reserved_domains"] else None,
        f"{plural(len(r['known']), 'listed account')}" if r["known"] else None,
    ]
    used = [p for p in parts if p]
    return (
        "Test accounts were recognised by "
        + (join_words(used) if used else "no rule at all")
        + " (notebook parameters `test_email_patterns`, `test_reserved_domains`, "
        "`known_test_accounts`)."
    )
