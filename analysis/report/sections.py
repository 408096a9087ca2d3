"""The report's sentences and display tables, in the original report's order, plus what it
did not look at (data quality, uncertainty, the previous period, time patterns, success
factors).

Every data-dependent sentence is made here, from a ``Findings`` (masked before it gets here
when the report is shared): the investigation holds figures and judgements as data only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from analysis.domain import CANCELLED, COMPLETED, EXPIRED, EXPIRY_MINUTES, PENDING, TOP_N
from analysis.investigation.compare import MINUTES, RATE
from analysis.investigation.findings import Findings
from analysis.investigation.intervals import FEW_TO_JUDGE, Rate
from analysis.investigation.judgement import (
    EXCEEDS,
    SUFFICIENT,
    Recommendation,
)
from analysis.report.labels import labels_of
from analysis.report.root_causes import cause_recommendation_text
from analysis.report.text import (
    DATE_FORMAT,
    MAX_IDS_SHOWN,
    TIME_FORMAT,
    all_others,
    fmt_count,
    fmt_interval,
    fmt_pct,
    fmt_rate,
    join_words,
    plural,
    rate_column,
    rate_text,
    short_ids,
    some_ids,
    words,
    yes_no,
)
from analysis.report.verdict import signal_text, top_customer, verdict_reasons

# Mechanics named one by one in a sentence or list (what worked, recommendations).
MAX_MECHANICS_NAMED = 5
# A 95 % interval narrower than this (a point) reads as a precise rate, not as a range.
NARROW_INTERVAL = 0.01
RATE_LABELS = {
    "cancellation": "Cancellation",
    "completion": "Completion",
    "assignment": "Assigned to a mechanic",
}
FIGURE_LABELS = {
    "requests": "Requests",
    "cancelled": "Cancelled",
    "completed": "Completed",
    "never_assigned": "Never assigned",
    "cancel_rate": "Cancellation rate",
    "completion_rate": "Completion rate",
    "assignment_rate": "Assignment rate",
    "customers": "Customers",
    "mechanics": "Mechanics taking requests",
    "median_response_minutes": "Median time to acceptance (min)",
}
PATTERN_LABELS = {
    True: {
        "single": "Single test",
        "heavy": "Heavy testing",
        "repeated": "Repeated testing",
        "occasional": "Occasional testing",
    },
    False: {
        "single": "Single request",
        "heavy": "Heavy use",
        "repeated": "Repeat customer",
        "occasional": "Occasional",
    },
}
# What a data-quality check's flag means, for a product manager: ``{n}``, ``{requests}`` and
# ``{ids}`` agree with the count, ``[singular|plural]`` picks the form that does.
CHECK_EXPLANATIONS = {
    "completed_without_mechanic": "{n} {requests} marked completed [names|name] no mechanic: "
    "a session cannot be completed without one, so these were probably closed by hand or by a "
    "test script.",
    "completed_without_accepted_at": "{n} {requests} marked completed [was|were] never "
    "accepted (no acceptance time).",
    "accepted_before_created": "{n} {requests} [was|were] accepted before [it was|they were] "
    "created: a clock or import error; [its|their] response [time is|times are] left out.",
    "accepted_without_mechanic": "{n} {requests} [has|have] an acceptance time but no "
    "mechanic: who accepted is lost.",
    "mechanic_without_accepted_at": "{n} {requests} [names|name] a mechanic but no acceptance "
    "time, so [its|their] response time is unknown.",
    "unknown_mechanic": "{n} {requests} [names|name] a mechanic who is not in the mechanics "
    "table (deleted, or an id from elsewhere).",
    "unknown_workshop": "{n} {requests} [was|were] served by a workshop that is not in the "
    "organizations table.",
    "unknown_preferred_workshop": "{n} {requests} [names|name] a preferred workshop that is "
    "not in the organizations table.",
    "email_differs_from_profile": "{n} {requests} [carries|carry] a customer e-mail different "
    "from the one on the customer's profile, so grouping customers by e-mail splits or merges "
    "people.",
    "customer_without_profile": "{n} {requests} [comes|come] from a customer with no profile "
    "at all.",
    "customer_profile_deleted": "{n} {requests} [comes|come] from customers whose profile has "
    "since been deleted.",
    "unknown_status": "{n} {requests} [has|have] a status the platform is not known to use "
    "(or none).",
    "unknown_session_type": "{n} {requests} [has|have] a session type other than chat, video "
    "or diagnostic (or none).",
    "unknown_routing_type": "{n} {requests} [has|have] a routing type other than broadcast, "
    "workshop_only or hybrid (or none).",
    "duplicate_id": "{n} request {ids} [appears|appear] on more than one row: every figure "
    "counting requests counts [it|them] more than once.",
}
AGREEMENT = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")


def title(f: Findings) -> str:
    p = f.period
    return (
        f"# Session problems investigation\n"
        f"**Period:** {p.start:{DATE_FORMAT}} – {p.end:{DATE_FORMAT}} ({plural(p.days, 'day')}, "
        f"{p.timezone})  \n**Source:** {f.database}  \n"
        f"**Generated:** {f.generated_at:%d %b %Y %H:%M} UTC"
    )


def executive_summary(f: Findings) -> str:
    if f.total == 0:
        return (
            "## Executive summary\n\n**There were no session requests in this period.** "
            "Nothing below can be judged; check the period and the database."
        )
    never = f.assignment["never_assigned"] / f.total
    c = f.rates["cancellation"]
    if f.verdict.test_data:
        conclusion = (
            f"**Conclusion: this is test/development data.** The {fmt_pct(c.rate, 0)} "
            f"cancellation rate and {fmt_pct(never, 0)} unassigned rate are expected "
            "for a testing environment; this is not a production issue."
        )
    else:
        conclusion = (
            f"**Conclusion: this looks like real customer traffic.** The "
            f"{fmt_pct(c.rate, 0)} cancellation rate and {fmt_pct(never, 0)} unassigned "
            "rate should be investigated as a production issue."
        )
    median = f.response["median"]
    flagged = f.anomalies[f.anomalies["count"] > 0]
    bullets = [
        f"{plural(f.total, 'request')}: {f.count(CANCELLED):,} cancelled, "
        f"{f.count(COMPLETED):,} completed, {f.count(PENDING):,} pending; cancellation rate "
        f"{fmt_pct(c.rate, 0)} (95 % interval {fmt_interval(c.low, c.high)}).",
        f"{f.assignment['never_assigned']:,} never assigned to a mechanic; "
        f"{f.assignment['mechanics_involved']:,} of {f.assignment['mechanics_on_record']:,} "
        "mechanics on record took part.",
        f"{plural(len(f.customers), 'customer')}; the busiest made "
        f"{fmt_pct(f.customers.iloc[0]['share'], 0)} of requests.",
        "Median time to acceptance: "
        + (f"{median:.2f} minutes." if median is not None else "no request was accepted."),
        (
            f"{plural(f.flagged_requests, 'request')} failed "
            f"{plural(len(flagged), 'data-quality check')}: "
            f"{join_words([words(c) for c in flagged['check']])} (see Data quality)."
            if len(flagged)
            else "All data-quality checks passed."
        ),
    ]
    return "## Executive summary\n\n" + conclusion + "\n\n" + "\n".join(f"- {b}" for b in bullets)


# --- Data quality -------------------------------------------------------------------------


def explain(check: str, count: int) -> str:
    """The plain sentence for a check that flagged ``count`` requests."""
    template = CHECK_EXPLANATIONS.get(check, "{n} {requests} failed " + check)
    text = template.format(
        n=f"{count:,}",
        requests="request" if count == 1 else "requests",
        ids="id" if count == 1 else "ids",
    )
    return AGREEMENT.sub(r"\1" if count == 1 else r"\2", text)


def drill_down_call(check: str) -> str:
    """The call listing the requests a check flagged, for interactive use."""
    return f'`f.requests(anomaly="{check}")`'


def anomalies_text(f: Findings, findings_json: bool = True, full_list: str | None = None) -> str:
    """One plain sentence per check that flagged something, with the first few request ids;
    where the full ids are: ``full_list`` (a relative link to the CSV of every flagged
    request) when one is written, else findings.json when one is written (``findings_json``),
    else the drill-down call listing each check's requests (interactive use)."""
    a = f.anomalies
    flagged = a[a["count"] > 0]
    if flagged.empty:
        return (
            f"All {fmt_count(len(a))} data-quality checks passed: no request contradicts itself "
            "or the schema."
        )
    if full_list:
        where = f"[{full_list}]({full_list}) lists every flagged request and its checks"
    elif findings_json:
        where = "full ids are in findings.json"
    else:
        where = "the call after each line lists its requests"
    lines = [
        f"**{fmt_count(len(flagged))} of {fmt_count(len(a))} data-quality checks found "
        f"problems** ({where}):\n"
    ]
    lines += [
        f"- {explain(r.check, int(r.count))} ({some_ids(r.request_ids, labels_of(f))}"
        + ("" if findings_json or full_list else f"; {drill_down_call(r.check)}")
        + ")"
        for r in flagged.itertuples()
    ]
    passed = [words(c) for c in a.loc[a["count"] == 0, "check"]]
    lines.append(
        f"\nThe other {fmt_count(len(passed))} checks found nothing: {join_words(passed)}."
    )
    return "\n".join(lines)


