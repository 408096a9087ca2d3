"""The reference reproduction: the notebook run through the runner on the demo database for the
reference period must give every figure of ../shared/reference/README.md."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

from analysis import investigate
from analysis.cli import main
from analysis.domain import Thresholds
from analysis.load.demo import DEMO_CSV_DIR
from analysis.period import Period
from analysis.runs.layout import AUDIT_LIST_FILES, NOTEBOOK, NOTEBOOKS
from analysis.runs.runner import run_report
from analysis.source.urls import DEMO_DB

C62 = "c62837da-8ff1-4218-afbe-3da2e940dfd7"
M2750 = "2750cdea-36d2-4c84-a5b3-37d8f5f9d1e5"
M0D88 = "0d887221-3e2f-4887-b2df-7a70f047ac03"
M99C2 = "99c254c1-c95a-46cb-8601-8bc6a78a957e"
# A path component that must never reach an output: the runner may not leak the URL.
URL_TOKEN = "private-location-7c1e"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp(URL_TOKEN) / "copy.db"
    shutil.copy(DEMO_DB, source)
    out = tmp_path_factory.mktemp("reports")
    folder = run_report(Period.parse("2025-10-29", "2025-11-06"), out, db=f"sqlite:///{source}")
    assert folder == out / "2025-10-29_2025-11-06"
    return folder


@pytest.fixture(scope="module")
def findings(report: Path) -> dict:
    return json.loads((report / "findings.json").read_text())


@pytest.fixture(scope="module")
def html(report: Path) -> str:
    return (report / "session_investigation.html").read_text()


def test_outputs_are_the_report_files_and_their_settings(report: Path) -> None:
    names = sorted(p.name for p in report.iterdir())
    assert names == [
        "customers.csv",
        "findings.json",
        "flagged_requests.csv",
        "mechanics.csv",
        "session_investigation.html",
        "session_investigation.ipynb",
        "session_investigation.run.json",
    ]
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".")]
    settings = json.loads((report / "session_investigation.run.json").read_text())
    outputs = settings.pop("outputs")  # each output's hash: a damaged report is redone
    assert outputs == {
        name: hashlib.sha256((report / name).read_bytes()).hexdigest()
        for name in names
        if not name.endswith(".run.json")
    }
    notebook_hash = hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    assert settings == {
        "notebook": "session_investigation",
        "notebook_sha256": notebook_hash,
        "timezone": "America/Toronto",
        "every": None,
        "period_complete": True,
        "source": "sqlite file copy.db",  # described, never the URL
        "source_id": settings["source_id"],
        "schema": None,
        "parameters": {},  # nothing set: the library's defaults
        "redact": True,
    }
    assert re.fullmatch(r"[0-9a-f]{16}", settings["source_id"])


def test_period(findings: dict) -> None:
    assert findings["period"] == {
        "start": "2025-10-29",
        "end": "2025-11-06",
        "timezone": "America/Toronto",
        "days": 9,
    }


def test_status_and_types(findings: dict) -> None:
    requests = findings["requests"]
    assert requests["total"] == 43
    assert requests["by_status"] == {"cancelled": 36, "completed": 6, "pending": 1}
    assert requests["by_type"] == {"chat": 37, "video": 3, "diagnostic": 3}


def test_time_span_in_local_time(findings: dict) -> None:
    assert findings["requests"]["first_at"] == "2025-10-29T00:45:48-04:00"
    assert findings["requests"]["last_at"] == "2025-11-06T14:05:57-05:00"
    assert findings["requests"]["span_days"] == 9


def test_assignment_and_mechanics(findings: dict) -> None:
    assert findings["assignment"] == {
        "assigned": 13,
        "never_assigned": 30,
        "mechanics_involved": 3,
        "mechanics_on_record": 7,
    }
    by_id = {m["mechanic_id"]: m for m in findings["mechanics"]}
    assert set(by_id) == {C62, M2750, M0D88}
    assert (by_id[C62]["requests"], by_id[C62]["by_status"]) == (
        5,
        {"completed": 4, "cancelled": 1},
    )
    assert (by_id[M2750]["requests"], by_id[M2750]["by_status"]) == (6, {"cancelled": 6})
    assert (by_id[M0D88]["requests"], by_id[M0D88]["by_status"]) == (2, {"cancelled": 2})
    assert by_id[C62]["profile_complete"] is True
    assert by_id[M2750]["profile_complete"] is False


def test_response_minutes(findings: dict) -> None:
    assert findings["response_minutes"] == {
        "count": 13,
        "mean": 4.83,
        "median": 1.51,
        "min": 0.47,
        "max": 29.38,
        "excluded_negative": 0,
    }


def test_customers(findings: dict) -> None:
    """E-mails are masked by default: first and last character of the local part kept."""
    rows = {c["customer"]: c for c in findings["customers"]}
    assert [c["customer"] for c in findings["customers"]] == [
        "c***1@test.com",
        "c***2@test.com",
        "o***r@autodoctor.example",
    ]
    cust1, cust2 = rows["c***1@test.com"], rows["c***2@test.com"]
    assert (cust1["requests"], cust1["by_status"]) == (
        33,
        {"completed": 3, "cancelled": 29, "pending": 1},
    )
    assert (cust2["requests"], cust2["by_status"]) == (9, {"completed": 3, "cancelled": 6})
    third = findings["customers"][2]
    assert (third["requests"], third["by_status"]) == (1, {"cancelled": 1})
    assert all(c["test_account"] for c in findings["customers"])


def test_customer_rates_fix_the_reports_slip(findings: dict) -> None:
    """33 requests over the 9-day span is 3.7 a day, not 11; 8.25 per active day over 4."""
    cust1 = findings["customers"][0]
    assert round(cust1["per_day"], 1) == 3.7
    assert cust1["active_days"] == 4
    assert cust1["per_active_day"] == 8.25
    assert (cust1["busiest_day"], cust1["busiest_day_requests"]) == ("2025-11-06", 20)


def test_cancellations_and_routing(findings: dict) -> None:
    assert findings["cancellations"] == {
        "total": 36,
        "before_assignment": 27,
        "after_assignment": 9,
    }
    assert findings["routing"] == {
        "by_type": {"broadcast": 43},
        "workshop_served": 5,
        "preferred_workshop": 0,
    }


def test_incomplete_mechanics_are_three(findings: dict) -> None:
    assert findings["incomplete_mechanics"] == sorted([M99C2, M0D88, M2750])


def test_verdict_and_readiness(findings: dict) -> None:
    assert findings["verdict"]["test_data"] is True
    assert findings["verdict"]["reasons"]
    statuses = {r["metric"]: (r["status"], r["short_by"]) for r in findings["readiness"]}
    assert statuses["Working mechanics"] == ("short", 2)
    assert statuses["Test customers"] == ("short", 2)
    assert statuses["Session requests"] == ("exceeds", 0)
    profiles = findings["recommendations"][0]
    assert profiles["action"] == "complete_mechanic_profiles"
    named = {m["mechanic_id"][:8] for m in profiles["mechanics"]}
    assert named == {"99c254c1", "0d887221", "2750cdea"}


def test_readiness_and_recommendations_in_html(html: str) -> None:
    for text in (
        "Need 2 more",
        "Exceeds",
        "Complete the profiles of 3 mechanics",
        "t treat the 84 % cancellation rate as a production problem",
    ):
        assert text in html, text


def test_the_runner_and_investigate_use_the_same_defaults(findings: dict) -> None:
    """Notebook parameters left at None mean the library's defaults: the rules and thresholds
    of a report made by the runner are those of investigate() in Python."""
    own = investigate("2025-10-29", "2025-11-06").to_dict()
    assert findings["verdict"]["rules"]["patterns"] == own["verdict"]["rules"]["patterns"]
    assert (
        findings["verdict"]["rules"]["reserved_domains"]
        == own["verdict"]["rules"]["reserved_domains"]
    )
    assert [r["needed"] for r in findings["readiness"]] == [r["needed"] for r in own["readiness"]]
    assert [r["needed"] for r in findings["readiness"]] == list(asdict(Thresholds()).values())


@pytest.mark.parametrize(
    "figure",
    [
        "43 requests",
        "36 cancelled",
        "83.7 %",
        "30 never assigned",
        "4.83",
        "29.38",
        "c***1@test.com",
        "c***1@test.com created 77 % of all requests",
        "27 cancelled before a mechanic was assigned",
        "this is test/development data",
        "Need 2 more",
        "Recommendations",
    ],
)
def test_headline_figures_in_html(html: str, figure: str) -> None:
    assert figure in re.sub(r"<[^>]+>", "", html)


def test_html_has_no_code_parameters_or_remote_assets(html: str) -> None:
    for code in (
        "investigate(",
        "findings_path",
        "start_date =",
        "redact",
        "import ",
        "plots.",
        "injected-parameters",
    ):
        assert code not in html
    assert "<img" in html and "data:image/svg+xml;base64" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_database_location_never_written(report: Path) -> None:
    for path in report.iterdir():
        assert URL_TOKEN not in path.read_text(errors="replace"), path.name


# --- what the original investigation did not look at ----------------------------------------------

COMPLETED_NO_MECHANIC = [
    "30137584-70c1-4135-a5a1-c8f608b86ca1",
    "ed99907c-16b1-4a16-aa75-2885541d06f5",
]
OTHER_EMAIL = ["c3206121-499b-4d3d-9e56-a1cdd162419f"]


def test_anomalies_exactly_the_known_slips(findings: dict) -> None:
    anomalies = {a["check"]: a for a in findings["anomalies"]}
    assert len(anomalies) == 15 and all("count" in a for a in anomalies.values())
    nonzero = {k: a["request_ids"] for k, a in anomalies.items() if a["count"]}
    assert nonzero == {
        "completed_without_mechanic": COMPLETED_NO_MECHANIC,
        "completed_without_accepted_at": COMPLETED_NO_MECHANIC,
        "email_differs_from_profile": OTHER_EMAIL,
    }


def test_rates_carry_wilson_intervals(findings: dict) -> None:
    cancel = findings["rates"]["cancellation"]
    assert (cancel["count"], cancel["of"]) == (36, 43)
    assert cancel["low"] == pytest.approx(0.7003, abs=1e-4)
    assert cancel["high"] == pytest.approx(0.9188, abs=1e-4)
    c62 = next(m for m in findings["mechanics"] if m["mechanic_id"] == C62)
    assert c62["completion_rate"] == 0.8
    assert c62["completion_rate_interval"] == pytest.approx([0.3755, 0.9638], abs=1e-4)
    cust1 = findings["customers"][0]
    assert cust1["cancel_rate_interval"][0] < 29 / 33 < cust1["cancel_rate_interval"][1]


def test_previous_period_was_empty(findings: dict) -> None:
    previous = findings["previous_period"]
    assert (previous["start"], previous["end"]) == ("2025-10-20", "2025-10-28")
    assert previous["figures"]["requests"] == 0
    assert findings["what_changed"] == []
    rows = {r["figure"]: r for r in findings["comparison"]}
    assert (rows["requests"]["current"], rows["requests"]["previous"]) == (43, 0)


def test_time_patterns(findings: dict) -> None:
    grid = findings["requests_by_weekday_hour"]
    assert sum(sum(hours.values()) for hours in grid.values()) == 43
    assert grid["Thu"]["3"] == 6  # 6 Nov 2025, 03:00–03:59 local
    waits = {w["status"]: w for w in findings["unassigned_waits"]}
    assert waits["cancelled"]["requests"] == 27
    assert waits["cancelled"]["max_wait_minutes"] is None


def test_success_factors(findings: dict) -> None:
    rows = {(r["factor"], r["level"]): r for r in findings["success_factors"]}
    complete = rows[("profile", "complete")]
    assert (complete["mechanics"], complete["requests"], complete["completed"]) == (1, 5, 4)
    incomplete = rows[("profile", "incomplete")]
    assert (incomplete["mechanics"], incomplete["requests"], incomplete["cancelled"]) == (2, 8, 8)
    assert rows[("mechanic type", "virtual")]["requests"] == 8
    assert all(r["too_few"] for r in rows.values())


def test_verdict_explains_its_rules(findings: dict) -> None:
    v = findings["verdict"]
    assert v["rules"]["patterns"] == ["test"] and ".example" in v["rules"]["reserved_domains"]
    assert {"customer": "o***r@autodoctor.example", "requests": 1, "rule": "reserved_domain",
            "match": ".example"} in findings["test_accounts"]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Data quality",
        "2 requests marked completed name no mechanic",
        "1 request carries a customer e-mail different",
        "What changed",
        "no requests in the previous 9 days",
        "70–92 %",
        "80 % (38–96 %)",
        "Mechanic success factors",
        "split this period's mechanics in exactly the same way",
        "too few to call anyone the best performer",
        "no cancelled_at",
        "Yes: this is test data.",
        "Test accounts were recognised by",
    ],
)
def test_extra_sections_in_html(html: str, text: str) -> None:
    assert text in re.sub(r"<[^>]+>", "", html).replace("&#39;", "'")


def test_html_has_every_chart(html: str) -> None:
    # status, daily, per mechanic, response times, heatmap, per customer, success factors;
    # root causes: drivers of unassigned and of cancelled requests, coverage, acceptance curve
    assert html.count("<img") == 11


def test_profile_audit_runs_into_the_same_folder(report: Path) -> None:
    folder = run_report(
        Period.parse("2025-10-29", "2025-11-06"),
        report.parent,
        db=f"sqlite:///{DEMO_DB}",
        notebook=NOTEBOOKS / "profile_audit.ipynb",
    )
    assert folder == report
    assert sorted(p.name for p in folder.iterdir()) == [
        "customer_key_differences.csv",
        "customers.csv",
        "customers_without_profile.csv",
        "findings.json",
        "flagged_requests.csv",
        "incomplete_customers.csv",
        "incomplete_mechanics.csv",
        "mechanics.csv",
        "profile_audit.html",
        "profile_audit.ipynb",
        "profile_audit.json",
        "profile_audit.run.json",
        "session_investigation.html",
        "session_investigation.ipynb",
        "session_investigation.run.json",
    ]
    audit = json.loads((folder / "profile_audit.json").read_text())
    incomplete = sorted(m["mechanic_id"] for m in audit["mechanics"] if m["missing"])
    assert incomplete == sorted([M99C2, M0D88, M2750])
    by_type = {t["mechanic_type"]: t for t in audit["mechanics_by_type"]}
    assert (by_type["virtual"]["mechanics"], by_type["virtual"]["incomplete"]) == (4, 3)
    html = (folder / "profile_audit.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert "3 of 7 mechanics on record lack at least one of them" in text
    assert "start_date" not in text
    # everyone fits the top 15: the tables read as before, no "All other 0" row
    assert "other" not in " ".join(re.findall(r"<td[^>]*>([^<]*)</td>", html))
    assert audit["mechanics_others"]["count"] == audit["customers_others"]["count"] == 0
    # the full lists beside it, linked, and hashed in its run record like the investigation's
    for name in AUDIT_LIST_FILES.values():
        assert (folder / name).is_file()
    assert 'href="incomplete_mechanics.csv"' in html
    assert 'href="customer_key_differences.csv"' in html
    with (folder / "incomplete_mechanics.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == audit["incomplete_mechanics_count"] == 3
    record = json.loads((folder / "profile_audit.run.json").read_text())
    assert set(AUDIT_LIST_FILES.values()) <= set(record["outputs"])


def test_no_raw_e_mails_or_names_by_default(report: Path, findings: dict) -> None:
    for path in report.iterdir():
        text = path.read_text(errors="replace")
        for raw in ("cust1@test.com", "cust2@test.com", "owner@autodoctor", "Mechanic 1"):
            assert raw not in text, (path.name, raw)
    names = {m["name"] for m in findings["mechanics"]}
    assert names == {"M*** 1***", "M*** 2***", "A*** T***"}
    assert findings["test_accounts"][0]["customer"] == "c***1@test.com"


@pytest.fixture(scope="module")
def raw_findings(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same period with --no-redact (internal use)."""
    out = tmp_path_factory.mktemp("raw")
    code = main(
        ["run", "--start", "2025-10-29", "--end", "2025-11-06", "--out", str(out), "--no-redact"]
    )
    assert code == 0
    return json.loads((out / "2025-10-29_2025-11-06" / "findings.json").read_text())


