"""Judgements drawn from the figures, as data: the test-data verdict with the evidence it
weighed, testing readiness, and the recommended actions (codes, numbers and the ids they
concern). The report turns them into sentences (``analysis.report.sections``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.domain import KNOWN_SESSION_TYPES, MECHANIC_TYPES, Thresholds
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.causes import RootCauses
from analysis.investigation.drivers import CITY, HOUR, MECHANIC_IN_CITY, OUTCOMES, WEEKDAY

# The original script's rule: "test/development data" when cancel rate > 70 % and completion < 20 %.
SCRIPT_CANCEL_RATE = 0.70
SCRIPT_COMPLETION_RATE = 0.20
TEST_SHARE_DECISIVE = 0.5  # half the requests from test accounts settles it
TOP_CUSTOMER_SHARE = 0.5
FEW_CUSTOMERS = 5
MAX_NAMED_ACCOUNTS = 5  # the evidence names at most this many test accounts
SCARCE_TYPE_SHARE = 0.15

# Verdict signals, in the order they are weighed and shown.
TEST_ACCOUNTS = "test_accounts"
SCRIPT_RATES = "cancel_and_completion_rates"
TOP_CUSTOMER = "top_customer_concentration"
FEW = "few_customers"


@dataclass(frozen=True)
class Headline:
    """The figures the verdict and recommendations reason from."""

    total: int
    cancelled: int
    completed: int
    pending: int
    never_assigned: int
    customers: pd.DataFrame  # metrics.customer_table
    mechanics_involved: int

    @property
    def test_customers(self) -> int:
        """Customers recognised as test accounts (``TestAccountRules``)."""
        return int(self.customers["test_account"].sum()) if len(self.customers) else 0

    @property
    def cancel_rate(self) -> float:
        return self.cancelled / self.total if self.total else 0.0

    @property
    def completion_rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


@dataclass(frozen=True)
class Signal:
    """One piece of evidence the verdict weighs: its name, whether it points to test data,
    and the figures it rests on."""

    name: str
    holds: bool
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.name, "holds": self.holds, **self.figures}


@dataclass(frozen=True)
class Verdict:
    """Test data or not (None for an empty period), the signals weighed, and the rules that
    recognised test accounts."""

    test_data: bool | None
    evidence: tuple[Signal, ...]
    rules: TestAccountRules

    @property
    def reasons(self) -> list[Signal]:
        """The signals that agree with the verdict."""
        return [s for s in self.evidence if s.holds == self.test_data]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_data": self.test_data,
            "reasons": [s.name for s in self.reasons],
            "evidence": [s.to_dict() for s in self.evidence],
            "rules": self.rules.to_dict(),
        }


def recognised_test_accounts(customers: pd.DataFrame, rules: TestAccountRules) -> pd.DataFrame:
    """The period's test accounts, busiest first: customer, requests, rule, match (why:
    ``accounts.Reason``). ``customers``: metrics.customer_table."""
    columns = ["customer", "requests", "rule", "match"]
    if customers.empty:
        return pd.DataFrame(columns=columns)
    test = customers.loc[customers["test_account"], ["customer", "requests"]]
    reasons = [rules.reason(c) for c in test["customer"]]
    return test.assign(
        rule=[r.rule if r else None for r in reasons],
        match=[r.match if r else None for r in reasons],
    ).reset_index(drop=True)[columns]


def evidence(h: Headline) -> tuple[Signal, ...]:
    """The signals weighed by the verdict, with their figures."""
    if h.total == 0:
        return ()
    customers = h.customers
    test_requests = int(customers.loc[customers["test_account"], "requests"].sum())
    test_share = test_requests / h.total
    top = customers.iloc[0]
    n_customers = len(customers)
    script_rule = h.cancel_rate > SCRIPT_CANCEL_RATE and h.completion_rate < SCRIPT_COMPLETION_RATE
    return (
        Signal(
            TEST_ACCOUNTS,
            test_share >= TEST_SHARE_DECISIVE,
            {
                "share": test_share,
                "requests": test_requests,
                "test_accounts": h.test_customers,
                "customers": n_customers,
                "decisive_share": TEST_SHARE_DECISIVE,
            },
        ),
        Signal(
            SCRIPT_RATES,
            script_rule,
            {
                "cancel_rate": h.cancel_rate,
                "completion_rate": h.completion_rate,
                "cancel_above": SCRIPT_CANCEL_RATE,
                "completion_below": SCRIPT_COMPLETION_RATE,
            },
        ),
        Signal(
            TOP_CUSTOMER,
            float(top["share"]) >= TOP_CUSTOMER_SHARE,
            {
                "share": float(top["share"]),
                "requests": int(top["requests"]),
                "of": h.total,
                "busiest_day": top["busiest_day"],
                "busiest_day_requests": int(top["busiest_day_requests"]),
            },
        ),
        Signal(
            FEW,
            n_customers <= FEW_CUSTOMERS,
            {"customers": n_customers, "mechanics": h.mechanics_involved},
        ),
    )


def verdict(h: Headline, rules: TestAccountRules | None = None) -> Verdict:
    """Test data when test accounts make half the requests, or when the script's rate rule
    holds together with concentration (one customer, or few customers). Concentration alone
    is not enough: one genuine request is one customer making every request."""
    rules = rules or TestAccountRules()
    weighed = evidence(h)
    if not weighed:
        return Verdict(None, (), rules)
    holds = {s.name: s.holds for s in weighed}
    concentrated = holds[TOP_CUSTOMER] or holds[FEW]
    test_data = bool(holds[TEST_ACCOUNTS] or (holds[SCRIPT_RATES] and concentrated))
    return Verdict(test_data, weighed, rules)


EXCEEDS, SUFFICIENT, SHORT = "exceeds", "sufficient", "short"


def readiness_status(current: int, needed: int) -> str:
    """``exceeds`` (twice what is needed), ``sufficient`` or ``short``."""
    if current >= 2 * needed:
        return EXCEEDS
    if current >= needed:
        return SUFFICIENT
    return SHORT


def readiness(h: Headline, t: Thresholds) -> pd.DataFrame:
    """Columns: metric, current, needed, status (``readiness_status``), short_by."""
    rows = [
        ("Session requests", h.total, t.min_requests),
        ("Completed sessions", h.completed, t.min_completed),
        ("Cancelled sessions", h.cancelled, t.min_cancelled),
        ("Pending sessions", h.pending, t.min_pending),
        ("Working mechanics", h.mechanics_involved, t.min_working_mechanics),
        ("Test customers", h.test_customers, t.min_test_customers),
    ]
    return pd.DataFrame(
        [(m, c, n, readiness_status(c, n), max(0, n - c)) for m, c, n in rows],
        columns=["metric", "current", "needed", "status", "short_by"],
    )


def scarce_types(types: pd.DataFrame) -> pd.DataFrame:
    """Known session types under ``SCARCE_TYPE_SHARE`` of requests, absent ones included.

    ``types``: session_type, requests, share. Returns the same columns.
    """
    total = int(types["requests"].sum())
    counts = dict(zip(types["session_type"], types["requests"], strict=True))
    rows = [(t, int(counts.get(t, 0))) for t in KNOWN_SESSION_TYPES]
    table = pd.DataFrame(rows, columns=["session_type", "requests"])
    table["share"] = table["requests"] / total if total else 0.0
    return table[table["share"] < SCARCE_TYPE_SHARE].reset_index(drop=True)


# Recommendation figures listing mechanics one by one: as many as the data holds.
LISTED = frozenset({"mechanics", "idle_complete"})


@dataclass(frozen=True)
class Recommendation:
    """An action the figures call for: a ``code`` and the figures and ids it rests on."""

    code: str
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, top_n: int | None = None) -> dict[str, Any]:
        """``action`` (the code) and the figures; an id list that grows with the data
        (``LISTED``) keeps its first ``top_n`` entries (all when None) beside
        ``<name>_count``, its length."""
        figures: dict[str, Any] = {}
        for name, value in self.figures.items():
            if name in LISTED:
                figures[name] = list(value)[:top_n]
                figures[f"{name}_count"] = len(value)
            else:
                figures[name] = value
        return {"action": self.code, **figures}


def recommendations(
    h: Headline,
    t: Thresholds,
    verdict_: Verdict,
    mechanics: pd.DataFrame,
    roster: pd.DataFrame,
    types: pd.DataFrame,
) -> list[Recommendation]:
    """Actions the figures call for, most pressing first.

    ``mechanics``: metrics.mechanic_table; ``roster``: metrics.mechanic_profiles;
    ``types``: metrics.type_breakdown.
    """
    if h.total == 0:
        return [Recommendation("check_period")]
    actions: list[Recommendation] = []
    incomplete = roster[~roster["profile_complete"]]
    if len(incomplete):
        actions.append(
            Recommendation(
                "complete_mechanic_profiles",
                {
                    "mechanics": [
                        {"mechanic_id": r.mechanic_id, "missing": list(r.missing)}
                        for r in incomplete.itertuples()
                    ]
                },
            )
        )
    actions += _mechanic_actions(h, t, mechanics, roster)
    # Test customers to create only matter while the platform is being tested.
    if verdict_.test_data and h.test_customers < t.min_test_customers:
        actions.append(
            Recommendation(
                "more_test_customers",
                {"current": h.test_customers, "needed": t.min_test_customers},
            )
        )
    if h.completed < t.min_completed:
        actions.append(
            Recommendation("more_completed", {"current": h.completed, "needed": t.min_completed})
        )
    scarce = scarce_types(types)
    if len(scarce):
        top = types.iloc[0]
        actions.append(
            Recommendation(
                "more_scarce_types",
                {
                    "scarce": scarce.to_dict(orient="records"),
                    "top_type": str(top["session_type"]),
                    "top_share": float(top["share"]),
                },
            )
        )
    if verdict_.test_data:
        actions.append(Recommendation("keep_test_cancellations", {"cancel_rate": h.cancel_rate}))
    else:
        actions.append(
            Recommendation(
                "investigate_cancellations",
                {"cancel_rate": h.cancel_rate, "never_assigned_share": h.never_assigned / h.total},
            )
        )
    return actions


def _mechanic_actions(
    h: Headline, t: Thresholds, mechanics: pd.DataFrame, roster: pd.DataFrame
) -> list[Recommendation]:
    actions: list[Recommendation] = []
    if h.mechanics_involved < t.min_working_mechanics:
        idle = roster[
            roster["profile_complete"]
            & ~roster["mechanic_id"].isin(mechanics.get("mechanic_id", []))
        ]
        actions.append(
            Recommendation(
                "more_working_mechanics",
                {
                    "current": h.mechanics_involved,
                    "needed": t.min_working_mechanics,
                    "idle_complete": list(idle["mechanic_id"]),
                },
            )
        )
    served = set(mechanics["mechanic_type"].dropna()) if "mechanic_type" in mechanics else set()
    absent = [m for m in MECHANIC_TYPES if m not in served]
    if absent and h.mechanics_involved:
        actions.append(
            Recommendation("more_mechanic_types", {"absent": absent, "served": sorted(served)})
        )
    return actions


# At most this many actions follow from the root causes of each outcome.
CAUSE_ACTIONS_PER_OUTCOME = 2
# Uncovered cities named in a recruiting action, busiest first.
MAX_CITIES_NAMED = 5


def cause_recommendations(root: RootCauses, verdict_: Verdict) -> list[Recommendation]:
    """For real traffic, one action per top cause of each outcome (never assigned first),
    largest excess first; none for test traffic or when no cause stands out.

    Codes: ``cover_hours`` (an hour or a range of hours: first_hour, last_hour),
    ``cover_weekday`` (weekday), ``recruit_in_cities`` (cities with demand and no mechanic
    on record: cities, each with requests and never_assigned), ``address_driver`` (any other
    level: dimension, level); each with the outcome and the cause's requests, rate,
    rest_rate, excess and share_of_failures.
    """
    if verdict_.test_data is not False:
        return []
    actions: list[Recommendation] = []
    recruiting = False
    for outcome in OUTCOMES:
        top = root.causes[root.causes["outcome"] == outcome].head(CAUSE_ACTIONS_PER_OUTCOME)
        for cause in top.to_dict(orient="records"):
            figures = {
                k: cause[k]
                for k in ("outcome", "requests", "rate", "rest_rate", "excess", "share_of_failures")
            }
            if cause["dimension"] == HOUR:
                hours = cause["first_hour"], cause["last_hour"]
                if pd.isna(hours[0]):
                    hours = (int(cause["level"][:2]),) * 2
                code, extra = "cover_hours", {"first_hour": hours[0], "last_hour": hours[1]}
            elif cause["dimension"] == WEEKDAY:
                code, extra = "cover_weekday", {"weekday": cause["level"]}
            elif _uncovered_city(cause, root.cities):
                if recruiting:
                    continue  # one recruiting action names every uncovered city
                recruiting = True
                code, extra = "recruit_in_cities", _uncovered(root.cities)
            else:
                code = "address_driver"
                extra = {"dimension": cause["dimension"], "level": cause["level"]}
            actions.append(Recommendation(code, {**extra, **figures}))
    return actions


def _uncovered_city(cause: dict[str, Any], cities: pd.DataFrame) -> bool:
    """Whether a cause is "no mechanic works in the city", or a city where none does."""
    if cause["dimension"] == MECHANIC_IN_CITY:
        return cause["level"] == "no"
    if cause["dimension"] != CITY:
        return False
    works = cities.loc[cities["city"] == cause["level"], "mechanic"]
    return bool(len(works)) and works.iloc[0] is not None and not bool(works.iloc[0])


def _uncovered(cities: pd.DataFrame) -> dict[str, Any]:
    """The cities with requests and no mechanic on record: ``cities`` (the busiest
    ``MAX_CITIES_NAMED``: city, requests, never_assigned) and ``cities_count`` (all of them)."""
    uncovered = cities[cities["mechanic"].eq(False)]
    named = [
        {"city": r.city, "requests": int(r.requests), "never_assigned": int(r.never_assigned)}
        for r in uncovered.head(MAX_CITIES_NAMED).itertuples(index=False)
    ]
    return {"cities": named, "cities_count": len(uncovered)}
