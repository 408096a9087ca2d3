"""What a report writes besides its notebook: the JSON of its findings, the full lists as CSV
files, and the code-free HTML export of the executed notebook (the nbconvert template under
``templates/report``)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from nbconvert import HTMLExporter
from nbconvert.exporters.html import Highlight2HTML, WidgetsDataTypeFilter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from analysis.investigation.metrics import MECHANIC_ATTRIBUTES

TEMPLATES = Path(__file__).resolve().parent / "templates"
# "interactive": cells for analysts in JupyterLab (the drill-down), not for readers.
HIDDEN_CELL_TAGS = {"parameters", "injected-parameters", "interactive"}


# The full lists beside a report, by kind (analysis.runs.layout names their files).
CUSTOMERS, MECHANICS, FLAGGED_REQUESTS = "customers", "mechanics", "flagged_requests"
LISTS = (CUSTOMERS, MECHANICS, FLAGGED_REQUESTS)
CUSTOMER_COLUMNS = (
    "customer",
    "requests",
    "share",
    "completion_rate",
    "cancel_rate",
    "active_days",
    "busiest_day",
    "busiest_day_requests",
    "test_account",
    "pattern",
)
# The mechanic's name, then the rates, then the rest of their profile (metrics' attributes).
MECHANIC_COLUMNS = (
    "mechanic_id",
    MECHANIC_ATTRIBUTES[0],
    "requests",
    "completion_rate",
    "cancel_rate",
    *MECHANIC_ATTRIBUTES[1:],
)


def write_json(product: Any, path: str | Path, **options: Any) -> Path:
    """``product.to_dict(**options)`` (``Findings`` or ``ProfileAudit``; e.g. ``top_n``) as
    indented JSON at ``path``."""
    target = Path(path)
    target.write_text(
        json.dumps(product.to_dict(**options), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return target


def full_lists(findings: Any) -> dict[str, pd.DataFrame]:
    """The full per-entity lists of a ``Findings`` (already aggregated by the database; masked
    when the findings are): ``customers`` (customer, requests, one count per status, share,
    completion_rate, cancel_rate, active_days, busiest_day, busiest_day_requests,
    test_account, pattern; one row per customer key, busiest first), ``mechanics``
    (mechanic_id, name, requests, one count per status, the rates, the profile columns; one
    row per mechanic who took requests) and ``flagged_requests`` (request_id, checks: the
    data-quality checks it fails, ``;``-joined)."""
    statuses = findings.statuses
    return {
        CUSTOMERS: _columns(findings.customers, CUSTOMER_COLUMNS, statuses),
        MECHANICS: _columns(findings.mechanics, MECHANIC_COLUMNS, statuses),
        FLAGGED_REQUESTS: findings.flagged,
    }


def _columns(table: pd.DataFrame, columns: tuple[str, ...], statuses: list[str]) -> pd.DataFrame:
    """``columns`` with one count column per status after ``requests`` (0 when absent)."""
    wanted = [*columns[: columns.index("requests") + 1], *statuses]
    wanted += columns[columns.index("requests") + 1 :]
    out = table.reindex(columns=wanted)
    for s in statuses:
        out[s] = out[s].fillna(0).astype(int)
    return out


def write_lists(findings: Any, files: dict[str, str], folder: str | Path = ".") -> list[Path]:
    """Write ``full_lists(findings)`` as CSV into ``folder``, under the names ``files`` gives
    each kind (``analysis.runs.layout.LIST_FILES``); return the paths written."""
    written = []
    for kind, frame in full_lists(findings).items():
        target = Path(folder) / files[kind]
        frame.to_csv(target, index=False)
        written.append(target)
    return written


@functools.cache
def _exporter() -> ReportExporter:
    """One exporter per process: its templates are compiled once (a batch worker exports
    period after period)."""
    exporter = ReportExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def export_html(notebook: Path, target: Path) -> Path:
    """The executed notebook as HTML for readers: no code, no prompts, no parameter cells."""
    body, _ = _exporter().from_notebook_node(read_notebook(notebook))
    target.write_text(body, encoding="utf-8")
    return target


IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")
FOCUSABLE = re.compile(
    r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")'
)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A version-4 notebook, without nbformat's JSON-schema validation: the runner wrote it
    (validating a large notebook costs seconds and imports jsonschema's format checkers)."""
    text = Path(path).read_text(encoding="utf-8")
    if json.loads(text).get("nbformat") != 4:
        return nbformat.reads(text, as_version=4)
    return nbformat.v4.nbjson.reads(text)


class ReportExporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass over the whole page (which
    takes most of the export on a report with large tables): the two things it does, alt
    text on images that lack it and focusable cells, are done with regular expressions."""

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        html = IMG_WITHOUT_ALT.sub(
            '<img alt="No description has been provided for this image"', html
        )
        return FOCUSABLE.sub(r'\1 tabindex="0"', html), resources