# --- What changed -------------------------------------------------------------------------


def _previous_span(f: Findings) -> str:
    p = f.previous_period
    return f"the previous {plural(p.days, 'day')} ({p.start:{DATE_FORMAT}} – {p.end:{DATE_FORMAT}})"


def _unavailable(f: Findings) -> str:
    held = f.previous_unavailable
    if held is None:
        return "the source does not hold it"
    return f"the snapshot holds requests from {held[0]} to {held[1]} only"


def _fmt(kind: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "—"
    if kind == RATE:
        return fmt_pct(value)
    if kind == MINUTES:
        return f"{value:.2f}"
    return f"{int(value):,}"


def _change(r: Any) -> str:
    """A comparison row's change: points for rates (flagged when within noise), else the
    difference and the relative change."""
    if r.change is None or pd.isna(r.change):
        return "—"
    if r.kind == RATE:
        return f"{r.change * 100:+.1f} pts" + ("" if r.real_change else " (within noise)")
    text = f"{r.change:+.2f}" if r.kind == MINUTES else f"{int(r.change):+,d}"
    relative = r.relative_change
    return text + (f" ({relative:+.0%})" if relative is not None and not pd.isna(relative) else "")


def comparison_table(f: Findings) -> pd.DataFrame:
    rows = []
    for r in f.comparison.itertuples():
        label = FIGURE_LABELS[r.figure]
        if f.previous_figures is None:
            rows.append((label, _fmt(r.kind, r.current), "not in the data", "—"))
        else:
            rows.append((label, _fmt(r.kind, r.current), _fmt(r.kind, r.previous), _change(r)))
    p = f.previous_period
    before = f"Previous ({p.start:%d %b} – {p.end:%d %b})"
    return pd.DataFrame(rows, columns=["Figure", "This period", before, "Change"])


def what_changed_text(f: Findings) -> str:
    """The biggest movements since the previous period, in words."""
    span = _previous_span(f)
    if f.previous_figures is None:
        return f"No comparison with {span}: {_unavailable(f)}."
    if not f.previous_figures["requests"]:
        if not f.total:
            return f"No requests in this period or in {span}: nothing to compare."
        return (
            f"There were no requests in {span}, so every figure here is new: "
            f"{plural(f.total, 'request')} against none."
        )
    if f.movements.empty:
        return f"Nothing moved compared with {span}."
    lines = [f"Compared with {span}, the biggest movements:\n"]
    for r in f.movements.itertuples():
        label = FIGURE_LABELS[r.figure]
        if r.kind == RATE:
            noise = (
                "a real change (the 95 % intervals do not overlap)"
                if r.real_change
                else "within the noise of periods this size"
            )
            lines.append(
                f"- **{label}** {fmt_pct(r.previous)} → {fmt_pct(r.current)} "
                f"({r.change * 100:+.1f} points): {noise}."
            )
        else:
            lines.append(
                f"- **{label}** {_fmt(r.kind, r.previous)} → {_fmt(r.kind, r.current)} "
                f"({r.relative_change:+.0%})."
            )
    return "\n".join(lines)


# --- 1. Status ----------------------------------------------------------------------------


def status_table(f: Findings) -> pd.DataFrame:
    rows = [(s, n, fmt_pct(sh)) for s, n, sh in f.status.itertuples(index=False)]
    rows.append(("total", f.total, "100 %" if f.total else "—"))
    return pd.DataFrame(rows, columns=["Status", "Requests", "Share"])


def unknown_values_text(f: Findings) -> str:
    """A warning naming values outside the platform's known vocabulary (they stay counted)."""
    if not f.unknown_values:
        return ""
    parts = []
    for column, values in f.unknown_values.items():  # most requests first
        shown = [f"`{v}` ({fmt_count(n)})" for v, n in list(values.items())[:MAX_IDS_SHOWN]]
        if rest := list(values.values())[MAX_IDS_SHOWN:]:
            shown.append(f"{plural(len(rest), 'other value')} ({fmt_count(sum(rest))})")
        parts.append(f"{words(column)} {join_words(shown)}")
    return (
        "**Unexpected values** (counted above, not dropped; worth checking at the source): "
        + "; ".join(parts)
        + "."
    )


def rates_table(f: Findings) -> pd.DataFrame:
    """Headline rates with their 95 % intervals."""
    rows = [
        (RATE_LABELS[name], r.count, r.of, fmt_pct(r.rate), fmt_interval(r.low, r.high))
        for name, r in f.rates.items()
    ]
    return pd.DataFrame(rows, columns=["Rate", "Requests", "Of", "Rate (%)", "95 % interval"])


def rates_text(f: Findings) -> str:
    n = f.total
    if not n:
        return "No requests, so no rates."
    c = f.rates["cancellation"]
    if c.high - c.low < NARROW_INTERVAL:  # a large period: the rate is all but exact
        return (
            f"With {plural(n, 'request')}, the cancellation rate of {fmt_pct(c.rate)} is known "
            f"to within {fmt_pct(c.low)}–{fmt_pct(c.high)} (95 % Wilson interval)."
        )
    text = (
        f"With {plural(n, 'request')}, the cancellation rate of {fmt_pct(c.rate, 0)} is known "
        f"only to within {fmt_interval(c.low, c.high)} (95 % Wilson interval): "
        "a rate from a small period is a range, not a point."
    )
    if c.too_few:
        text += f" Fewer than {FEW_TO_JUDGE} requests is too few to judge any rate."
    return text


# --- 2. Assignment ------------------------------------------------------------------------


def assignment_table(f: Findings) -> pd.DataFrame:
    a = f.assignment
    rows = [("Never assigned", a["never_assigned"]), ("Assigned to a mechanic", a["assigned"])]
    return pd.DataFrame(
        [(label, n, fmt_pct(n / f.total) if f.total else "—") for label, n in rows],
        columns=["Assignment", "Requests", "Share"],
    )


def assignment_text(f: Findings) -> str:
    a = f.assignment
    if not a["mechanics_involved"]:
        return f"No mechanic took a request; {a['mechanics_on_record']:,} mechanics are on record."
    return (
        f"Only **{a['mechanics_involved']:,}** of the {a['mechanics_on_record']:,} mechanics on "
        "record took part:"
        if a["mechanics_involved"] < a["mechanics_on_record"]
        else f"All {a['mechanics_on_record']:,} mechanics on record took part:"
    )


def mechanics_table(f: Findings, top_n: int = TOP_N) -> pd.DataFrame:
    """The ``top_n`` busiest mechanics, then one row for all the others (``others_row``)."""
    m, rest = f.top("mechanics", top_n)
    if m.empty:
        return pd.DataFrame(columns=["Mechanic", "Name", "Requests"])
    out = pd.DataFrame(
        {
            "Mechanic": labels_of(f)(m["mechanic_id"]),
            "Name": m["name"].fillna("—"),
            "Requests": m["requests"],
        }
    )
    for s in f.statuses:
        if s in m:
            out[s.capitalize()] = m[s]
    out["Completion (95 % CI)"] = rate_column(m, "completion_rate")
    out["Cancellation (95 % CI)"] = rate_column(m, "cancel_rate")
    out["Complete profile"] = m["profile_complete"].map(yes_no)
    out["Red Seal"] = m["red_seal_certified"].map(yes_no)
    out["Workshop"] = m["workshop_name"].fillna("—")
    out["Experience (years)"] = (
        m["years_of_experience"].astype("object").where(m["years_of_experience"].notna(), "—")
    )
    out["City"] = m["city"].fillna("—")
    out["Type"] = m["mechanic_type"].fillna("—")
    return others_row(out, rest, "Mechanic", "mechanic", f.statuses)


def others_row(
    table: pd.DataFrame, rest: dict[str, Any], key: str, noun: str, statuses: list[str]
) -> pd.DataFrame:
    """``table`` (a display table of the busiest) plus one row for the ``rest``
    (``Findings.top``: count, requests, one count per status) when there is any: its ``key``
    column reads "All other N <noun>s", the counts are summed, the rates are the rest's own
    (with their 95 % intervals), and the other columns are blank. The rows add up to the
    totals."""
    if not rest["count"]:
        return table
    row: dict[str, Any] = dict.fromkeys(table.columns, "")
    row[key] = all_others(rest["count"], noun)
    row["Requests"] = rest["requests"]
    for s in statuses:
        if s.capitalize() in row:
            row[s.capitalize()] = rest.get(s, 0)
    rates = {
        "Completion (95 % CI)": rest.get(COMPLETED, 0),
        "Cancellation (95 % CI)": rest.get(CANCELLED, 0),
    }
    for column, count in rates.items():
        if column in row:
            row[column] = rate_text(Rate(count, rest["requests"]))
    return pd.concat([table, pd.DataFrame([row])], ignore_index=True)


def distribution_text(
    f: Findings, noun: str, top_n: int = TOP_N, full_list: str | None = None
) -> str:
    """Requests per customer (``noun`` "customer") or per mechanic ("mechanic") at a glance
    (``Findings.customer_distribution``), when there are more than the table's ``top_n``: how
    many, median, 90th percentile and most, the share of the busiest 1 % and 10 %, how many
    made exactly one; which rows the table shows. Then ``full_list`` (a relative link to the
    CSV file listing all of them) when there is one; with ``top_n`` or fewer, only that."""
    d = f.customer_distribution if noun == "customer" else f.mechanic_distribution
    n = d["entities"]
    if not n:
        return ""
    verb = "made" if noun == "customer" else "took"
    lines = [
        f"**{n:,} {noun}{'' if n == 1 else 's'}**; requests per {noun}: median "
        f"{d['median']:,.0f}, 90th percentile {d['p90']:,.0f}, most {d['max']:,}."
    ]
    shares, counted = [], set()
    for key, top in d["top"].items():
        if top["share"] is None or top["entities"] in counted:
            continue  # a few: the busiest 1 % and 10 % are the same people
        counted.add(top["entities"])
        shares.append(
            f"the busiest {key} ({top['entities']:,}) {verb} {fmt_pct(top['share'], 0)} of the "
            "requests"
        )
    if n > 1 and shares:
        lines.append(f"Concentration: {join_words(shares)}.")
    single = d["single"]
    lines.append(
        f"{single:,} {noun}{'' if single == 1 else 's'} {verb} exactly one request "
        f"({fmt_pct(single / n, 0)})."
    )
    where = f" [{full_list}]({full_list}) lists every {noun}." if full_list else ""
    if n <= top_n:  # the table shows every one of them: it says it all
        return where.strip()
    lines.append(
        f"The table shows the {fmt_count(top_n)} busiest and one row for the other "
        f"{fmt_count(n - top_n)}.{where}"
    )
    return " ".join(lines)


def mechanic_chart_data(f: Findings) -> pd.DataFrame:
    """The mechanics table with a readable ``mechanic`` label (short id and name) for charts."""
    m = f.mechanics
    labels = [
        f"{i} {n if isinstance(n, str) else ''}".strip()
        for i, n in zip(labels_of(f)(m.get("mechanic_id", [])), m.get("name", []), strict=True)
    ]
    return m.assign(mechanic=labels)


# --- 3. Time ------------------------------------------------------------------------------


def time_text(f: Findings) -> str:
    s, r = f.span, f.response
    if s["first_at"] is None:
        return "No requests, so no time span or response times."
    lines = [
        f"- **Time span:** {plural(s['days'], 'day')} ({s['first_at']:%d %b} – "
        f"{s['last_at']:%d %b %Y})",
        f"- **Oldest request:** {s['first_at']:{TIME_FORMAT}}",
        f"- **Newest request:** {s['last_at']:{TIME_FORMAT}}",
    ]
    if r["count"]:
        lines += [
            f"- **Response time** (acceptance − creation, {plural(r['count'], 'request')}): "
            f"mean {r['mean']:.2f} min, median {r['median']:.2f} min",
            f"- **Fastest response:** {r['min']:.2f} min ({plural(r['min'] * 60, 'second')})",
            f"- **Slowest response:** {r['max']:.2f} min",
        ]
    else:
        lines.append("- **Response time:** no request was accepted in this period.")
    if r["excluded_negative"]:
        n = r["excluded_negative"]
        lines.append(
            f"- {plural(n, 'request')} accepted before {'it was' if n == 1 else 'they were'} "
            "created (bad data) left out of the response times."
        )
    return "\n".join(lines)


def time_patterns_text(f: Findings) -> str:
    if not f.busiest_slots:
        return "No requests, so no time pattern."
    busiest = join_words([f"{d} {h:02d}:00–{h:02d}:59 ({n:,})" for d, h, n in f.busiest_slots])
    active = int((f.hour_weekday > 0).to_numpy().sum())
    return (
        f"Requests fell in {plural(active, 'weekday-hour slot')} of 168 ({f.period.timezone} "
        f"time); the busiest: {busiest}."
    )


def _wait_known(r: Any) -> str:
    """What the data says about one status's never-assigned waits (``Findings.waits`` row)."""
    if r.status == PENDING:
        text = "still pending at the end of the period (or when the data was read, if sooner)"
        if r.past_expiry:
            text += (
                f", past the {EXPIRY_MINUTES}-minute expiry: the cleanup job did not expire "
                "them as it should"
            )
        return text
    if r.status == EXPIRED:
        return (
            f"expired by the cleanup job, so about {EXPIRY_MINUTES} minutes (no timestamp "
            "records it)"
        )
    if r.status == CANCELLED:
        return (
            "cancelled before anyone accepted; when is not recorded (no cancelled_at "
            f"column): at most {EXPIRY_MINUTES} minutes if the cleanup job ran"
        )
    if r.status == COMPLETED:
        return "completed without ever naming a mechanic: a data-quality problem"
    return "not recorded: the data has no time for the end of the wait"


def waits_text(f: Findings) -> str:
    never = f.assignment["never_assigned"]
    if not never:
        return "Every request was assigned a mechanic."
    lines = [
        f"**How long did the {plural(never, 'never-assigned request')} wait?** The table has "
        "no `cancelled_at` column, so the moment a request was given up is not recorded. "
        f"What can be said, using the cleanup rule (pending unassigned requests expire after "
        f"{EXPIRY_MINUTES} minutes):\n"
    ]
    for r in f.waits.itertuples():
        detail = _wait_known(r)
        if r.status == PENDING and r.min_wait_minutes is not None:
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


# --- 4. Session types ---------------------------------------------------------------------


def types_table(f: Findings) -> pd.DataFrame:
    return pd.DataFrame(
        [(t, n, fmt_pct(sh, 0)) for t, n, sh in f.types.itertuples(index=False)],
        columns=["Type", "Requests", "Share"],
    )


def types_text(f: Findings) -> str:
    if f.types.empty:
        return ""
    top = f.types.iloc[0]
    if top["share"] >= 0.6:
        return (
            f"**Observation:** heavily skewed toward {top['session_type']} sessions "
            f"({fmt_pct(top['share'], 0)})."
        )
    return f"Most requests are {top['session_type']} sessions ({fmt_pct(top['share'], 0)})."


# --- 5. Customers -------------------------------------------------------------------------


def customers_text(f: Findings) -> str:
    c = f.customers
    if c.empty:
        return "No customer made a request."
    top = c.iloc[0]
    return "\n".join(
        [
            f"**{plural(len(c), 'customer')} created all {f.total:,} requests.**\n",
            f"- **{top['customer']}** created {fmt_pct(top['share'], 0)} of all requests "
            f"({top['requests']:,} of {f.total:,}).",
            f"- That is {top['per_day']:,.1f} requests a day over the "
            f"{plural(f.span['days'], 'day')} span, or "
            f"{top['per_active_day']:,.2f} per active day over "
            f"{plural(int(top['active_days']), 'active day')}; the busiest day, "
            f"{top['busiest_day']:{DATE_FORMAT}}, had {top['busiest_day_requests']:,}.",
        ]
    )


EMAIL_DIFFERS = "email_differs_from_profile"


def customer_key_text(f: Findings, findings_json: bool = True) -> str:
    """Which key groups customers here, and why the profile audit (by customer id) may count
    them differently: a customer's requests carrying different e-mails, e.g. one other than
    the profile's (the ``email_differs_from_profile`` check)."""
    text = (
        "Customers are grouped by the e-mail on each request, or by the customer id when a "
        "request has none. The profile audit groups them by customer id, so the two can "
        "differ when one customer's requests carry different e-mails"
    )
    differs = f.anomalies.loc[f.anomalies["check"] == EMAIL_DIFFERS, "count"]
    n = int(differs.iloc[0]) if len(differs) else 0
    if not n:
        return text + "."
    where = "see Data quality" if findings_json else drill_down_call(EMAIL_DIFFERS) + " lists them"
    return (
        text + f": here {plural(n, 'request')} {'carries' if n == 1 else 'carry'} an e-mail "
        f"other than the one on the customer's profile ({where})."
    )


def customers_table(f: Findings, top_n: int = TOP_N) -> pd.DataFrame:
    """The ``top_n`` busiest customers, then one row for all the others (``others_row``)."""
    c, rest = f.top("customers", top_n)
    if c.empty:
        return pd.DataFrame(columns=["Customer", "Requests"])
    out = pd.DataFrame({"Customer": c["customer"], "Requests": c["requests"]})
    for s in f.statuses:
        out[s.capitalize()] = c[s]
    out["Share"] = [fmt_pct(v, 0) for v in c["share"]]
    out["Cancellation (95 % CI)"] = rate_column(c, "cancel_rate")
    out["Completion (95 % CI)"] = rate_column(c, "completion_rate")
    out["Per day"] = [f"{v:,.1f}" for v in c["per_day"]]
    out["Per active day"] = [f"{v:,.1f}" for v in c["per_active_day"]]
    out["Busiest day"] = [
        f"{d:%d %b} ({fmt_count(n)})"
        for d, n in zip(c["busiest_day"], c["busiest_day_requests"], strict=True)
    ]
    out["Test account"] = c["test_account"].map(yes_no)
    out["Pattern"] = [
        PATTERN_LABELS[bool(t)][p] for t, p in zip(c["test_account"], c["pattern"], strict=True)
    ]
    out = others_row(out, rest, "Customer", "customer", f.statuses)
    if rest["count"]:
        out.loc[len(out) - 1, "Share"] = fmt_pct(rest["requests"] / f.total, 0)
    return out


# --- 6, 7. Cancellations and routing ------------------------------------------------------


def cancellation_text(f: Findings) -> str:
    c = f.cancellations
    if not c["total"]:
        return "No request was cancelled."
    before, after = c["before_assignment"], c["after_assignment"]
    pattern = (
        "most cancellations happen because no mechanic picks up the request"
        if before > after
        else "most cancellations happen after a mechanic accepted"
    )
    return "\n".join(
        [
            f"- **{before:,} cancelled before a mechanic was assigned** "
            f"({fmt_pct(before / c['total'], 0)} of {c['total']:,} cancellations): the customer "
            "gave up waiting, or the request timed out with no mechanic available.",
            f"- **{after:,} cancelled after a mechanic was assigned** "
            f"({fmt_pct(after / c['total'], 0)}): the customer or the mechanic cancelled, or the "
            "session never started after acceptance.",
            f"\n**Pattern:** {pattern}.",
        ]
    )


def routing_text(f: Findings) -> str:
    r = f.routing
    if not f.total:
        return "No requests to route."
    kinds = join_words([f"{n:,} {k}" for k, n in r["by_type"].items()])
    return "\n".join(
        [
            f"- **Routing type:** {kinds}",
            f"- **Served by a workshop:** {plural(r['workshop_served'], 'request')}",
            f"- **With a preferred workshop:** {plural(r['preferred_workshop'], 'request')}",
        ]
    )


# --- Root cause: profiles -----------------------------------------------------------------


def mechanic_profiles_table(f: Findings, top_n: int = TOP_N) -> pd.DataFrame:
    """The roster, incomplete profiles first (then those who took requests), at most
    ``top_n`` rows, then one row counting the other mechanics on record."""
    r = f.mechanic_roster
    took = set(f.mechanics.get("mechanic_id", []))
    ranked = (
        r.assign(_took=r["mechanic_id"].isin(took))
        .sort_values(["profile_complete", "_took"], ascending=[True, False], kind="stable")
        .drop(columns="_took")
    )
    head, tail = ranked.head(top_n), ranked.iloc[top_n:]
    out = pd.DataFrame(
        {
            "Mechanic": labels_of(f)(head["mechanic_id"]),
            "Name": head["name"].fillna("—"),
            "Type": head["mechanic_type"],
            "Complete profile": head["profile_complete"].map(yes_no),
            "Missing": [", ".join(words(x) for x in m) or "—" for m in head["missing"]],
            "Took requests": [yes_no(i in took) for i in head["mechanic_id"]],
        }
    )
    if len(tail):
        complete = int(tail["profile_complete"].sum())
        row = dict.fromkeys(out.columns, "")
        row["Mechanic"] = all_others(len(tail), "mechanic")
        row["Complete profile"] = f"{complete:,} yes, {len(tail) - complete:,} no"
        row["Took requests"] = f"{int(tail['mechanic_id'].isin(took).sum()):,} yes"
        out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
    return out


def profiles_text(f: Findings) -> str:
    """Incomplete mechanic and customer profiles: counts, and the first few ids of each."""
    roster, labels = f.mechanic_roster, labels_of(f)
    bad = f.incomplete_mechanics
    took = set(f.mechanics.get("mechanic_id", []))
    bad_working = [i for i in bad["mechanic_id"] if i in took]
    text = (
        f"**{fmt_count(len(bad))} of {plural(len(roster), 'mechanic')} on record have incomplete "
        f"profiles** (missing any of city, province, postal code, years of experience)"
    )
    text += f": {some_ids(list(bad['mechanic_id']), labels)}." if len(bad) else "."
    if bad_working:
        who = (
            join_words(labels(bad_working))
            if len(bad_working) <= MAX_IDS_SHOWN
            else f"{len(bad_working):,} of them"
        )
        text += f" {who} still took requests in this period; see their completion rates above."
    cp = f.customer_profiles
    incomplete = cp[~cp["profile_complete"]] if len(cp) else cp
    text += (
        f"\n\n**Customer profiles:** {len(cp) - len(incomplete):,} of the "
        f"{len(cp):,} customer profile{'' if len(cp) == 1 else 's'} behind this period's "
        "requests are complete"
    )
    if len(incomplete):
        shown = incomplete.head(MAX_IDS_SHOWN)
        gaps = [
            f"`{i}` lacks {', '.join(r.missing)}" + (" (deleted)" if r.deleted else "")
            for i, r in zip(labels(shown["customer_id"]), shown.itertuples(), strict=True)
        ]
        more = len(incomplete) - MAX_IDS_SHOWN
        text += ": " + "; ".join(gaps) + (f"; and {more:,} more" if more > 0 else "")
        missing = pd.Series([m for ms in incomplete["missing"] for m in ms]).value_counts()
        if more > 0 and len(missing):
            text += (
                " (missing most often: "
                + join_words([f"{words(k)} ({v:,})" for k, v in missing.head(3).items()])
                + ")"
            )
    return text + "."


# --- What worked --------------------------------------------------------------------------


def _traits(r: Any) -> list[str]:
    """A mechanic's profile attributes in words (a ``metrics.mechanic_table`` row)."""
    if pd.isna(r.profile_complete):  # no roster row: nothing known about them
        return ["not in the mechanics table, so no profile on record"]
    return [
        "complete profile" if r.profile_complete else "incomplete profile",
        "Red Seal certified" if r.red_seal_certified else "not Red Seal certified",
        f"workshop {r.workshop_name}" if isinstance(r.workshop_name, str) else "no workshop",
        f"{r.years_of_experience} years' experience"
        if not pd.isna(r.years_of_experience)
        else "experience unknown",
        r.city if isinstance(r.city, str) else "city unknown",
    ]


def _name(value: object) -> str:
    return value if isinstance(value, str) else "no name"


def success_text(f: Findings) -> str:
    """The mechanics who completed requests, with the profile attributes they share."""
    done = f.count(COMPLETED)
    if not done:
        return "No request was completed in this period: the happy path was not exercised."
    m = f.mechanics
    winners = m[m["completed"] > 0] if "completed" in m else m.iloc[0:0]
    lines = [f"**{plural(done, 'completed request')}** show the happy path works."]
    unassigned_done = done - (int(winners["completed"].sum()) if len(winners) else 0)
    winners = winners.sort_values("completed", ascending=False, kind="stable")
    named = winners.head(MAX_MECHANICS_NAMED)
    for i, r in zip(labels_of(f)(named["mechanic_id"]), named.itertuples(), strict=True):
        rate = fmt_rate(r.completion_rate, r.completion_rate_low, r.completion_rate_high)
        lines.append(
            f"- `{i}` ({_name(r.name)}) completed {fmt_count(r.completed)} of "
            f"{fmt_count(r.requests)} ({rate}, 95 % interval): {', '.join(_traits(r))}."
        )
    if len(winners) > MAX_MECHANICS_NAMED:
        rest = winners.iloc[MAX_MECHANICS_NAMED:]
        lines.append(
            f"- {len(rest):,} other mechanics completed {int(rest['completed'].sum()):,} "
            "(the mechanics table and its CSV list them)."
        )
    if unassigned_done:
        lines.append(
            f"- {plural(unassigned_done, 'completed request')} name no mechanic at all "
            "(a data-quality problem worth checking)."
        )
    if len(winners) and int(winners["requests"].max()) < FEW_TO_JUDGE:
        lines.append(
            f"\nThese rates rest on fewer than {FEW_TO_JUDGE} requests per mechanic: "
            "too few to call anyone the best performer or to credit any single attribute "
            "(see the success factors below)."
        )
    return "\n".join(lines)


def factors_table(f: Findings) -> pd.DataFrame:
    t = f.factors
    return pd.DataFrame(
        {
            "Attribute": t["factor"],
            "Level": t["level"],
            "Mechanics": t["mechanics"],
            "Requests": t["requests"],
            "Completed": t["completed"],
            "Completion (95 % CI)": rate_column(t, "completion_rate"),
            "Cancelled": t["cancelled"],
            "Cancellation (95 % CI)": rate_column(t, "cancel_rate"),
            "Enough to judge": ["no" if x else "yes" for x in t["too_few"]],
        }
    )


def factors_text(f: Findings) -> str:
    """What the success-factor table can and cannot support."""
    t = f.factors
    if t.empty:
        return "No mechanic took a request, so no attribute can be linked to success."
    lines = [
        "Completion and cancellation rates of the requests taken by "
        f"{plural(len(f.mechanics), 'mechanic')}, grouped by each mechanic attribute. The "
        "original report credited one mechanic's profile, certification and workshop for "
        "their success; this table tests that."
    ]
    notes = [
        f"{join_words(group)} split this period's mechanics in exactly the same way, so "
        "the data cannot tell which of them matters."
        for group in f.coinciding_factors
    ]
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
    judged = f.separated_factors
    if judged and not f.coinciding_factors and not thin:
        notes.append(f"Completion rates differ beyond the noise for {join_words(judged)}.")
    elif not judged:
        notes.append("No attribute's completion rates differ beyond the noise.")
    return "\n".join([*lines, "", *(f"- {n}" for n in notes)])


# --- Diagnosis ----------------------------------------------------------------------------


def verdict_text(f: Findings) -> str:
    v = f.verdict
    if v.test_data is None:
        return "No requests, so no verdict."
    head = (
        "**Yes: this is test data.**"
        if v.test_data
        else "**No: this looks like real customer traffic.**"
    )
    reasons = verdict_reasons(f)
    return head + " The evidence:\n\n" + "\n".join(f"{i}. {r}" for i, r in enumerate(reasons, 1))


def verdict_rules_text(f: Findings) -> str:
    r = f.verdict.rules
    parts = [
        f"addresses matching {join_words([f'`{p}`' for p in r.patterns], 'or')}"
        if r.patterns
        else None,
        f"reserved domains ({', '.join(r.reserved_domains)})" if r.reserved_domains else None,
        f"{plural(len(r.known), 'listed account')}" if r.known else None,
    ]
    used = [p for p in parts if p]
    return (
        "Test accounts were recognised by "
        + (join_words(used) if used else "no rule at all")
        + " (notebook parameters `test_email_patterns`, `test_reserved_domains`, "
        "`known_test_accounts`)."
    )


def evidence_table(f: Findings) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (words(s.name), yes_no(s.holds), signal_text(s, f.test_accounts, top_customer(f)))
            for s in f.verdict.evidence
        ],
        columns=["Signal", "Points to test data", "Evidence"],
    )