def test_no_redact_shows_raw_e_mails(raw_findings: dict) -> None:
    assert [c["customer"] for c in raw_findings["customers"]][:2] == [
        "cust1@test.com",
        "cust2@test.com",
    ]
    assert {m["name"] for m in raw_findings["mechanics"]} >= {"Mechanic 1", "Mechanic 2"}


# --- root causes -----------------------------------------------------------------------------


def _retries_by_hand() -> dict[str, int]:
    """Retries and needs recomputed in pandas from the reference CSV: a request is a retry when
    the customer's previous request (any time before) failed at most 30 minutes earlier."""
    rows = pd.read_csv(DEMO_CSV_DIR / "session_requests.csv", parse_dates=["created_at"])
    rows = rows.sort_values(["customer_id", "created_at"])
    failed = rows["mechanic_id"].isna() | (rows["status"] == "cancelled")
    same = rows["customer_id"].eq(rows["customer_id"].shift())
    gap = rows["created_at"].diff().dt.total_seconds()
    retry = same & failed.shift(fill_value=False) & (gap <= 1800)
    ends = ~(failed & retry.shift(-1, fill_value=False))
    return {
        "requests": len(rows),
        "retries": int(retry.sum()),
        "needs": int(ends.sum()),
        "needs_failed": int((ends & failed).sum()),
        "requests_failed": int(failed.sum()),
    }


