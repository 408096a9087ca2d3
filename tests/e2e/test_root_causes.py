"""Root causes on synthetic data with planted causes, where every right answer is known, and
the same root-cause figures from SQLite, DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from engines import WITH_SPARK, database

from analysis import investigate
from analysis.investigation import drivers as drv
from analysis.load import synth
from analysis.load.synth import Causes, Plan, load_synthetic
from analysis.report import root_causes as words
from analysis.report.sections import recommendations_text
from analysis.source import schema

# Night requests (00:00–05:59) go unassigned 75 % of the time against 20 %, customers of a
# city where no mechanic works 85 %; nothing else matters. Hours are equally busy, so the
# night holds a quarter of the requests.
PLANTED = Causes(base_unassigned=0.20, night_unassigned=0.75, uncovered_unassigned=0.85)
PLAN = Plan(
    requests=20_000,
    customers=400,
    mechanics=20,
    start=date(2025, 10, 1),
    end=date(2025, 10, 31),
    seed=11,
    causes=PLANTED,
    hour_weights=(1.0,) * 24,
)
# The share of test-account requests left unassigned (synth: assigned when completed or
# accepted, or cancelled and kept by a mechanic 30 % of the time).
TEST_UNASSIGNED = 1 - (0.10 + 0.00 + 0.85 * 0.3)
SIGMAS = 4


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):
    url = f"duckdb:///{tmp_path_factory.mktemp('planted') / 'planted.duckdb'}"
    load_synthetic(url, PLAN)
    return investigate("2025-10-01", "2025-10-31", db=url)


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    """Each generated request with its local hour, its city and the probability the plan gave
    it of going unassigned."""
    rows = synth.requests_chunk(PLAN, 0, PLAN.requests)
    profiles = pd.concat(synth.profiles_frames(PLAN)).set_index("id")["city"]
    city = rows["customer_city"].fillna(rows["customer_id"].map(profiles))
    hour = rows["created_at"].dt.tz_convert(PLAN.timezone).dt.hour.to_numpy()
    covered = set(synth.mechanics_frame(PLAN)["city"].dropna())
    uncovered = ~city.isin(covered).to_numpy()
    test = rows["customer_email"].isin(synth.TEST_ACCOUNTS) | rows["customer_id"].isin(
        synth.uuids(2, np.arange(len(synth.TEST_ACCOUNTS)))
    )
    p = np.where(test, TEST_UNASSIGNED, PLANTED.unassigned_probability(hour, uncovered))
    return pd.DataFrame({"hour": hour, "uncovered": uncovered, "p": p})


def expected_excess(frame: pd.DataFrame, level: np.ndarray) -> tuple[float, float]:
    """The excess a level is expected to show, and its standard deviation (binomial counts;
    the rest's rate estimated from as many requests as it has)."""
    p = frame["p"].to_numpy()
    n, rest = level.sum(), (~level).sum()
    excess = p[level].sum() - n * p[~level].sum() / rest
    variance = (p[level] * (1 - p[level])).sum() + (n / rest) ** 2 * (
        p[~level] * (1 - p[~level])
    ).sum()
    return excess, float(np.sqrt(variance))


def test_the_planted_causes_top_the_drivers_of_unassigned_requests(planted, expected) -> None:
    causes = planted.root_causes.causes
    never = causes[causes["outcome"] == "never_assigned"].reset_index(drop=True)
    top = never.head(2)
    assert set(zip(top["dimension"], top["level"], strict=True)) == {
        (drv.HOUR, "00:00–05:59"),
        (drv.MECHANIC_IN_CITY, "no"),
    }
    # Everything else the data ranks is the same two causes seen by city.
    assert set(never["dimension"]) <= {drv.HOUR, drv.MECHANIC_IN_CITY, drv.CITY}
    drivers = planted.root_causes.drivers
    unassigned = drivers[drivers["outcome"] == "never_assigned"]
    # Per level too: the planted dimensions fill the top of the list (retries, which follow
    # failures, are the one other dimension there).
    head = unassigned[unassigned["dimension"] != "retry"].head(9)
    assert set(head["dimension"]) == {drv.HOUR, drv.MECHANIC_IN_CITY, drv.CITY}
    assert set(head.loc[head["dimension"] == drv.HOUR, "level"]) == {
        f"{h:02d}:00" for h in range(6)
    }


def test_the_planted_causes_have_the_right_excess(planted, expected) -> None:
    ranges = planted.root_causes.hour_ranges
    night = ranges[ranges["outcome"] == "never_assigned"].iloc[0]
    assert (night["first_hour"], night["last_hour"]) == (0, 5)
    want, sd = expected_excess(expected, expected["hour"].to_numpy() < 6)
    assert night["excess"] == pytest.approx(want, abs=SIGMAS * sd)
    assert night["rate"] == pytest.approx(0.75, abs=0.03)  # some night requests are uncovered

    d = planted.root_causes.drivers
    no_mechanic = d[
        (d["outcome"] == "never_assigned")
        & (d["dimension"] == drv.MECHANIC_IN_CITY)
        & (d["level"] == "no")
    ].iloc[0]
    want, sd = expected_excess(expected, expected["uncovered"].to_numpy())
    assert no_mechanic["excess"] == pytest.approx(want, abs=SIGMAS * sd)
    low, high = no_mechanic["rate_low"], no_mechanic["rate_high"]
    assert low <= 0.85 <= high  # every uncovered request had an 85 % chance


def test_session_type_shows_no_effect(planted) -> None:
    effects = planted.root_causes.effects.set_index(["outcome", "dimension"])["effect"]
    assert effects[("never_assigned", "session_type")] == drv.NO_EFFECT
    d = planted.root_causes.drivers
    types = d[(d["outcome"] == "never_assigned") & (d["dimension"] == "session_type")]
    assert len(types) == 3 and (types["p_value"] >= 0.05).all() and types["enough_data"].all()


def test_the_sentences_say_so(planted) -> None:
    text = words.outcome_text(planted, "never_assigned")
    first, second = (line for line in text.splitlines() if line[:3] in ("1. ", "2. "))
    assert first.startswith("1. **Requests made between 00:00 and 05:59** went unassigned 7")
    assert "about 2," in first and "(p < 0.001)" not in first  # a range: every hour's p
    assert "every hour in it p < 0.001" in first
    assert second.startswith("2. **Requests from cities where no mechanic on record works**")
    assert "They come from Halifax" in second
    no_effect = next(line for line in text.splitlines() if line.startswith("- **No effect:**"))
    assert "session type" in no_effect and "hour of day" not in no_effect
    actions = recommendations_text(planted)
    assert "1. Get mechanics online between 00:00–05:59 (local time)" in actions
    assert "2. Recruit mechanics in Halifax" in actions


# --- the same figures on every engine ----------------------------------------------------

SMALL = Plan(
    requests=3_000,
    customers=60,
    mechanics=6,
    start=date(2025, 10, 20),
    end=date(2025, 11, 9),  # across the change from EDT to EST on 2 Nov
    seed=5,
    causes=PLANTED,
)
ROOT_CAUSE_KEYS = (
    "drivers",
    "driver_dimensions",
    "hour_ranges",
    "coverage",
    "acceptance_curve",
    "retries",
    "optional_columns",
)


def _with_ties(frame: pd.DataFrame) -> pd.DataFrame:
    """Three requests of a new customer at the same instant (served, failed, failed), and one
    10 minutes later: which of the tied requests came "first" must not depend on the engine."""
    base = frame.iloc[:4].copy()
    moment = pd.Timestamp("2025-11-04 15:00", tz="UTC")
    base["id"] = [f"7e000000-0000-4000-8000-00000000000{i}" for i in range(4)]
    base["customer_id"] = "7e000000-0000-4000-8000-0000000000ff"
    base["created_at"] = [moment] * 3 + [moment + timedelta(minutes=10)]
    base["mechanic_id"] = [frame["mechanic_id"].dropna().iloc[0], None, None, None]
    base["accepted_at"] = [moment + timedelta(minutes=1), None, None, None]
    base["status"] = ["completed", "cancelled", "expired", "cancelled"]
    return pd.concat([frame, base], ignore_index=True)


@pytest.fixture(scope="module")
def by_engine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    requests = _with_ties(synth.requests_chunk(SMALL, 0, SMALL.requests))
    found = {}
    for engine in WITH_SPARK:
        tmp = tmp_path_factory.mktemp(engine)
        try:
            with database(engine, tmp) as (url, name):
                load_synthetic(url, SMALL, name)
                _replace_requests(url, name, requests)
                document = investigate("2025-10-25", "2025-11-08", db=url, schema=name).to_dict()
        except pytest.skip.Exception as skipped:
            found[engine] = {"skipped": skipped.msg}
            continue
        found[engine] = json.loads(json.dumps({k: document[k] for k in ROOT_CAUSE_KEYS}))
    return found


def _replace_requests(url: str, name: str | None, requests: pd.DataFrame) -> None:
    from analysis.load import bulk, spark_tables

    engine = bulk.writable_engine(url)
    try:
        if engine.dialect.name == "hive":  # Parquet tables: written again, not deleted from
            frames = {schema.session_requests: [requests]}
            spark_tables.load_frames(engine, frames, name, replace=True)
            return
        with engine.begin() as conn:
            target = conn.execution_options(schema_translate_map={None: name})
            target.execute(schema.session_requests.delete())
            bulk.append(conn, schema.session_requests, requests, name)
    finally:
        engine.dispose()


@pytest.mark.parametrize("engine", ["duckdb", "postgresql", "spark"])
def test_engines_agree_on_the_root_causes(by_engine, engine) -> None:
    if "skipped" in by_engine[engine]:
        pytest.skip(by_engine[engine]["skipped"])
    assert by_engine[engine] == by_engine["sqlite"]
    assert by_engine["sqlite"]["retries"]["retries"] > 0
    assert len(by_engine["sqlite"]["drivers"]) > 50
