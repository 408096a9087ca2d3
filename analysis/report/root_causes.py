"""The root-cause section in words: why requests went unassigned or were cancelled, from the
drivers, coverage, acceptance curve and retries the investigation computed
(``Findings.root_causes``). Every sentence names the figures it rests on; a dimension whose
levels don't differ beyond the noise is said to show no effect. Sizes are bounded: the top
causes, the top table rows and slots, and a count of the rest.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.investigation import drivers as drv
from analysis.investigation.coverage import ALL, unserved_slots
from analysis.investigation.findings import Findings
from analysis.investigation.judgement import Recommendation
from analysis.report.text import first_few, fmt_count, fmt_pct, join_words, plural
from analysis.report.verdict import verdict_reasons

MAX_CAUSES = 5  # sentences per outcome
MAX_ROWS = 8  # drivers table rows per outcome
MAX_SLOTS = 5  # unserved slots named
MAX_CITIES = 5
OUTCOME_WORDS = {
    drv.NEVER_ASSIGNED: ("went unassigned", "unassigned requests", "Unassigned requests"),
    drv.CANCELLED: ("were cancelled", "cancelled requests", "Cancelled requests"),
}
DIMENSION_WORDS = {
    drv.HOUR: "hour of day",
    drv.WEEKDAY: "day of week",
    "session_type": "session type",
    "routing_type": "routing type",
    "is_urgent": "urgency",
    "plan_code": "plan",
    "expiry_window": "time before expiry",
    drv.CITY: "customer's city",
    drv.MECHANIC_IN_CITY: "whether a mechanic works in the customer's city",
    "customer_history": "new or returning customer",
    "retry": "retry or first attempt",
}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_NAMES = dict(zip(drv.WEEKDAYS, DAY_NAMES, strict=True))


def fmt_share(value: Any) -> str:
    """A share of failures: whole percents, one decimal under 1 % (``0.4 %``)."""
    if value is None or pd.isna(value):
        return "n/a"
    return fmt_pct(value, 1 if abs(value) < 0.01 else 0)


def fmt_rate_ci(rate: Any, low: Any, high: Any) -> str:
    """``65 % (64–67 %)``; with one decimal when whole percents would hide the interval
    (``64.9 % (64.6–65.2 %)``)."""
    if any(v is None or pd.isna(v) for v in (rate, low, high)):
        return fmt_pct(rate, 0)
    decimals = 1 if round(low * 100) == round(high * 100) else 0
    return f"{fmt_pct(rate, decimals)} ({low * 100:.{decimals}f}–{high * 100:.{decimals}f} %)"


def fmt_p(p: Any) -> str:
    """``p < 0.001``, ``p = 0.012``; unknown → ``p n/a``."""
    if p is None or pd.isna(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def subject(dimension: str, level: str, retry_minutes: int, uncovered: bool = False) -> str:
    """The requests a level stands for, as the subject of a sentence."""
    if dimension == drv.HOUR:
        start, _, end = level.partition("–")
        last = end or f"{start[:2]}:59"
        return f"Requests made between {start} and {last}"
    if dimension == drv.WEEKDAY:
        return f"Requests made on {WEEKDAY_NAMES.get(level, level)}s"
    missing = drv.MISSING_LEVEL.get(dimension)
    if level == missing:
        return f"Requests with no {DIMENSION_WORDS[dimension]} recorded"
    phrases = {
        "session_type": f"{level.capitalize()} requests",
        "routing_type": f"Requests routed {level}",
        "is_urgent": "Urgent requests" if level == "urgent" else "Requests not marked urgent",
        "plan_code": f"Requests on the {level} plan",
        "expiry_window": f"Requests given {level} before they expire",
        drv.CITY: f"Requests from customers in {level}"
        + (" (no mechanic on record works there)" if uncovered else ""),
        drv.MECHANIC_IN_CITY: "Requests from cities where no mechanic on record works"
        if level == "no"
        else "Requests from cities where a mechanic on record works",
        "customer_history": "First requests of new customers"
        if level == "new"
        else "Requests from returning customers",
        "retry": f"Retries (within {retry_minutes} minutes of the same customer's failed request)"
        if level == "retry"
        else "First attempts",
    }
    return phrases.get(
        dimension, f"Requests with {DIMENSION_WORDS.get(dimension, dimension)} {level}"
    )


def _uncovered_cities(f: Findings) -> pd.DataFrame:
    cities = f.root_causes.cities
    return cities[cities["mechanic"].eq(False)]


def cause_sentence(f: Findings, cause: dict[str, Any]) -> str:
    """One ranked cause (a ``drivers.causes`` row) in words, with its figures."""
    verb, noun, _ = OUTCOME_WORDS[cause["outcome"]]
    rc = f.root_causes
    uncovered = cause["dimension"] == drv.CITY and cause["level"] in set(
        _uncovered_cities(f)["city"]
    )
    who = subject(cause["dimension"], cause["level"], rc.retry_window_minutes, uncovered)
    is_range = cause["first_hour"] is not None and not pd.isna(cause["first_hour"])
    sure = f"every hour in it {fmt_p(cause['p_value'])}" if is_range else fmt_p(cause["p_value"])
    text = (
        f"**{who}** {verb} "
        f"{fmt_rate_ci(cause['rate'], cause['rate_low'], cause['rate_high'])} of the time against "
        f"{fmt_pct(cause['rest_rate'], 0)} otherwise: about "
        f"{fmt_count(cause['excess'])} more {noun} "
        f"than if they had done as well as the rest, {fmt_share(cause['share_of_failures'])} "
        f"of all {noun} ({plural(cause['requests'], 'request')}; {sure})."
    )
    if cause["dimension"] == drv.MECHANIC_IN_CITY and cause["level"] == "no":
        text += " " + _cities_named(f, cause["outcome"])
    return text


def _cities_named(f: Findings, outcome: str) -> str:
    """The uncovered cities behind a "no mechanic in the city" cause, busiest first."""
    cities = _uncovered_cities(f)
    label = "unassigned" if outcome == drv.NEVER_ASSIGNED else "cancelled"
    shown = [
        f"{c['city']} ({fmt_count(c['requests'])}, "
        f"{fmt_pct(c[outcome] / c['requests'], 0)} {label})"
        for c in cities.head(MAX_CITIES).to_dict(orient="records")
        if c["requests"]
    ]
    more = len(cities) - MAX_CITIES
    return "They come from " + first_few(shown, more) + "." if shown else ""


def _judged(f: Findings, outcome: str, effect: str) -> list[str]:
    e = f.root_causes.effects
    rows = e[(e["outcome"] == outcome) & (e["effect"] == effect)]
    return [DIMENSION_WORDS[d] for d in rows["dimension"]]


def outcome_text(f: Findings, outcome: str) -> str:
    """The ranked causes of one outcome, what showed no effect, and what was too thin."""
    rc = f.root_causes
    _, noun, title = OUTCOME_WORDS[outcome]
    failures = (
        f.assignment["never_assigned"] if outcome == drv.NEVER_ASSIGNED else f.count(drv.CANCELLED)
    )
    head = (
        f"**{title}: {fmt_count(failures)} of {fmt_count(f.total)}** "
        f"({fmt_pct(failures / f.total, 0)})."
    )
    if not failures:
        return head + f" No {noun[:-1]}, so nothing to explain."
    causes = rc.causes[rc.causes["outcome"] == outcome].to_dict(orient="records")
    lines = [head]
    if causes:
        uncovered = set(_uncovered_cities(f)["city"])
        folded = any(
            c["dimension"] == drv.MECHANIC_IN_CITY and c["level"] == "no"
            for c in causes[:MAX_CAUSES]
        )
        shown = [
            c
            for c in causes
            if not (folded and c["dimension"] == drv.CITY and c["level"] in uncovered)
        ]
        lines.append("Ranked by how many of them each explains:\n")
        lines += [f"{i}. {cause_sentence(f, c)}" for i, c in enumerate(shown[:MAX_CAUSES], 1)]
        rest = len(shown) - MAX_CAUSES
        if rest > 0:
            lines.append(
                f"\n{plural(rest, 'more level')} also {'differs' if rest == 1 else 'differ'} "
                "beyond the noise, each explaining less (see the table)."
            )
    else:
        lines.append(
            "No request attribute goes with more of them beyond the noise."
            if _judged(f, outcome, drv.NO_EFFECT)
            else "Too few requests to tell what goes with them."
        )
    notes = []
    retry = _retry_effect(f, outcome)
    if retry:
        notes.append(retry)
    none = _judged(f, outcome, drv.NO_EFFECT)
    if none:
        notes.append(
            f"**No effect:** {join_words(none)} — no level's rate differs from the rest beyond "
            "the noise."
        )
    thin = _judged(f, outcome, drv.TOO_FEW)
    if thin:
        notes.append(
            f"**Too few requests to judge** ({drv.FEW_TO_JUDGE} or more are needed on each "
            f"side): {join_words(thin)}."
        )
    return "\n".join(lines) + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "")


def _retry_effect(f: Findings, outcome: str) -> str:
    """Retries are not a cause (they follow a failure): their difference, said as such."""
    d = f.root_causes.drivers
    row = d[(d["outcome"] == outcome) & (d["dimension"] == "retry") & (d["level"] == "retry")]
    if row.empty or not bool(row["significant"].iloc[0]):
        return ""
    r = row.iloc[0]
    verb, _, _ = OUTCOME_WORDS[outcome]
    direction = "more" if r["excess"] > 0 else "less"
    return (
        f"**Retries** {verb} {fmt_pct(r['rate'], 0)} of the time against "
        f"{fmt_pct(r['rest_rate'], 0)} for first attempts ({fmt_p(r['p_value'])}): a second try "
        f"fails {direction} often than a first. Not ranked as a cause: a retry exists because "
        "a request failed."
    )


def root_causes_text(f: Findings) -> str:
    """The section's opening: for test traffic the test-data reasoning first; then what the
    requests' own attributes show, per outcome; then what could not be analysed."""
    if not f.total:
        return "No requests, so no causes to look for."
    parts = []
    if f.verdict.test_data:
        reasons = verdict_reasons(f)
        parts.append(
            "**Primary cause: this is test traffic** (see the diagnosis below). "
            + " ".join(reasons)
            + "\n\nThe comparisons below describe how the test requests were made, not how "
            "customers fare."
        )
    comparisons = int(f.root_causes.drivers["p_value"].notna().sum() / 2)
    parts.append(
        "Each attribute of a request was compared level by level with all other requests of "
        f"the period (rates with 95 % intervals; p-values adjusted for the {comparisons} "
        "comparisons per outcome, Holm). The **excess** is how many failures would not have "
        "happened had the level done as well as the rest. Attributes are compared one at a "
        "time: causes that go together (night requests from a city with no mechanic) are not "
        "separated, so excesses overlap rather than add up."
    )
    parts += [outcome_text(f, o) for o in drv.OUTCOMES]
    skipped = skipped_text(f)
    if skipped:
        parts.append(skipped)
    return "\n\n".join(parts)


