"""The notebooks as an analyst runs them (no findings.json): the drill-down at the end, text
that points at it, masked e-mails that are never links, and one-line errors in the kernel."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from analysis.period import Period
from analysis.runs.layout import NOTEBOOK
from analysis.runs.runner import kernel_name, run_report

TIMEOUT = 300


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name=kernel_name(),
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    return client.execute()


def outputs(cell: nbformat.NotebookNode, kind: str) -> str:
    return "\n".join(
        "".join(o.get("data", {}).get(kind, "")) for o in cell.get("outputs", []) if "data" in o
    )


@pytest.fixture(scope="module")
def interactive() -> nbformat.NotebookNode:
    """The investigation notebook as it is in the repository: findings_path None."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    return execute(notebook, NOTEBOOK.parent)


def test_the_notebook_runs_without_error(interactive) -> None:
    errors = [o for c in interactive.cells for o in c.get("outputs", []) if o.get("ename")]
    assert errors == []


def test_data_quality_points_to_the_drill_down(interactive) -> None:
    text = "\n".join(outputs(c, "text/markdown") for c in interactive.cells)
    assert "findings.json" not in text.replace("readers have findings.json", "")
    assert 'f.requests(anomaly="completed_without_mechanic")' in text
    assert "Customers are grouped by the e-mail on each request" in text


def test_masked_e_mails_are_never_autolinked(interactive) -> None:
    text = "\n".join(outputs(c, "text/markdown") for c in interactive.cells)
    assert "c\\*\\*\\*1<span>@</span>test.com" in text
    # A bare "1@test.com" is what JupyterLab's Markdown renderer turns into a mailto link.
    assert not re.search(r"[\w.+-]@test\.com", text)


def test_the_dig_deeper_cell_lists_the_requests_behind_a_figure(interactive) -> None:
    last = interactive.cells[-1]
    assert "interactive" in last.metadata.get("tags", [])
    table = outputs(last, "text/html")
    assert table.count("</tr>") == 27 + 1  # the 27 cancelled before assignment, and the header
    assert "c***1@test.com" in table and "cust1@test.com" not in table


def test_errors_are_one_line_and_findings_a_summary(tmp_path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("from analysis import investigate"),
        nbformat.v4.new_code_cell('investigate("2025-11-31", "2025-12-06")'),
        nbformat.v4.new_code_cell('f = investigate("2025-10-29", "2025-11-06")\nf'),
        nbformat.v4.new_code_cell('f.requests(anomaly="late")'),
    ]
    done = execute(notebook, tmp_path)
    error = done.cells[1].outputs[0]
    assert error.output_type == "error" and error.ename == "AnalysisError"
    assert error.traceback == [
        "\x1b[0;31mAnalysisError\x1b[0m: start date 2025-11-31: November 2025 has 30 days"
    ]
    card = done.cells[2].outputs[0]["data"]
    assert "43 (36 cancelled, 6 completed, 1 pending)" in card["text/html"]
    assert card["text/plain"].startswith("Findings 2025-10-29 .. 2025-11-06 (9 days,")
    assert len(done.cells[3].outputs[0].traceback) == 1


def test_a_report_keeps_findings_json_and_leaves_the_drill_down_out(tmp_path) -> None:
    folder = run_report(Period.parse("2025-10-29", "2025-11-06"), tmp_path)
    html = (folder / "session_investigation.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert "flagged_requests.csv lists every flagged request and its checks" in text
    assert "f.requests(" not in text and "Dig deeper" not in text
    executed = nbformat.read(folder / "session_investigation.ipynb", as_version=4)
    assert executed.cells[-1].get("outputs") == []  # skipped: findings_path is set
