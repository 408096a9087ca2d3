"""The profile audit's text and display tables; every figure comes from ``ProfileAudit``.

Lists that grow with the data are bounded: each table shows the first ``top_n`` rows in the
audit's order (``ProfileAudit.top``: incomplete profiles first, the most requests in the period
first) and one "All other N …" row for the rest, so its rows add up to the totals; the
sentences give the totals by missing field and link the CSV file listing everything (a
relative link, when the runner writes one: ``analysis.runs.layout.AUDIT_LIST_FILES``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.domain import TOP_N
from analysis.investigation.audit import (
    ProfileAudit,
    key_difference_totals,
    missing_counts,
    shared_keys,
    split_customer_ids,
)
from analysis.report.text import (
    DATE_FORMAT,
    MAX_IDS_SHOWN,
    all_others,
    first_few,
    join_words,
    plural,
    short_ids,
    some_ids,
    words,
)


def _fields(fields: tuple[str, ...] | list[str]) -> str:
    return join_words([words(f) for f in fields]) or "nothing"


def _link(full_list: str | None, what: str) -> str:
    """`` [name.csv](name.csv) lists <what>.`` when there is a file, else nothing."""
    return f" [{full_list}]({full_list}) lists {what}." if full_list else ""


def _by_field(counts: dict[str, int]) -> str:
    """``city: 12 and postal code: 3``: the fields some profile lacks, most often first."""
    lacking = sorted(((n, f) for f, n in counts.items() if n), key=lambda x: -x[0])
    return join_words([f"{words(f)}: {n:,}" for n, f in lacking])


def _listing(shown: int, rest: int, noun: str) -> str:
    """Which rows the table shows: all of them, or the first ``shown`` and one for the rest."""
    if not rest:
        return ""
    return f" The table shows the first {shown:,} and one row for the other {plural(rest, noun)}."


def title(a: ProfileAudit) -> str:
    p = a.period
    return (
        "# Profile completeness audit\n"
        f"**Period:** {p.start:{DATE_FORMAT}} – {p.end:{DATE_FORMAT}} ({p.timezone})  \n"
        f"**Source:** {a.database}  \n"
        f"**Generated:** {a.generated_at:%d %b %Y %H:%M} UTC"
    )


def mechanics_summary(a: ProfileAudit) -> str:
    """How many mechanics on record lack a field, by field, and how many of them (the first
    few ids) still took requests."""
    m = a.mechanics
    if m.empty:
        return "No mechanics on record."
    bad = a.incomplete_mechanics
    working_bad = bad[bad["requests"] > 0]
    text = (
        f"A mechanic's profile counts as complete when it has {_fields(a.mechanic_fields)}. "
        f"**{len(bad):,} of {plural(len(m), 'mechanic')} on record lack at least one of them**"
    )
    if len(bad):
        text += f" ({_by_field(missing_counts(m, a.mechanic_fields))})"
    if len(working_bad):
        text += (
            f"; {len(working_bad):,} of them still took requests in the period "
            f"({some_ids(sorted(working_bad['mechanic_id']))})"
        )
    return text + "."


def by_type_table(a: ProfileAudit) -> pd.DataFrame:
    t = a.by_type
    return pd.DataFrame(
        {
            "Mechanic type": t["mechanic_type"],
            "Mechanics": t["mechanics"],
            "Complete": t["complete"],
            "Incomplete": t["incomplete"],
            "Took requests": t["took_requests"],
            "Incomplete and took requests": t["incomplete_took_requests"],
        }
    )


def gaps_table(a: ProfileAudit) -> pd.DataFrame:
    t = a.mechanic_gaps
    return t.assign(field=t["field"].str.replace("_", " ")).rename(columns={"field": "Missing"})


def _order(incomplete: int, who: str) -> str:
    """The table's order in words (``ProfileAudit.top``'s)."""
    busiest = f"the {who} in the period first."
    return f"Incomplete profiles first, {busiest}" if incomplete else busiest.capitalize()


def mechanics_list_text(a: ProfileAudit, top_n: int = TOP_N, full_list: str | None = None) -> str:
    """The order of the table of mechanics, which rows it shows, and ``full_list`` (a relative
    link to the CSV of every mechanic lacking a field) when there is one."""
    bad = len(a.incomplete_mechanics)
    listed = f"all {plural(bad, 'mechanic')} with an incomplete profile"
    return _list_text(
        a, "mechanics", "mechanics who took the most requests", bad, listed, top_n, full_list
    )


def _list_text(
    a: ProfileAudit,
    kind: str,
    who: str,
    bad: int,
    listed: str,
    top_n: int,
    full_list: str | None,
) -> str:
    """A table's order, which of ``kind`` (``mechanics``, ``customers``) it shows, and a link
    to ``full_list`` naming what it lists (``listed``) when ``bad`` profiles are incomplete."""
    if getattr(a, kind).empty:
        return ""
    _, rest = a.top(kind, top_n)
    link = _link(full_list, listed) if bad else ""
    return _order(bad, who) + _listing(top_n, rest["count"], kind[:-1]) + link


def _others(
    table: pd.DataFrame, rest: dict[str, int], key: str, noun: str, missing: str = "Missing"
) -> pd.DataFrame:
    """``table`` plus one row for the ``rest`` (``ProfileAudit.top``) when there is any: its
    ``key`` column reads "All other N <noun>s", ``missing`` how many of them are incomplete
    and complete, the requests are summed (and the deleted counted), other columns blank."""
    if not rest["count"]:
        return table
    row: dict[str, Any] = dict.fromkeys(table.columns, "")
    row[key] = all_others(rest["count"], noun)
    complete = rest["count"] - rest["incomplete"]
    row[missing] = join_words(
        [
            f"{n:,} {what}"
            for n, what in ((rest["incomplete"], "incomplete"), (complete, "complete"))
            if n
        ]
    )
    if "Deleted" in row:
        row["Deleted"] = f"{rest['deleted']:,} yes"
    row["Requests in period"] = rest["requests"]
    return pd.concat([table, pd.DataFrame([row])], ignore_index=True)


def mechanics_table(a: ProfileAudit, top_n: int = TOP_N) -> pd.DataFrame:
    """The first ``top_n`` mechanics on record (``ProfileAudit.top``), then one row for all
    the others."""
    m, rest = a.top("mechanics", top_n)
    out = pd.DataFrame(
        {
            "Mechanic": short_ids(m["mechanic_id"]),
            "Name": m["name"].fillna("—"),
            "Type": m["mechanic_type"],
            "Missing": [", ".join(words(f) for f in x) or "—" for x in m["missing"]],
            "Requests in period": m["requests"],
        }
    )
    return _others(out, rest, "Mechanic", "mechanic")


def customers_summary(a: ProfileAudit, full_list: str | None = None) -> str:
    """How many of the period's customer profiles are incomplete, by field; how many are
    deleted; how many customers made requests without a profile (the first few ids, and
    ``full_list``: a relative link to the CSV of all of them, when there is one)."""
    c = a.customers
    orphans = a.orphans
    if c.empty and orphans.empty:
        return "No customer made a request in this period."
    bad = a.incomplete_customers
    text = (
        f"A customer's profile counts as complete when it has {_fields(a.customer_fields)}. "
        f"Of the {plural(len(c), 'customer profile')} behind this period's requests, "
        f"**{len(bad):,} {'is' if len(bad) == 1 else 'are'} incomplete**"
    )
    if len(bad):
        text += f" ({_by_field(missing_counts(c, a.customer_fields))})"
    deleted = int(c["deleted"].sum()) if len(c) else 0
    if deleted:
        text += f"; {deleted:,} {'has' if deleted == 1 else 'have'} been deleted"
    text += "."
    if len(orphans):
        requests = int(orphans["requests"].sum())
        text += (
            f" {plural(len(orphans), 'customer')} made {plural(requests, 'request')} without "
            f"any profile: {some_ids(list(orphans['customer_id']))}."
        )
        text += _link(full_list, "all of them")
    return text


def customers_list_text(a: ProfileAudit, top_n: int = TOP_N, full_list: str | None = None) -> str:
    """The order of the table of customers, which rows it shows, and ``full_list`` (a relative
    link to the CSV of every incomplete profile) when there is one."""
    bad = len(a.incomplete_customers)
    listed = f"all {plural(bad, 'incomplete profile')}"
    return _list_text(
        a, "customers", "customers who made the most requests", bad, listed, top_n, full_list
    )


def customers_table(a: ProfileAudit, top_n: int = TOP_N) -> pd.DataFrame:
    """The first ``top_n`` of the period's customer profiles (``ProfileAudit.top``), then one
    row for all the others."""
    c, rest = a.top("customers", top_n)
    out = pd.DataFrame(
        {
            "Customer": short_ids(c.get("customer_id", [])),
            "E-mail": c.get("email", pd.Series(dtype=object)).fillna("—"),
            "Missing": [", ".join(words(f) for f in x) or "—" for x in c.get("missing", [])],
            "Deleted": ["yes" if d else "no" for d in c.get("deleted", [])],
            "Requests in period": c.get("requests", pd.Series(dtype=int)),
        }
    )
    return _others(out, rest, "Customer", "customer")


def _key(key: str, email: object, names: dict[str, str]) -> str:
    """The investigation's key in words: the e-mail, else the customer id it stands for."""
    return str(email) if isinstance(email, str) else f"its customer id `{names.get(key, key)}`"


