"""The report's sections as Markdown and display tables, in the original report's order.

The notebook calls these; every figure and data-dependent sentence comes from ``Findings``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import Markdown, display
from pandas.io.formats.style import Styler

from analysis.findings import Findings
from analysis.redact import HIDDEN
from analysis.text import fmt_pct, join_words, plural, short_id
from analysis.uncertainty import FEW_TO_JUDGE, fmt_interval, fmt_rate

TIME_FORMAT = "%d %b %Y %H:%M:%S %Z"
DATE_FORMAT = "%d %b %Y"
MARKDOWN_HIDDEN = HIDDEN.replace("*", r"\*")


def md(text: str) -> None:
    """Show Markdown in the notebook (and so in the HTML report). The asterisks of masked
    e-mails and names (``c***1@test.com``) are escaped so they show as written, not as bold."""
    display(Markdown(text.replace(HIDDEN, MARKDOWN_HIDDEN)))


def table(frame: pd.DataFrame) -> Styler:
    """A display table without the index: text left-aligned, numbers right-aligned (numbers
    already formatted by the caller)."""
    text = [c for c in frame.columns if frame[c].dtype.kind not in "iuf"]
    return (
        frame.style.hide(axis="index")
        .set_properties(subset=text, **{"text-align": "left"})
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
    )


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
    cancel = f.count("cancelled") / f.total
    if f.verdict["test_data"]:
        conclusion = (
            f"**Conclusion: this is test/development data.** The {fmt_pct(cancel, 0)} "
            f"cancellation rate and {fmt_pct(never, 0)} unassigned rate are expected "
            "for a testing environment; this is not a production issue."
        )
    else:
        conclusion = (
            f"**Conclusion: this looks like real customer traffic.** The "
            f"{fmt_pct(cancel, 0)} cancellation rate and {fmt_pct(never, 0)} unassigned "
            "rate should be investigated as a production issue."
        )
    median = f.response["median"]
    c = f.beyond.rates["cancellation"]
    flagged = f.beyond.anomalies[f.beyond.anomalies["count"] > 0]
    bullets = [
        f"{plural(f.total, 'request')}: {f.count('cancelled')} cancelled, "
        f"{f.count('completed')} completed, {f.count('pending')} pending; cancellation rate "
        f"{fmt_pct(cancel, 0)} (95 % interval {fmt_interval(c['low'], c['high'])}).",
        f"{f.assignment['never_assigned']} never assigned to a mechanic; "
        f"{f.assignment['mechanics_involved']} of {f.assignment['mechanics_on_record']} "
        "mechanics on record took part.",
        f"{plural(len(f.customers), 'customer')}; the busiest made "
        f"{fmt_pct(f.customers.iloc[0]['share'], 0)} of requests.",
        "Median time to acceptance: "
        + (f"{median:.2f} minutes." if median is not None else "no request was accepted."),
        (
            f"{plural(len(set().union(*flagged['request_ids'])), 'request')} failed "
            f"{plural(len(flagged), 'data-quality check')}: "
            f"{join_words([c.replace('_', ' ') for c in flagged['check']])} (see Data quality)."
            if len(flagged)
            else "All data-quality checks passed."
        ),
    ]
    return "## Executive summary\n\n" + conclusion + "\n\n" + "\n".join(f"- {b}" for b in bullets)


def status_table(f: Findings) -> pd.DataFrame:
    rows = [(s, n, fmt_pct(sh)) for s, n, sh in f.status.itertuples(index=False)]
    rows.append(("total", f.total, "100 %" if f.total else "—"))
    return pd.DataFrame(rows, columns=["Status", "Requests", "Share"])


def unknown_values_text(f: Findings) -> str:
    """A warning naming values outside the platform's known vocabulary (they stay counted)."""
    if not f.unknown_values:
        return ""
    parts = [
        f"{column.replace('_', ' ')} {join_words([f'`{v}` ({n})' for v, n in values.items()])}"
        for column, values in f.unknown_values.items()
    ]
    return (
        "**Unexpected values** (counted above, not dropped; worth checking at the source): "
        + "; ".join(parts)
        + "."
    )


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
        return f"No mechanic took a request; {a['mechanics_on_record']} mechanics are on record."
    return (
        f"Only **{a['mechanics_involved']}** of the {a['mechanics_on_record']} mechanics on "
        "record took part:"
        if a["mechanics_involved"] < a["mechanics_on_record"]
        else f"All {a['mechanics_on_record']} mechanics on record took part:"
    )


