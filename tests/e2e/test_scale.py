"""The report at scale: 5,000 customers and 300 mechanics give a report of bounded size whose
tables fit the page, with the full lists in CSV files beside it that add up to the totals."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from rows import local, make_db, mechanic, request
from runs import analysis_cli

from analysis.runs.browser import CHROMIUM, VIEWPORT, check_pages
from analysis.runs.layout import LIST_FILES

CUSTOMERS, MECHANICS = 5000, 300
START, END = "2025-10-29", "2025-11-06"
STATUSES = ("completed", "cancelled", "pending")
MAX_TABLE_ROWS = 300  # "a few hundred", whatever the number of customers and mechanics


def requests_of(customer: int) -> int:
    """A long tail: customer 0 makes 201 requests, most make one."""
    return 1 + 200 // (customer + 1)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("scale")
    mechanics = [
        mechanic(name=f"Mechanic {m}", city=None if m % 7 else "Toronto") for m in range(MECHANICS)
    ]
    rows, n = [], 0
    for c in range(CUSTOMERS):
        for _ in range(requests_of(c)):
            status = STATUSES[n % len(STATUSES)]
            created = local(2025, 10, 29 + n % 3, 8 + n % 12, n % 60)
            assigned = status == "completed"
            rows.append(
                request(
                    customer_email=f"customer{c}@inbox.ca",
                    status=status,
                    created_at=created,
                    mechanic_id=mechanics[n // len(STATUSES) % MECHANICS]["id"]
                    if assigned
                    else None,
                    accepted_at=created.replace(minute=(created.minute + 1) % 60)
                    if assigned and created.minute < 59
                    else None,
                )
            )
            n += 1
    url = make_db(tmp, requests=rows, mechanics=mechanics)
    out = tmp / "reports"
    done = analysis_cli("run", "--start", START, "--end", END, "--db", url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out / f"{START}_{END}"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_customers_csv_lists_every_customer_and_adds_up(report: Path) -> None:
    rows = _csv(report / LIST_FILES["customers"])
    total = sum(requests_of(c) for c in range(CUSTOMERS))
    assert len(rows) == CUSTOMERS
    assert len({r["customer"] for r in rows}) == CUSTOMERS
    assert sum(int(r["requests"]) for r in rows) == total
    for status in STATUSES:  # one column per status, adding up to each row's requests
        assert status in rows[0]
    assert all(int(r["requests"]) == sum(int(r[s]) for s in STATUSES) for r in rows)
    # masked like the report: no raw e-mail
    assert not any(re.fullmatch(r"customer\d+@inbox\.ca", r["customer"]) for r in rows)


def test_mechanics_and_flagged_csv(report: Path) -> None:
    mechanics = _csv(report / LIST_FILES["mechanics"])
    findings = json.loads((report / "findings.json").read_text())
    assert len(mechanics) == MECHANICS
    assert (
        sum(int(m["requests"]) for m in mechanics) == findings["requests"]["by_status"]["completed"]
    )
    flagged = _csv(report / LIST_FILES["flagged_requests"])
    assert len(flagged) == findings["flagged_requests"]
    assert list(flagged[0]) == ["request_id", "checks"] if flagged else True


def test_findings_json_keeps_the_top_and_the_totals(report: Path) -> None:
    f = json.loads((report / "findings.json").read_text())
    total = f["requests"]["total"]
    for key, rest, distribution in (
        ("customers", "customers_others", "customer_distribution"),
        ("mechanics", "mechanics_others", "mechanic_distribution"),
    ):
        assert len(f[key]) == 15
        assert sum(e["requests"] for e in f[key]) + f[rest]["requests"] == (
            total if key == "customers" else f["requests"]["by_status"]["completed"]
        )
        assert len(f[key]) + f[rest]["count"] == f[distribution]["entities"]
    d = f["customer_distribution"]
    assert (d["entities"], d["max"], d["median"]) == (CUSTOMERS, requests_of(0), 1)
    assert d["single"] == sum(requests_of(c) == 1 for c in range(CUSTOMERS))
    assert (report / "findings.json").stat().st_size < 300_000


def test_html_tables_are_bounded_and_link_the_lists(report: Path) -> None:
    html = (report / "session_investigation.html").read_text()
    assert html.count("<tr") <= MAX_TABLE_ROWS
    for name in LIST_FILES.values():
        assert f'href="{name}"' in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "All other 4,985 customers" in text
    assert "All other 285 mechanics" in text


@pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}: make browser")
def test_every_table_fits_the_page_in_a_browser(report: Path) -> None:
    (check,) = check_pages([report / "session_investigation.html"], screenshots=False)
    assert check.problems == []
    assert check.table_sizes and all(t["width"] <= VIEWPORT["width"] for t in check.table_sizes)
    assert not [t for t in check.table_sizes if t["clipped"]]  # none wider than its column
    assert sum(t["rows"] for t in check.table_sizes) <= MAX_TABLE_ROWS
