"""The root-cause section's sentences, from findings on hand-built data whose answers are known."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rows import PERIOD, cancelled_request, fill, local, make_db, mechanic, request

from analysis.investigation import collect
from analysis.investigation.judgement import Recommendation
from analysis.load.snapshot import used_metadata
from analysis.report import root_causes as words
from analysis.report.masking import redact
from analysis.report.sections import recommendations_text
from analysis.source.engine import connect

MECHANIC = "00000009-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """60 requests by real-looking customers on Thursday 30 Oct: the 30 made at 03:xx all
    expired unassigned, 3 of the 30 made at 14:xx did; chat and video alike."""
    requests = []
    for i in range(30):
        requests.append(
            request(
                customer_id=f"00000001-0000-4000-8000-{i:012d}",
                customer_email=f"person{i}@mail.ca",
                created_at=local(2025, 10, 30, 3, i),
                status="expired",
                session_type="chat" if i % 2 else "video",
            )
        )
        day = local(2025, 10, 30, 14, i)
        served = i >= 3
        requests.append(
            request(
                customer_id=f"00000002-0000-4000-8000-{i:012d}",
                customer_email=f"other{i}@mail.ca",
                created_at=day,
                status="completed" if served else "expired",
                mechanic_id=MECHANIC if served else None,
                accepted_at=day + timedelta(minutes=2) if served else None,
                session_type="chat" if i % 2 else "video",
            )
        )
    url = make_db(tmp_path_factory.mktemp("night"), requests, mechanics=[mechanic(id=MECHANIC)])
    with connect(url) as conn:
        return redact(collect(conn, PERIOD))


def test_real_traffic(night) -> None:
    assert night.verdict.test_data is False


def test_a_cause_in_one_sentence_with_its_figures(night) -> None:
    text = words.outcome_text(night, "never_assigned")
    assert text.startswith("**Unassigned requests: 33 of 60** (55 %).\nRanked by")
    # 30 of 30 against 3 of 30: (1 - 0.1) × 30 = 27 more, of 33 unassigned
    assert (
        "1. **Requests made between 03:00 and 03:59** went unassigned 100 % (89–100 %) of the "
        "time against 10 % otherwise: about 27 more unassigned requests than if they had "
        "done as well as the rest, 82 % of all unassigned requests (30 requests; p < 0.001)."
    ) in text


def test_a_dimension_without_effect_is_said_to_show_none(night) -> None:
    text = words.outcome_text(night, "never_assigned")
    no_effect = next(line for line in text.splitlines() if "**No effect:**" in line)
    assert "session type" in no_effect


def test_nothing_to_explain_without_failures(night) -> None:
    assert words.outcome_text(night, "cancelled").endswith(
        "No cancelled request, so nothing to explain."
    )


def test_what_was_not_compared_is_named(night) -> None:
    text = words.skipped_text(night)
    assert "Nothing to compare for day of week: every request had `Thu`." in text
    assert "Not analysed: urgency — not recorded on any request of the period." in text


def test_drivers_table_is_bounded_and_counts_the_rest(night) -> None:
    table = words.drivers_table(night)
    never = table[table["Outcome"] == "Unassigned requests"]
    assert never.iloc[0][["Attribute", "Level", "Excess", "Beyond noise"]].tolist() == [
        "hour of day",
        "03:00",
        "+27",
        "yes",
    ]
    assert len(never) <= words.MAX_ROWS + 1


def test_coverage_names_slots_where_demand_met_no_supply(night) -> None:
    text = words.coverage_text(night)
    assert "**Demand met no supply in 1 slot**" in text
    assert "30 requests (50 % of all) were made in them, 100 % of which went unassigned" in text
    assert "Thu 03:00 (30 requests)" in text


def test_acceptance_and_retries(night) -> None:
    assert "45 % within 5 minutes" in words.acceptance_text(night)  # 27 of 60, at 2 minutes
    text = words.retries_text(night)
    assert text.startswith("**0 requests** of 60 (0 %) were retries")
    assert "55 % of needs ended without a session (33 of 60" in text


def test_recommendations_follow_the_top_cause(night) -> None:
    assert night.recommendations[0].code == "cover_hours"
    assert recommendations_text(night).startswith(
        "1. Get mechanics online between 03:00–03:59 (local time): they went unassigned "
        "100 % of the time against 10 %, about 27 unassigned requests (82 % of them)."
    )


def test_cause_actions_in_words() -> None:
    figures = {
        "outcome": "cancelled",
        "requests": 500,
        "rate": 0.4,
        "rest_rate": 0.2,
        "excess": 100.0,
        "share_of_failures": 0.005,
    }
    city = Recommendation(
        "recruit_in_cities",
        {
            "cities": [{"city": "Halifax", "requests": 500, "never_assigned": 300}],
            "cities_count": 1,
            **figures,
        },
    )
    assert words.cause_recommendation_text(city) == (
        "Recruit mechanics in Halifax (500 requests), where customers ask and no mechanic on "
        "record works: they were cancelled 40 % of the time against 20 %, about 100 cancelled "
        "requests (0.5 % of them)."
    )
    many = Recommendation(city.code, {**city.figures, "cities_count": 1236})
    assert words.cause_recommendation_text(many).startswith(
        "Recruit mechanics in Halifax (500 requests) and 1,235 other cities, where"
    )
    other = Recommendation(
        "address_driver", {"dimension": "plan_code", "level": "fleet", **figures}
    )
    assert words.cause_recommendation_text(other).startswith(
        "Find out why requests on the fleet plan fail"
    )
    assert words.cause_recommendation_text(Recommendation("more_completed", {})) is None


def test_missing_columns_are_named_with_the_reason(tmp_path) -> None:
    rows = {"session_requests": [cancelled_request("r1", created_at=local(2025, 10, 30, 12))]}
    url = fill(tmp_path / "bare.db", rows, used_metadata())
    with connect(url) as conn:
        text = words.skipped_text(collect(conn, PERIOD))
    assert (
        "Not analysed: urgency, plan and time before expiry — the source has no `is_urgent`, "
        "`plan_code` and `expires_at` column on session_requests."
    ) in text
    assert "Cities come from the customers' profiles: the source has no `customer_city`" in text


def test_test_traffic_keeps_its_reasoning_first(tmp_path) -> None:
    url = make_db(
        tmp_path,
        [
            request(
                created_at=local(2025, 10, 30, 12, i),
                customer_email="qa@test.com",
                status="cancelled",
            )
            for i in range(5)
        ],
    )
    with connect(url) as conn:
        text = words.root_causes_text(redact(collect(conn, PERIOD)))
    assert text.startswith("**Primary cause: this is test traffic** (see the diagnosis below).")
    assert "q***@test.com" in text and "qa@test.com" not in text
    assert "**Unassigned requests: 5 of 5**" in text


def test_a_narrow_interval_keeps_a_decimal() -> None:
    assert words.fmt_rate_ci(0.6512, 0.6489, 0.6534) == "65.1 % (64.9–65.3 %)"
    assert words.fmt_rate_ci(0.6512, 0.62, 0.68) == "65 % (62–68 %)"