def test_root_causes_of_test_traffic(findings: dict, html: str) -> None:
    assert findings["verdict"]["test_data"] is True  # still reads as test data
    assert findings["retries"] == _retries_by_hand()  # the 43 requests are the whole CSV
    assert findings["retries"]["retries"] == 21
    keys = {
        "outcome",
        "dimension",
        "level",
        "requests",
        "failures",
        "rate",
        "interval",
        "rest_rate",
        "excess",
        "p_value",
        "enough_data",
    }
    assert findings["drivers"] and all(set(d) == keys for d in findings["drivers"])
    assert not any(d["enough_data"] and d["p_value"] < 0.05 for d in findings["drivers"])
    assert findings["acceptance_curve"]["share"][-1] == pytest.approx(13 / 43)  # every accepted
    unserved = [s for s in findings["coverage"] if s["no_supply"]]
    assert sum(s["requests"] for s in unserved) == 28
    text = re.sub(r"<[^>]+>", "", html).replace("&#39;", "'")
    for phrase in (
        "Primary cause: this is test traffic",
        "Unassigned requests: 30 of 43",
        "Demand met no supply in 13 slots",
        "21 requests of 43 (49 %) were retries",
        "82 % of needs ended without a session (18 of 22",
        "Nothing to compare for routing type: every request had broadcast.",
    ):
        assert phrase in text, phrase


def test_the_full_lists_beside_the_report(report: Path, findings: dict) -> None:
    """Every customer and mechanic of the reference fits the top 15, so findings.json and the
    CSV files list the same people; the CSVs are masked like the report."""
    with (report / "customers.csv").open(newline="") as handle:
        customers = list(csv.DictReader(handle))
    assert [c["customer"] for c in customers] == [c["customer"] for c in findings["customers"]]
    assert sum(int(c["requests"]) for c in customers) == 43
    assert findings["customers_others"] == {"count": 0, "requests": 0, "by_status": {}}
    with (report / "mechanics.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(findings["mechanics"]) == 3
    with (report / "flagged_requests.csv").open(newline="") as handle:
        flagged = list(csv.DictReader(handle))
    assert len(flagged) == findings["flagged_requests"]
    assert customers[0]["customer"] == "c***1@test.com"
