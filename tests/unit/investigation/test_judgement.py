"""The test-data verdict: configurable rules, and no "test data" for production-like traffic."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest
from rows import ROSTER_COLUMNS, at, fill
from rows import cancelled_request as request

from analysis import investigate
from analysis.domain import MECHANIC_PROFILE_FIELDS, MECHANIC_TYPES, Thresholds
from analysis.investigation import drivers as drv
from analysis.investigation import metrics
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.causes import RootCauses
from analysis.investigation.judgement import (
    Headline,
    Recommendation,
    Verdict,
    cause_recommendations,
    readiness,
    readiness_status,
    recognised_test_accounts,
    recommendations,
    scarce_types,
    verdict,
)
from analysis.report import sections
from analysis.report.sections import recommendation_text
from analysis.report.verdict import signal_text

PERIOD = ("2025-11-01", "2025-11-30")


def production_like() -> dict:
    """300 customers, 3 of them test addresses, about 12 % cancelled and 80 % completed."""
    rnd = random.Random(6)
    mechanics = [{"id": f"m{i}", "name": f"Mechanic {i}", "city": "Ottawa"} for i in range(20)]
    customers = [f"c{i}" for i in range(300)]
    emails = {c: f"driver{i}@mail.ca" for i, c in enumerate(customers)}
    emails.update({"c0": "qa@test.com", "c1": "dev@example.com", "c2": "ops@app.invalid"})
    rows = []
    start = at("2025-11-01 12:00")
    for n in range(900):
        cust = customers[n % 300]
        created = start + timedelta(minutes=47 * n)
        roll = rnd.random()
        status = "completed" if roll < 0.8 else ("cancelled" if roll < 0.92 else "expired")
        assigned = status == "completed" or rnd.random() < 0.3
        rows.append(
            request(
                f"r{n}",
                created_at=created,
                customer_id=cust,
                customer_email=emails[cust],
                status=status,
                mechanic_id=rnd.choice(mechanics)["id"] if assigned else None,
                accepted_at=created + timedelta(minutes=3) if assigned else None,
            )
        )
    profiles = [{"id": c, "email": emails[c]} for c in customers]
    return {"mechanics": mechanics, "profiles": profiles, "session_requests": rows}


@pytest.fixture(scope="module")
def production_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fill(tmp_path_factory.mktemp("prod") / "prod.db", production_like())


def test_production_like_data_is_not_called_test_data(production_db: str) -> None:
    f = investigate(*PERIOD, db=production_db)
    assert f.total == 900 and len(f.customers) == 300
    v = f.to_dict()["verdict"]
    assert v["test_data"] is False
    holds = {e["signal"]: e["holds"] for e in v["evidence"]}
    assert holds == {
        "test_accounts": False,
        "cancel_and_completion_rates": False,
        "top_customer_concentration": False,
        "few_customers": False,
    }
    accounts = v["evidence"][0]
    assert (accounts["test_accounts"], accounts["customers"]) == (3, 300)
    assert "3 of 300 customers recognised as test accounts" in signal_text(
        f.verdict.evidence[0], f.test_accounts, None
    )
    for text in (sections.verdict_text(f), sections.executive_summary(f)):
        assert "test data" not in text.lower() and "test/development" not in text.lower()
    assert "real customer traffic" in sections.verdict_text(f)


def test_rules_are_configurable_and_reported(production_db: str) -> None:
    # Nothing matches: no pattern, no reserved domain, one known account.
    rules = TestAccountRules(patterns=(), reserved_domains=(), known=frozenset({"driver7@mail.ca"}))
    f = investigate(*PERIOD, db=production_db, rules=rules)
    flagged = f.customers.loc[f.customers["test_account"], "customer"].tolist()
    assert flagged == ["driver7@mail.ca"]
    assert f.to_dict()["verdict"]["rules"] == {
        "patterns": [],
        "reserved_domains": [],
        "known": ["driver7@mail.ca"],
    }
    assert f.test_accounts.to_dict(orient="records") == [
        {"customer": "driver7@mail.ca", "requests": 3, "rule": "known", "match": "driver7@mail.ca"}
    ]
    assert "driver7@mail.ca (listed as a known test account)" in signal_text(
        f.verdict.evidence[0], f.test_accounts, None
    )


def test_a_pattern_can_turn_everything_into_test_accounts(production_db: str) -> None:
    f = investigate(*PERIOD, db=production_db, rules=TestAccountRules(patterns=(r"@mail\.ca$",)))
    assert f.verdict.test_data is True
    assert "this is test data" in sections.verdict_text(f)


# --- verdict, readiness and recommendations on hand-built headlines ---


def roster() -> pd.DataFrame:
    rows = [
        (
            "m1",
            "Ann",
            "a@x.ca",
            "1",
            "Toronto",
            "ON",
            "M5V",
            12,
            True,
            "individual_mechanic",
            None,
            None,
        ),
        (
            "m2",
            "Bob",
            "b@x.ca",
            "2",
            None,
            "ON",
            "",
            3,
            False,
            "workshop_mechanic",
            "w1",
            "Garage A",
        ),
        (
            "m4",
            None,
            None,
            None,
            "Ottawa",
            "ON",
            "K1A",
            None,
            False,
            "individual_mechanic",
            "w2",
            "Garage B",
        ),
    ]
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def customers_frame(rows: list[tuple[str, int, bool]], total: int) -> pd.DataFrame:
    """A minimal metrics.customer_table: customer, requests, share, busiest day, test flag."""
    frame = pd.DataFrame(rows, columns=["customer", "requests", "test_account"])
    frame["share"] = frame["requests"] / total
    frame["busiest_day"] = date(2025, 11, 6)
    frame["busiest_day_requests"] = frame["requests"]
    return frame


def headline_test_like() -> Headline:
    customers = customers_frame(
        [("cust1@test.com", 33, True), ("cust2@test.com", 9, True), ("jane@gmail.com", 1, False)],
        43,
    )
    return Headline(
        total=43,
        cancelled=36,
        completed=6,
        pending=1,
        never_assigned=30,
        customers=customers,
        mechanics_involved=3,
    )


def production_headline() -> Headline:
    customers = customers_frame([(f"user{i}@gmail.com", 10, False) for i in range(10)], 100)
    return Headline(
        total=100,
        cancelled=10,
        completed=80,
        pending=10,
        never_assigned=12,
        customers=customers,
        mechanics_involved=6,
    )


def empty_headline() -> Headline:
    return Headline(0, 0, 0, 0, 0, pd.DataFrame(columns=["customer", "requests"]), 0)


def test_headline_rates():
    h = headline_test_like()
    assert h.cancel_rate == pytest.approx(36 / 43)
    assert h.completion_rate == pytest.approx(6 / 43)
    assert empty_headline().cancel_rate == 0.0


def test_verdict_on_test_like_data_is_test_data_with_every_signal():
    result = verdict(headline_test_like())
    assert result.test_data is True
    assert [s.holds for s in result.evidence] == [True, True, True, True]
    assert len(result.reasons) == 4
    accounts = result.evidence[0].figures
    assert (accounts["test_accounts"], accounts["customers"]) == (2, 3)
    assert accounts["share"] == pytest.approx(42 / 43)
    top = result.evidence[2].figures
    assert (top["requests"], top["of"]) == (33, 43)
    assert result.to_dict()["reasons"] == [
        "test_accounts",
        "cancel_and_completion_rates",
        "top_customer_concentration",
        "few_customers",
    ]


def test_recognised_test_accounts_says_why():
    rules = TestAccountRules()
    table = recognised_test_accounts(headline_test_like().customers, rules)
    assert table.to_dict(orient="records") == [
        {"customer": "cust1@test.com", "requests": 33, "rule": "pattern", "match": "test"},
        {"customer": "cust2@test.com", "requests": 9, "rule": "pattern", "match": "test"},
    ]


def test_verdict_on_production_like_data_is_not_test_data():
    result = verdict(production_headline())
    assert result.test_data is False
    assert [s.holds for s in result.evidence] == [False, False, False, False]


def test_verdict_needs_the_rate_rule_and_concentration():
    def headline(n_customers: int) -> Headline:
        rows = [(f"u{i}@gmail.com", 2, False) for i in range(n_customers)]
        total = 2 * n_customers
        return Headline(total, total - 1, 1, 0, 0, customers_frame(rows, total), 2)

    # Cancel > 70 % and completion < 20 % alone: not enough.
    assert verdict(headline(6)).test_data is False
    # Plus "few customers" (5 or fewer): two signals, test data.
    assert verdict(headline(5)).test_data is True


def test_one_genuine_completed_request_is_not_test_data():
    """Concentration alone (one customer made every request) is not evidence of testing."""
    rows = [("jane.doe@gmail.com", 1, False)]
    one = Headline(1, 0, 1, 0, 0, customers_frame(rows, 1), 1)
    assert verdict(one).test_data is False


def test_verdict_of_an_empty_period_is_undecided():
    result = verdict(empty_headline())
    assert result.test_data is None
    assert result.reasons == [] and result.evidence == ()


@pytest.mark.parametrize(
    ("current", "needed", "status"),
    [(10, 5, "exceeds"), (9, 5, "sufficient"), (5, 5, "sufficient"), (3, 5, "short")],
)
def test_readiness_status(current, needed, status):
    assert readiness_status(current, needed) == status


def test_readiness_table_against_default_thresholds():
    table = readiness(headline_test_like(), Thresholds())
    assert table.to_dict(orient="records") == [
        {
            "metric": "Session requests",
            "current": 43,
            "needed": 15,
            "status": "exceeds",
            "short_by": 0,
        },
        {
            "metric": "Completed sessions",
            "current": 6,
            "needed": 5,
            "status": "sufficient",
            "short_by": 0,
        },
        {
            "metric": "Cancelled sessions",
            "current": 36,
            "needed": 1,
            "status": "exceeds",
            "short_by": 0,
        },
        {
            "metric": "Pending sessions",
            "current": 1,
            "needed": 1,
            "status": "sufficient",
            "short_by": 0,
        },
        {
            "metric": "Working mechanics",
            "current": 3,
            "needed": 5,
            "status": "short",
            "short_by": 2,
        },
        # jane@gmail.com took part but is no test account
        {"metric": "Test customers", "current": 2, "needed": 5, "status": "short", "short_by": 3},
    ]


def test_real_customers_are_not_test_customers():
    table = readiness(production_headline(), Thresholds())
    row = table[table["metric"] == "Test customers"].iloc[0]
    assert (row["current"], row["status"], row["short_by"]) == (0, "short", 5)


def types_frame(counts: dict[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame(list(counts.items()), columns=["session_type", "requests"])
    frame["share"] = frame["requests"] / frame["requests"].sum()
    return frame


def test_scarce_types_are_known_types_under_15_percent():
    scarce = scarce_types(types_frame({"chat": 37, "video": 3, "diagnostic": 3}))
    assert scarce["session_type"].tolist() == ["video", "diagnostic"]
    assert scarce["requests"].tolist() == [3, 3]
    assert scarce["share"].tolist() == pytest.approx([3 / 43, 3 / 43])


def test_scarce_types_include_absent_types_and_ignore_unknown():
    scarce = scarce_types(types_frame({"chat": 8, "unknown": 2}))
    assert scarce["session_type"].tolist() == ["video", "diagnostic"]
    assert scarce["requests"].tolist() == [0, 0]


def test_scarce_types_at_15_percent_are_not_scarce():
    scarce = scarce_types(types_frame({"chat": 14, "video": 3, "diagnostic": 3}))
    assert scarce["session_type"].tolist() == []  # 3/20 = 15 % exactly


def test_recommendations_name_incomplete_mechanics_and_shortfalls():
    profiles = metrics.mechanic_profiles(
        pd.DataFrame(
            [
                (
                    "c62837da-0000",
                    "Ann",
                    None,
                    None,
                    "Toronto",
                    "ON",
                    "M5V",
                    12,
                    True,
                    "individual_mechanic",
                    None,
                    None,
                ),
                (
                    "99c254c1-0000",
                    "Idle",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    False,
                    "individual_mechanic",
                    None,
                    None,
                ),
                (
                    "2750cdea-0000",
                    "Mech 1",
                    None,
                    None,
                    "Ottawa",
                    "ON",
                    "",
                    3,
                    False,
                    "individual_mechanic",
                    None,
                    None,
                ),
                (
                    "5f5f5f5f-0000",
                    "Ready",
                    None,
                    None,
                    "Hamilton",
                    "ON",
                    "L8P",
                    4,
                    False,
                    "individual_mechanic",
                    None,
                    None,
                ),
            ],
            columns=ROSTER_COLUMNS,
        ),
        MECHANIC_PROFILE_FIELDS,
    )
    counts = pd.DataFrame(
        {
            "mechanic_id": ["c62837da-0000", "2750cdea-0000"],
            "status": ["completed", "cancelled"],
            "requests": [6, 6],
        }
    )
    mechanics_ = metrics.mechanic_table(counts, profiles)
    h = headline_test_like()
    types = types_frame({"chat": 37, "video": 3, "diagnostic": 3})
    actions = recommendations(h, Thresholds(), verdict(h), mechanics_, profiles, types)
    assert [a.code for a in actions] == [
        "complete_mechanic_profiles",
        "more_working_mechanics",
        "more_mechanic_types",
        "more_test_customers",  # 6 completed meets the 5 needed: no "more_completed"
        "more_scarce_types",
        "keep_test_cancellations",
    ]
    assert actions[0].figures["mechanics"] == [
        {
            "mechanic_id": "99c254c1-0000",
            "missing": ["city", "province", "postal_code", "years_of_experience"],
        },
        {"mechanic_id": "2750cdea-0000", "missing": ["postal_code"]},
    ]
    assert actions[1].figures == {
        "current": 3,
        "needed": 5,
        "idle_complete": ["5f5f5f5f-0000"],  # complete profile, took no request
    }
    assert actions[2].figures == {
        "absent": ["workshop-affiliated", "independent workshop"],
        "served": ["virtual"],
    }
    assert actions[3].figures == {"current": 2, "needed": 5}
    assert [t["session_type"] for t in actions[4].figures["scarce"]] == ["video", "diagnostic"]
    names = dict(zip(profiles["mechanic_id"], profiles["name"], strict=True))
    text = "\n".join(recommendation_text(a, names) for a in actions)
    assert text.startswith("Complete the profiles of 2 mechanics")
    assert "`99c254c1` (Idle) lacks city, province, postal code and years of experience" in text
    assert "`2750cdea` (Mech 1) lacks postal code" in text
    assert "Get 2 more mechanics taking requests: 3 took part, 5 are needed." in text
    assert "`5f5f5f5f`" in text and "`c62837da`" not in text
    assert (
        "Have workshop-affiliated and independent workshop mechanics take requests too: "
        "this period's requests were served by virtual mechanics only."
    ) in text
    assert "Create 3 more test customers with complete profiles" in text
    assert "video (3, 7.0 %) and diagnostic (3, 7.0 %)" in text
    assert text.splitlines()[-1].startswith("Don't treat the 84 % cancellation rate")


def test_recommendations_for_production_like_data_investigate_cancellations():
    h = production_headline()
    roster_ = metrics.mechanic_profiles(roster().iloc[:1], MECHANIC_PROFILE_FIELDS)
    served = pd.DataFrame(
        {"mechanic_id": ["m1", "m2", "m4"], "mechanic_type": list(MECHANIC_TYPES)}
    )
    types = types_frame({"chat": 40, "video": 30, "diagnostic": 30})
    actions = recommendations(h, Thresholds(), verdict(h), served, roster_, types)
    assert [a.code for a in actions] == ["investigate_cancellations"]
    assert recommendation_text(actions[0], {}) == (
        "Investigate the 10 % cancellation rate: 12 % of requests were never assigned a mechanic."
    )


def test_recommendations_for_an_empty_period_are_a_single_check():
    h = empty_headline()
    empty_roster = metrics.mechanic_profiles(roster().iloc[:0], MECHANIC_PROFILE_FIELDS)
    empty_types = pd.DataFrame(columns=["session_type", "requests", "share"])
    actions = recommendations(h, Thresholds(), verdict(h), empty_roster, empty_roster, empty_types)
    assert [a.code for a in actions] == ["check_period"]
    assert recommendation_text(actions[0], {}).startswith("No requests were made in this period")


# --- actions from the root causes ------------------------------------------------------------


def _root(*causes: tuple) -> RootCauses:
    """Ranked causes (outcome, dimension, level, excess, first_hour, last_hour), and the
    cities Halifax and Moncton (no mechanic) and Toronto (mechanics)."""
    frame = pd.DataFrame(
        [
            {
                "outcome": o,
                "dimension": d,
                "level": lvl,
                "requests": 100,
                "failures": 60,
                "rate": 0.6,
                "rate_low": 0.5,
                "rate_high": 0.7,
                "rest_rate": 0.2,
                "excess": e,
                "share_of_failures": 0.3,
                "p_value": 0.0001,
                "first_hour": a,
                "last_hour": b,
            }
            for o, d, lvl, e, a, b in causes
        ],
        columns=drv.CAUSE_COLUMNS,
    )
    cities = pd.DataFrame(
        [
            ("Toronto", 500, 50, 10, True),
            ("Halifax", 100, 60, 5, False),
            ("Moncton", 30, 20, 1, False),
        ],
        columns=drv.CITY_COLUMNS,
    )
    return RootCauses(causes=frame, cities=cities)


REAL = Verdict(False, (), TestAccountRules())


def test_actions_follow_the_top_causes_of_each_outcome() -> None:
    root = _root(
        ("never_assigned", drv.HOUR, "00:00–05:59", 400.0, 0, 5),
        ("never_assigned", drv.MECHANIC_IN_CITY, "no", 300.0, None, None),
        ("never_assigned", drv.CITY, "Halifax", 250.0, None, None),  # a third: left out
        ("cancelled", drv.CITY, "Halifax", 90.0, None, None),  # recruiting named already
        ("cancelled", "plan_code", "fleet", 50.0, None, None),
    )
    actions = cause_recommendations(root, REAL)
    assert [a.code for a in actions] == ["cover_hours", "recruit_in_cities", "address_driver"]
    assert (actions[0].figures["first_hour"], actions[0].figures["last_hour"]) == (0, 5)
    assert actions[1].figures["cities"] == [
        {"city": "Halifax", "requests": 100, "never_assigned": 60},
        {"city": "Moncton", "requests": 30, "never_assigned": 20},
    ]
    assert actions[1].figures["cities_count"] == 2
    assert actions[2].figures | {"excess": 0} == {
        "dimension": "plan_code",
        "level": "fleet",
        "outcome": "cancelled",
        "requests": 100,
        "rate": 0.6,
        "rest_rate": 0.2,
        "excess": 0,
        "share_of_failures": 0.3,
    }


def test_a_single_hour_and_a_weekday() -> None:
    root = _root(
        ("never_assigned", drv.HOUR, "03:00", 40.0, None, None),
        ("never_assigned", drv.WEEKDAY, "Sun", 30.0, None, None),
    )
    actions = cause_recommendations(root, REAL)
    assert [(a.code, a.figures.get("first_hour"), a.figures.get("weekday")) for a in actions] == [
        ("cover_hours", 3, None),
        ("cover_weekday", None, "Sun"),
    ]


def test_no_cause_actions_for_test_traffic_or_without_causes() -> None:
    root = _root(("never_assigned", drv.HOUR, "03:00", 40.0, None, None))
    assert cause_recommendations(root, Verdict(True, (), TestAccountRules())) == []
    assert cause_recommendations(root, Verdict(None, (), TestAccountRules())) == []
    assert cause_recommendations(RootCauses(), REAL) == []


def test_a_recommendation_s_mechanic_lists_keep_top_n_and_a_count():
    ids = [f"m{i}" for i in range(7)]
    action = Recommendation("more_working_mechanics", {"current": 1, "idle_complete": ids})
    assert action.to_dict(top_n=2) == {
        "action": "more_working_mechanics",
        "current": 1,
        "idle_complete": ids[:2],
        "idle_complete_count": len(ids),
    }
    assert action.to_dict()["idle_complete"] == ids