def skipped_text(f: Findings) -> str:
    """Which dimensions were not compared, and why."""
    rc = f.root_causes
    dims = rc.dimensions
    lines = []
    missing = dims[dims["status"] == drv.MISSING_COLUMN]
    if len(missing):
        lines.append(
            f"Not analysed: {join_words([DIMENSION_WORDS[d] for d in missing['dimension']])} — "
            f"the source has no {join_words([f'`{c}`' for c in missing['column']])} column on "
            "session_requests."
        )
    for r in dims[dims["status"] == drv.ONE_LEVEL].itertuples():
        words = DIMENSION_WORDS[r.dimension]
        if r.only_level == drv.MISSING_LEVEL.get(r.dimension, drv.NOT_RECORDED):
            lines.append(f"Not analysed: {words} — not recorded on any request of the period.")
        elif r.dimension == drv.MECHANIC_IN_CITY:
            where = (
                "where a mechanic on record works" if r.only_level == "yes" else "where none does"
            )
            lines.append(f"Nothing to compare for {words}: every request came from a city {where}.")
        else:
            lines.append(f"Nothing to compare for {words}: every request had `{r.only_level}`.")
    if "customer_city" not in rc.present:
        lines.append(
            "Cities come from the customers' profiles: the source has no `customer_city` column."
        )
    if not lines:
        return ""
    return "**Not compared:**\n\n" + "\n".join(f"- {line}" for line in lines)


