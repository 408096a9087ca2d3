"""One id → label map per report: the same id reads the same everywhere, and no label stands
for two ids."""

from __future__ import annotations

import pytest
from rows import PERIOD, local, make_db, mechanic, request

from analysis.investigation import collect
from analysis.investigation.findings import Findings
from analysis.report import sections
from analysis.report.labels import labels_of
from analysis.report.masking import redact
from analysis.report.text import short_ids
from analysis.source.engine import connect

# Two mechanics whose ids share their first block: one with an incomplete profile, listed
# alone among the incomplete profiles; the other listed alone among those who completed.
INCOMPLETE = "abcd1234-0000-4000-8000-00000000aaaa"
COMPLETING = "abcd1234-0000-4000-8000-00000000bbbb"


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Findings:
    at = local(2025, 10, 30, 12)
    url = make_db(
        tmp_path_factory.mktemp("twins"),
        requests=[
            request(created_at=at, mechanic_id=INCOMPLETE, accepted_at=at, status="accepted"),
            request(created_at=at, mechanic_id=COMPLETING, accepted_at=at, status="completed"),
        ],
        mechanics=[mechanic(id=INCOMPLETE, city=None), mechanic(id=COMPLETING, name="Bea")],
    )
    with connect(url) as conn:
        return collect(conn, PERIOD)


def test_ids_alone_in_their_lists_get_distinct_labels_and_the_same_everywhere(twins) -> None:
    # list by list, each would be shortened to the same first block
    assert short_ids([INCOMPLETE]) == short_ids([COMPLETING])
    label = labels_of(twins)
    incomplete, completing = label.label(INCOMPLETE), label.label(COMPLETING)
    assert incomplete != completing
    profiles, success = sections.profiles_text(twins), sections.success_text(twins)
    assert f"`{incomplete}`" in profiles and f"`{completing}`" not in profiles
    assert f"`{completing}` (Bea) completed" in success and f"`{incomplete}`" not in success
    assert f"`{incomplete}`" in sections.recommendations_text(twins)
    both = {incomplete, completing}
    assert set(sections.mechanics_table(twins)["Mechanic"]) == both
    assert set(sections.mechanic_profiles_table(twins)["Mechanic"]) == both
    chart = sections.mechanic_chart_data(twins)
    assert {m.split()[0] for m in chart["mechanic"]} == both


def test_one_map_per_findings_the_same_when_masked(twins) -> None:
    assert labels_of(twins) is labels_of(twins)
    assert labels_of(redact(twins)).labels == labels_of(twins).labels
    assert labels_of(twins)([None, "unknown-id-x"]) == ["—", "unknown-id-x"]


def test_every_flagged_request_id_is_labelled_apart(reference) -> None:
    labels = labels_of(reference).labels
    ids = {i for ids in reference.anomalies["request_ids"] for i in ids}
    assert ids <= set(labels) and len({labels[i] for i in ids}) == len(ids)
