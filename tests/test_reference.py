"""The reference reproduction: the notebook run through the runner on the demo database for the
reference period must give every figure of ../shared/reference/README.md."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.db import DEMO_DB
from analysis.period import Period
from analysis.report import run_report

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


def test_outputs_are_the_three_files(report: Path) -> None:
    names = sorted(p.name for p in report.iterdir())
    assert names == ["findings.json", "session_investigation.html", "session_investigation.ipynb"]
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".")]


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
    statuses = {r["metric"]: r["status"] for r in findings["readiness"]}
    assert statuses["Working mechanics"] == "Need 2 more"
    assert statuses["Test customers"] == "Need 2 more"
    assert statuses["Session requests"] == "Exceeds"
    text = " ".join(findings["recommendations"])
    assert all(short in text for short in ("99c254c1", "0d887221", "2750cdea"))


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
    assert "<img" in html and "data:image/png;base64" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_database_location_never_written(report: Path) -> None:
    for path in report.iterdir():
        assert URL_TOKEN not in path.read_text(errors="replace"), path.name


def test_no_raw_e_mails_or_names_by_default(report: Path, findings: dict) -> None:
    for path in report.iterdir():
        text = path.read_text(errors="replace")
        for raw in ("cust1@test.com", "cust2@test.com", "owner@autodoctor", "Mechanic 1"):
            assert raw not in text, (path.name, raw)
    names = {m["name"] for m in findings["mechanics"]}
    assert names == {"M*** 1***", "M*** 2***", "A*** T***"}
    assert "c***1@test.com" in " ".join(findings["verdict"]["reasons"])


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