def drivers_table(f: Findings) -> pd.DataFrame:
    """Per outcome, the levels most worth showing (``drivers.most_telling``: beyond the noise
    first, then by excess; up to ``MAX_ROWS``), then one row counting the other levels."""
    d = f.root_causes.drivers
    rows = []
    for outcome in drv.OUTCOMES:
        mine = d[d["outcome"] == outcome]
        judged = mine[mine["enough_data"]]
        top = drv.most_telling(d, outcome, MAX_ROWS)
        title = OUTCOME_WORDS[outcome][2]
        for r in top.itertuples():
            rows.append(
                (
                    title,
                    DIMENSION_WORDS[r.dimension],
                    r.level,
                    fmt_count(r.requests),
                    fmt_rate_ci(r.rate, r.rate_low, r.rate_high),
                    fmt_pct(r.rest_rate, 0),
                    f"{r.excess:+,.0f}",
                    fmt_share(r.share_of_failures),
                    fmt_p(r.p_value).removeprefix("p ").removeprefix("= "),
                    "yes" if r.significant else "no",
                )
            )
        others, thin = len(judged) - len(top), int((~mine["enough_data"]).sum())
        if others or thin:
            worse = judged["significant"] & (judged["excess"] > 0)
            beyond = int(worse.sum()) - int((top["significant"] & (top["excess"] > 0)).sum())
            note = f"{plural(others, 'other level')} with enough data" if others else ""
            if beyond:
                note += f" ({fmt_count(beyond)} failing more often beyond the noise)"
            if thin:
                note += ("; " if note else "") + f"{fmt_count(thin)} too few to judge"
            rows.append((title, "…", note, "", "", "", "", "", "", ""))
    return pd.DataFrame(
        rows,
        columns=[
            "Outcome",
            "Attribute",
            "Level",
            "Requests",
            "Rate (95 % CI)",
            "Rest",
            "Excess",
            "Share of failures",
            "p (adjusted)",
            "Beyond noise",
        ],
    )