def mechanics_table(f: Findings) -> pd.DataFrame:
    m = f.mechanics
    if m.empty:
        return pd.DataFrame(columns=["Mechanic", "Name", "Requests"])
    out = pd.DataFrame(
        {
            "Mechanic": [short_id(i) for i in m["mechanic_id"]],
            "Name": m["name"].fillna("—"),
            "Requests": m["requests"],
        }
    )
    for s in f.statuses:
        if s in m:
            out[s.capitalize()] = m[s]
    out["Completion (95 % CI)"] = [
        fmt_rate(int(c), int(n)) for c, n in zip(m["completed"], m["requests"], strict=True)
    ]
    out["Cancellation (95 % CI)"] = [
        fmt_rate(int(c), int(n)) for c, n in zip(m["cancelled"], m["requests"], strict=True)
    ]
    out["Complete profile"] = m["profile_complete"].map(_yes_no)
    out["Red Seal"] = m["red_seal_certified"].map(_yes_no)
    out["Workshop"] = m["workshop_name"].fillna("—")
    out["Experience (years)"] = (
        m["years_of_experience"].astype("object").where(m["years_of_experience"].notna(), "—")
    )
    out["City"] = m["city"].fillna("—")
    out["Type"] = m["mechanic_type"].fillna("—")
    return out


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
            f"- **Fastest response:** {r['min']:.2f} min ({r['min'] * 60:.0f} seconds)",
            f"- **Slowest response:** {r['max']:.2f} min",
        ]
    else:
        lines.append("- **Response time:** no request was accepted in this period.")
    if r["excluded_negative"]:
        lines.append(
            f"- {plural(r['excluded_negative'], 'request')} accepted before it was "
            "created (bad data) left out of the response times."
        )
    return "\n".join(lines)


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


def customers_text(f: Findings) -> str:
    c = f.customers
    if c.empty:
        return "No customer made a request."
    top = c.iloc[0]
    return "\n".join(
        [
            f"**{plural(len(c), 'customer')} created all {f.total} requests.**\n",
            f"- **{top['customer']}** created {fmt_pct(top['share'], 0)} of all requests "
            f"({top['requests']} of {f.total}).",
            f"- That is {top['per_day']:.1f} requests a day over the "
            f"{plural(f.span['days'], 'day')} span, or "
            f"{top['per_active_day']:.2f} per active day over "
            f"{plural(int(top['active_days']), 'active day')}; the busiest day, "
            f"{top['busiest_day']:{DATE_FORMAT}}, had {top['busiest_day_requests']}.",
        ]
    )


def customers_table(f: Findings) -> pd.DataFrame:
    c = f.customers
    if c.empty:
        return pd.DataFrame(columns=["Customer", "Requests"])
    out = pd.DataFrame({"Customer": c["customer"], "Requests": c["requests"]})
    for s in f.statuses:
        out[s.capitalize()] = c[s]
    out["Share"] = [fmt_pct(v, 0) for v in c["share"]]
    out["Cancellation (95 % CI)"] = [
        fmt_rate(int(k), int(n)) for k, n in zip(c["cancelled"], c["requests"], strict=True)
    ]
    out["Completion (95 % CI)"] = [
        fmt_rate(int(k), int(n)) for k, n in zip(c["completed"], c["requests"], strict=True)
    ]
    out["Per day"] = [f"{v:.1f}" for v in c["per_day"]]
    out["Per active day"] = [f"{v:.1f}" for v in c["per_active_day"]]
    out["Busiest day"] = [
        f"{d:%d %b} ({n})" for d, n in zip(c["busiest_day"], c["busiest_day_requests"], strict=True)
    ]
    out["Test account"] = c["test_account"].map(_yes_no)
    out["Pattern"] = c["behaviour"]
    return out


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
            f"- **{before} cancelled before a mechanic was assigned** "
            f"({fmt_pct(before / c['total'], 0)} of {c['total']} cancellations): the customer gave "
            "up waiting, or the request timed out with no mechanic available.",
            f"- **{after} cancelled after a mechanic was assigned** "
            f"({fmt_pct(after / c['total'], 0)}): the customer or the mechanic cancelled, or the "
            "session never started after acceptance.",
            f"\n**Pattern:** {pattern}.",
        ]
    )