def grouping_text(a: ProfileAudit, top_n: int = TOP_N, full_list: str | None = None) -> str:
    """Which key groups customers here (customer id) and in the session investigation (the
    request's e-mail, else the customer id), and where in this period the two part: how many
    customer ids are split and keys shared (``key_difference_totals``), then a line for each
    of the first ``top_n`` of each (most requests first), then ``full_list`` (a relative link
    to the CSV of every difference) when there is one."""
    text = (
        "Customers are counted here by **customer id** (the account that made the request); "
        "the session investigation counts them by the **e-mail on each request** (the "
        "customer id when a request has none)."
    )
    d = a.key_differences
    if a.request_emails.empty:
        return text
    if d.empty:
        return text + " In this period both give the same counts."
    totals = key_difference_totals(d)
    ids, keys = split_customer_ids(d), shared_keys(d)
    split, shared = totals["customer_ids_split"], totals["keys_shared"]
    parts = []
    if split["count"]:
        parts.append(
            f"{plural(split['count'], 'customer id')} ({plural(split['requests'], 'request')}) "
            f"{'is' if split['count'] == 1 else 'are'} counted under more than one key"
        )
    if shared["count"]:
        parts.append(
            f"{plural(shared['count'], 'key')} ({plural(shared['requests'], 'request')}) "
            f"{'is' if shared['count'] == 1 else 'are'} on the requests of more than one "
            "customer id"
        )
    ids_shown, keys_shown = ids.head(top_n), keys.head(top_n)
    named = [*ids_shown["customer_id"], *d.loc[d["key"].isin(keys_shown["key"]), "customer_id"]]
    names = dict(zip(named, short_ids(named), strict=True))  # told apart from each other
    lines = [text + " In this period they differ:\n"]
    many = len(ids) > top_n or len(keys) > top_n
    if many or (split["count"] and shared["count"]):
        lines[0] = text + f" In this period they differ: {join_words(parts)}.\n"
    for r in ids_shown.itertuples():
        rows = d[d["customer_id"] == r.customer_id]
        its = [
            f"{_key(k.key, k.customer_email, names)} ({k.requests:,})" for k in rows.itertuples()
        ]
        keys_text = first_few(its[:MAX_IDS_SHOWN], len(its) - MAX_IDS_SHOWN, "other keys")
        lines.append(
            f"- `{names[r.customer_id]}` made {plural(int(r.requests), 'request')} here; "
            f"the investigation counts them as {keys_text}."
        )
    if len(ids) > top_n:
        rest = ids.iloc[top_n:]
        lines.append(
            f"- {all_others(len(rest), 'customer id')} counted under more than one key: "
            f"{plural(int(rest['requests'].sum()), 'request')}."
        )
    for r in keys_shown.itertuples():
        rows = d[d["key"] == r.key]
        ids_on = [f"`{names[k.customer_id]}` ({k.requests:,})" for k in rows.itertuples()]
        on = first_few(ids_on[:MAX_IDS_SHOWN], len(ids_on) - MAX_IDS_SHOWN)
        lines.append(
            f"- {_key(str(r.key), r.customer_email, names)} is on the requests of "
            f"{r.customer_ids:,} customer ids ({on}), which the investigation counts "
            f"together: {int(r.requests):,}."
        )
    if len(keys) > top_n:
        rest = keys.iloc[top_n:]
        lines.append(
            f"- {all_others(len(rest), 'key')} on more than one customer id: "
            f"{plural(int(rest['requests'].sum()), 'request')}."
        )
    link = _link(full_list, "every customer id and key where they part")
    if link:
        lines.append("\n" + link.strip())
    return "\n".join(lines)
