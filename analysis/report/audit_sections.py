"""The profile audit's text and display tables; every figure comes from ``ProfileAudit``."""

from __future__ import annotations

import pandas as pd

from analysis.investigation.audit import ProfileAudit
from analysis.report.text import DATE_FORMAT, join_words, plural, short_id, short_ids, words


def _fields(fields: tuple[str, ...] | list[str]) -> str:
    return join_words([words(f) for f in fields]) or "nothing"


def title(a: ProfileAudit) -> str:
    p = a.period
    return (
        "# Profile completeness audit\n"
        f"**Period:** {p.start:{DATE_FORMAT}} – {p.end:{DATE_FORMAT}} ({p.timezone})  \n"
        f"**Source:** {a.database}  \n"
        f"**Generated:** {a.generated_at:%d %b %Y %H:%M} UTC"
    )


def mechanics_summary(a: ProfileAudit) -> str:
    m = a.mechanics
    if m.empty:
        return "No mechanics on record."
    bad = m[~m["profile_complete"]]
    working_bad = bad[bad["requests"] > 0]
    text = (
        f"A mechanic's profile counts as complete when it has {_fields(a.mechanic_fields)}. "
        f"**{len(bad)} of {plural(len(m), 'mechanic')} on record lack at least one of them**"
    )
    if len(working_bad):
        text += (
            f"; {len(working_bad)} of them still took requests in the period "
            f"({join_words([f'`{i}`' for i in short_ids(working_bad['mechanic_id'])])})"
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


def mechanics_table(a: ProfileAudit) -> pd.DataFrame:
    m = a.mechanics.sort_values(["profile_complete", "mechanic_type", "mechanic_id"])
    return pd.DataFrame(
        {
            "Mechanic": short_ids(m["mechanic_id"]),
            "Name": m["name"].fillna("—"),
            "Type": m["mechanic_type"],
            "Missing": [", ".join(f.replace("_", " ") for f in x) or "—" for x in m["missing"]],
            "Requests in period": m["requests"],
        }
    )


def customers_summary(a: ProfileAudit) -> str:
    c = a.customers
    orphans = a.customers_without_profile
    if c.empty and orphans.empty:
        return "No customer made a request in this period."
    bad = c[~c["profile_complete"]] if len(c) else c
    text = (
        f"A customer's profile counts as complete when it has {_fields(a.customer_fields)}. "
        f"Of the {plural(len(c), 'customer profile')} behind this period's requests, "
        f"**{len(bad)} {'is' if len(bad) == 1 else 'are'} incomplete**"
    )
    deleted = int(c["deleted"].sum()) if len(c) else 0
    if deleted:
        text += f"; {deleted} {'has' if deleted == 1 else 'have'} been deleted"
    text += "."
    if len(orphans):
        text += (
            f" {plural(len(orphans), 'customer')} made requests without any profile: "
            f"{join_words([f'`{i}`' for i in short_ids(orphans['customer_id'])])}."
        )
    return text


def customers_table(a: ProfileAudit) -> pd.DataFrame:
    c = a.customers
    return pd.DataFrame(
        {
            "Customer": short_ids(c.get("customer_id", [])),
            "E-mail": c.get("email", pd.Series(dtype=object)).fillna("—"),
            "Missing": [", ".join(x) or "—" for x in c.get("missing", [])],
            "Deleted": ["yes" if d else "no" for d in c.get("deleted", [])],
            "Requests in period": c.get("requests", pd.Series(dtype=int)),
        }
    )


def _key(key: str, email: object) -> str:
    return str(email) if isinstance(email, str) else f"its customer id `{short_id(key)}`"


def grouping_text(a: ProfileAudit) -> str:
    """Which key groups customers here (customer id) and in the session investigation (the
    request's e-mail, else the customer id), and where in this period the two part."""
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
    lines = [text + " In this period they differ:\n"]
    for customer_id, rows in d.groupby("customer_id", sort=False):
        keys = join_words(
            [f"{_key(r.key, r.customer_email)} ({r.requests})" for r in rows.itertuples()]
        )
        total = int(rows["id_requests"].iloc[0])
        if len(rows) > 1:
            lines.append(
                f"- `{short_id(str(customer_id))}` made {plural(total, 'request')} here; the "
                f"investigation counts them as {keys}."
            )
    for key, rows in d.groupby("key", sort=False):
        if rows["customer_id"].nunique() > 1:
            ids = join_words(
                [
                    f"`{i}` ({r.requests})"
                    for i, r in zip(short_ids(rows["customer_id"]), rows.itertuples(), strict=True)
                ]
            )
            first = rows.iloc[0]
            lines.append(
                f"- {_key(str(key), first['customer_email'])} is on the requests of "
                f"{rows['customer_id'].nunique()} customer ids ({ids}), which the "
                f"investigation counts together: {int(first['key_requests'])}."
            )
    return "\n".join(lines)