def routing_text(f: Findings) -> str:
    r = f.routing
    if not f.total:
        return "No requests to route."
    kinds = join_words([f"{n} {k}" for k, n in r["by_type"].items()])
    return "\n".join(
        [
            f"- **Routing type:** {kinds}",
            f"- **Served by a workshop:** {plural(r['workshop_served'], 'request')}",
            f"- **With a preferred workshop:** {plural(r['preferred_workshop'], 'request')}",
        ]
    )


def verdict_text(f: Findings) -> str:
    v = f.verdict
    if v["test_data"] is None:
        return "No requests, so no verdict."
    head = (
        "**Yes: this is test data.**"
        if v["test_data"]
        else "**No: this looks like real customer traffic.**"
    )
    return (
        head + " The evidence:\n\n" + "\n".join(f"{i}. {r}" for i, r in enumerate(v["reasons"], 1))
    )


def evidence_table(f: Findings) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (e["signal"].replace("_", " "), _yes_no(e["holds"]), e["detail"])
            for e in f.verdict["evidence"]
        ],
        columns=["Signal", "Points to test data", "Evidence"],
    )


def mechanic_profiles_table(f: Findings) -> pd.DataFrame:
    r = f.mechanic_roster
    took = set(f.mechanics.get("mechanic_id", []))
    return pd.DataFrame(
        {
            "Mechanic": [short_id(i) for i in r["mechanic_id"]],
            "Name": r["name"].fillna("—"),
            "Type": r["mechanic_type"],
            "Complete profile": r["profile_complete"].map(_yes_no),
            "Missing": [", ".join(x.replace("_", " ") for x in m) or "—" for m in r["missing"]],
            "Took requests": [_yes_no(i in took) for i in r["mechanic_id"]],
        }
    )


def profiles_text(f: Findings) -> str:
    roster = f.mechanic_roster
    bad = f.incomplete_mechanics
    took = set(f.mechanics.get("mechanic_id", []))
    bad_working = [short_id(i) for i in bad["mechanic_id"] if i in took]
    text = (
        f"**{len(bad)} of {plural(len(roster), 'mechanic')} on record have incomplete "
        f"profiles** (missing any of city, province, postal code, years of experience)"
    )
    text += (
        f": {join_words([f'`{short_id(i)}`' for i in bad['mechanic_id']])}." if len(bad) else "."
    )
    if bad_working:
        text += (
            f" {join_words(bad_working)} still took requests in this period; see their "
            "completion rates above."
        )
    cp = f.customer_profiles
    incomplete = cp[~cp["profile_complete"]] if len(cp) else cp
    text += (
        f"\n\n**Customer profiles:** {len(cp) - len(incomplete)} of the "
        f"{plural(len(cp), 'customer profile')} behind this period's requests are complete"
    )
    if len(incomplete):
        gaps = [
            f"`{short_id(r.customer_id)}` lacks {', '.join(r.missing)}"
            + (" (deleted)" if r.deleted else "")
            for r in incomplete.itertuples()
        ]
        text += ": " + "; ".join(gaps)
    return text + "."


def readiness_table(f: Findings) -> pd.DataFrame:
    return f.readiness.rename(columns=str.capitalize)


def recommendations_text(f: Findings) -> str:
    return "\n".join(f"{i}. {r}" for i, r in enumerate(f.recommendations, 1))


def _yes_no(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "—"
    return "yes" if bool(value) else "no"


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


def success_text(f: Findings) -> str:
    """The mechanics who completed requests, with the profile attributes they share."""
    done = f.count("completed")
    if not done:
        return "No request was completed in this period: the happy path was not exercised."
    m = f.mechanics
    winners = m[m.get("completed", 0) > 0] if "completed" in m else m.iloc[0:0]
    lines = [f"**{plural(done, 'completed request')}** show the happy path works."]
    unassigned_done = done - (int(winners["completed"].sum()) if len(winners) else 0)
    for r in winners.itertuples():
        name = r.name if isinstance(r.name, str) else "no name"
        lines.append(
            f"- `{short_id(r.mechanic_id)}` ({name}) completed {r.completed} of "
            f"{r.requests} ({fmt_rate(int(r.completed), int(r.requests))}, 95 % interval): "
            f"{', '.join(_traits(r))}."
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


def mechanic_chart_data(f: Findings) -> pd.DataFrame:
    """The mechanics table with a readable ``mechanic`` label (short id and name) for charts."""
    m = f.mechanics
    labels = [
        f"{short_id(i)} {n if isinstance(n, str) else ''}".strip()
        for i, n in zip(m.get("mechanic_id", []), m.get("name", []), strict=True)
    ]
    return m.assign(mechanic=labels)