# --- Testing readiness and recommendations ------------------------------------------------


def readiness_table(f: Findings) -> pd.DataFrame:
    r = f.readiness
    status = {EXCEEDS: "Exceeds", SUFFICIENT: "Sufficient"}
    return pd.DataFrame(
        {
            "Metric": r["metric"],
            "Current": r["current"],
            "Needed": [f"{fmt_count(n)}+" for n in r["needed"]],
            "Status": [
                status.get(s, f"Need {fmt_count(short)} more")
                for s, short in zip(r["status"], r["short_by"], strict=True)
            ],
        }
    )


def recommendation_text(
    r: Recommendation,
    names: dict[str, Any],
    labels: Callable[[Iterable[Any]], list[str]] = short_ids,
) -> str:
    """One recommended action in words; ``names``: mechanic id → name (from the roster, masked
    when the report is); ``labels``: ids → their short labels (a report's: ``labels_of``;
    by default worked out from the ids of this action alone)."""
    x = r.figures
    if r.code == "check_period":
        return (
            "No requests were made in this period: check that the period and database are "
            "the intended ones before drawing conclusions."
        )
    if r.code == "complete_mechanic_profiles":
        named = x["mechanics"][:MAX_MECHANICS_NAMED]
        items = [
            f"`{i}` ({_name(names.get(m['mechanic_id']))}) lacks "
            f"{join_words([words(field) for field in m['missing']])}"
            for i, m in zip(labels(m["mechanic_id"] for m in named), named, strict=True)
        ]
        more = len(x["mechanics"]) - MAX_MECHANICS_NAMED
        if more > 0:
            items.append(f"and {more:,} more")
        return (
            f"Complete the profiles of {plural(len(x['mechanics']), 'mechanic')}: "
            + "; ".join(items)
            + "."
        )
    if r.code == "more_working_mechanics":
        text = (
            f"Get {plural(x['needed'] - x['current'], 'more mechanic')} taking requests: "
            f"{fmt_count(x['current'])} took part, {fmt_count(x['needed'])} are needed."
        )
        idle = x["idle_complete"]
        if idle:
            text += (
                f" {plural(len(idle), 'mechanic')} with a complete profile took none: "
                f"{some_ids(list(idle), labels)}."
            )
        return text
    if r.code == "more_mechanic_types":
        return (
            f"Have {join_words(x['absent'], 'and')} mechanics take requests too: this "
            f"period's requests were served by {join_words(x['served']) or 'none'} "
            "mechanics only."
        )
    if r.code == "more_test_customers":
        return (
            f"Create {plural(x['needed'] - x['current'], 'more test customer')} with complete "
            f"profiles (address, postal code, coordinates): {fmt_count(x['current'])} took "
            f"part, {fmt_count(x['needed'])} are needed."
        )
    if r.code == "more_completed":
        return (
            f"Complete {plural(x['needed'] - x['current'], 'more session')} to exercise the "
            f"happy path ({fmt_count(x['current'])} completed, {fmt_count(x['needed'])} needed)."
        )
    if r.code == "more_scarce_types":
        parts = [
            f"{t['session_type']} ({fmt_count(t['requests'])}, {fmt_pct(t['share'])})"
            for t in x["scarce"]
        ]
        return (
            f"Create more {join_words(parts)} sessions: {x['top_type']} makes up "
            f"{fmt_pct(x['top_share'])} of requests."
        )
    if r.code == "keep_test_cancellations":
        return (
            f"Don't treat the {fmt_pct(x['cancel_rate'], 0)} cancellation rate as a production "
            "problem: it comes from test traffic. Keep the cancelled requests for testing "
            "error handling and focus on producing more completed sessions."
        )
    # Actions drawn from the root causes are worded with them.
    cause = cause_recommendation_text(r)
    if cause is not None:
        return cause
    if r.code == "investigate_cancellations":
        return (
            f"Investigate the {fmt_pct(x['cancel_rate'], 0)} cancellation rate: "
            f"{fmt_pct(x['never_assigned_share'], 0)} of requests were never assigned a "
            "mechanic."
        )
    return f"{words(r.code)}: {x}"


def recommendations_text(f: Findings) -> str:
    names = dict(zip(f.mechanic_roster["mechanic_id"], f.mechanic_roster["name"], strict=True))
    return "\n".join(
        f"{i}. {recommendation_text(r, names, labels_of(f))}"
        for i, r in enumerate(f.recommendations, 1)
    )
