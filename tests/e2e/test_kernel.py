"""The runner's kernel (KernelSession, a real Jupyter kernel): a chart is shown once, as SVG
uncropped, and pyplot's own post-execute hook (which drew every figure once more) is gone,
in the first notebook on a kernel and in the next one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from analysis.report.plots import FIGSIZE
from analysis.runs.kernel import KernelSession

CHART = (
    "import pandas\n"
    "import analysis.report.plots as plots\n"
    "plots.use_theme()\n"
    'status = pandas.DataFrame({"status": ["completed"], "requests": [3], "share": [1.0]})\n'
    "plots.requests_by_status(status);"
)
HOOK = (
    "import matplotlib.pyplot\n"
    "print('hook:', matplotlib.pyplot._draw_all_if_interactive\n"
    "      in get_ipython().events.callbacks['post_execute'])"
)


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CHART), nbformat.v4.new_code_cell(HOOK)]
    return nb


@pytest.fixture(scope="module")
def session() -> Iterator[KernelSession]:
    with KernelSession() as kernel:
        yield kernel


def run(session: KernelSession, cwd: Path) -> nbformat.NotebookNode:
    return session.execute(notebook(), cwd, {}, name="charts.ipynb")


def check_chart_shown_once(executed: nbformat.NotebookNode) -> None:
    chart, hook = executed.cells
    shown = [o for o in chart.outputs if o.output_type == "display_data"]
    assert len(shown) == 1, chart.outputs
    data = shown[0].data
    assert "image/svg+xml" in data
    assert "image/png" not in data
    # a chart of plots.py has its margins set (fit): shown whole, not cropped
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', data["image/svg+xml"])
    assert width is not None
    assert float(width[1]) == pytest.approx(FIGSIZE[0] * 72)
    printed = "".join(o.get("text", "") for o in hook.outputs if o.output_type == "stream")
    assert printed.strip() == "hook: False"


def test_a_chart_is_shown_once_as_svg_without_pyplots_hook(
    session: KernelSession, tmp_path: Path
) -> None:
    check_chart_shown_once(run(session, tmp_path))


def test_the_next_notebook_on_the_same_kernel_shows_it_once_and_nothing_else(
    session: KernelSession, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    first.mkdir()
    second.mkdir()
    check_chart_shown_once(run(session, first))
    started = session.started
    executed = run(session, second)
    check_chart_shown_once(executed)
    assert session.started == started  # the same kernel, reset in between
    # no history-session error (or anything else) printed that the notebook did not ask for
    printed = [o.get("text", "") for c in executed.cells for o in c.outputs]
    assert not any("ERROR!" in text for text in printed), printed