def coverage_text(f: Findings) -> str:
    """Supply against demand by hour of week, and the slots where demand met no supply."""
    c = f.root_causes.coverage
    if not f.total:
        return "No requests, so no demand to compare with supply."
    busy = c[c["requests"] > 0]
    unserved = unserved_slots(c)
    text = (
        f"Requests fell in {plural(len(busy), 'weekday-hour slot')} of 168 "
        f"({f.period.timezone} time). In each, the mechanics counted are those who accepted "
        "any request in that hour of the week over the period."
    )
    if unserved.empty:
        return (
            text
            + " Every slot with requests had at least one mechanic accepting."
            + (_worst_slots(c))
        )
    n = int(unserved["requests"].sum())
    never = int(unserved["never_assigned"].sum())
    named = [
        f"{drv.WEEKDAYS[int(r.weekday)]} {int(r.hour):02d}:00 ({plural(r.requests, 'request')})"
        for r in unserved.head(MAX_SLOTS).itertuples()
    ]
    more = len(unserved) - MAX_SLOTS
    return (
        text + f"\n\n**Demand met no supply in {plural(len(unserved), 'slot')}**: no mechanic "
        f"accepted anything there, and {plural(n, 'request')} ({fmt_pct(n / f.total, 0)} of "
        f"all) were made in them, {fmt_pct(never / n, 0)} of which went unassigned. The busiest: "
        + first_few(named, more)
        + "."
    )


def _worst_slots(coverage: pd.DataFrame) -> str:
    """The slots (with enough requests to judge) where requests went unassigned most often."""
    judged = coverage[coverage["requests"] >= drv.FEW_TO_JUDGE]
    if judged.empty:
        return ""
    worst = judged.sort_values(
        ["never_assigned_rate", "requests"], ascending=[False, False], kind="stable"
    ).head(3)
    named = [
        f"{drv.WEEKDAYS[int(r.weekday)]} {int(r.hour):02d}:00 "
        f"({fmt_pct(r.never_assigned_rate, 0)} of {fmt_count(r.requests)}, "
        f"{plural(r.mechanics, 'mechanic')})"
        for r in worst.itertuples()
    ]
    return " Requests went unassigned most often in " + join_words(named) + "."


def acceptance_text(f: Findings) -> str:
    """The acceptance curve in words: overall, and per session type at one threshold."""
    a = f.root_causes.acceptance
    minutes = list(f.root_causes.acceptance_minutes)
    if a.empty or not f.total:
        return "No requests, so no acceptance curve."
    overall = a[a["session_type"] == ALL].iloc[0]
    picks = [m for m in (1, 5, 15, 120) if m in minutes] or minutes
    shares = [f"{fmt_pct(overall[f'within_{m}'], 0)} within {_minutes(m)}" for m in picks]
    text = (
        f"Of all {plural(f.total, 'request')} (never-accepted ones included), "
        + join_words(shares)
        + "."
    )
    mid = 10 if 10 in minutes else minutes[len(minutes) // 2]
    types = a[a["session_type"] != ALL]
    if len(types) > 1:
        parts = [
            f"{t.session_type} {fmt_pct(getattr(t, f'within_{mid}'), 0)} "
            f"({plural(t.requests, 'request')})"
            for t in types.itertuples()
        ]
        text += f" Within {_minutes(mid)}, by session type: " + join_words(parts) + "."
    return text


def _minutes(m: int) -> str:
    if m % 60 == 0 and m >= 60:
        return plural(m // 60, "hour")
    return plural(m, "minute")


def retries_text(f: Findings) -> str:
    """How many requests are retries, and failure per customer need next to per request."""
    r = f.root_causes.retries
    window = f.root_causes.retry_window_minutes
    if not r["requests"]:
        return "No requests, so no retries."
    text = (
        f"**{plural(r['retries'], 'request')}** of {fmt_count(r['requests'])} "
        f"({fmt_pct(r['retries'] / r['requests'], 0)}) were retries: the same customer asking "
        f"again within {window} minutes of a request of theirs that failed (never assigned or "
        f"cancelled). {fmt_pct(r['requests_failed'] / r['requests'], 0)} of requests failed "
        f"({fmt_count(r['requests_failed'])} of {fmt_count(r['requests'])})"
    )
    if r["needs"]:
        text += (
            f"; counting a request and its retries as one customer need, "
            f"{fmt_pct(r['needs_failed'] / r['needs'], 0)} of needs ended without a session "
            f"({fmt_count(r['needs_failed'])} of {fmt_count(r['needs'])}; needs are counted in "
            "the period of their last attempt)."
        )
    else:
        text += "."
    return text


def cause_recommendation_text(r: Recommendation) -> str | None:
    """A root-cause action in words (``judgement.cause_recommendations``); None for others."""
    x = r.figures
    if "outcome" not in x:
        return None
    verb, noun, _ = OUTCOME_WORDS[x["outcome"]]
    evidence = (
        f"they {verb} {fmt_pct(x['rate'], 0)} of the time against {fmt_pct(x['rest_rate'], 0)}, "
        f"about {fmt_count(x['excess'])} {noun} ({fmt_share(x['share_of_failures'])} of them)"
    )
    if r.code == "cover_hours":
        span = f"{x['first_hour']:02d}:00–{x['last_hour']:02d}:59"
        return f"Get mechanics online between {span} (local time): {evidence}."
    if r.code == "cover_weekday":
        return f"Get more mechanics online on {WEEKDAY_NAMES[x['weekday']]}s: {evidence}."
    if r.code == "recruit_in_cities":
        cities = [f"{c['city']} ({fmt_count(c['requests'])} requests)" for c in x["cities"]]
        if (more := x["cities_count"] - len(cities)) > 0:
            cities.append(f"{fmt_count(more)} other {'city' if more == 1 else 'cities'}")
        return (
            f"Recruit mechanics in {join_words(cities)}, where customers ask and no mechanic "
            f"on record works: {evidence}."
        )
    if r.code == "address_driver":
        who = subject(x["dimension"], x["level"], 0)
        return f"Find out why {who[0].lower() + who[1:]} fail: {evidence}."
    return None
