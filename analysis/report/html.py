"""The code-free HTML export of an executed notebook, for readers (the nbconvert template under
``templates/report``)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.html import Highlight2HTML, WidgetsDataTypeFilter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.preprocessors import TagRemovePreprocessor

TEMPLATES = Path(__file__).resolve().parent / "templates"
# "interactive": cells for analysts in JupyterLab (the drill-down), not for readers.
HIDDEN_CELL_TAGS = {"parameters", "injected-parameters", "interactive"}


@functools.cache
def exporter() -> ReportExporter:
    """One exporter per process, ready: its templates compiled and what it imports on first use
    imported, by exporting a small notebook (a batch worker exports period after period; the
    runner calls this while a kernel starts)."""
    made = ReportExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)])
    made.exclude_input = True
    made.exclude_input_prompt = True
    made.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS, enabled=True)
    made.register_preprocessor(remover, enabled=True)
    shown = {"text/html": "<b>a</b>", "text/markdown": "*a*", "image/svg+xml": "<svg></svg>"}
    sample = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# a\n\n**a** `a`\n\n| a |\n|---|\n| 1 |"),
            nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", shown)]),
        ]
    )
    made.from_notebook_node(sample)
    return made


def export_html(notebook: nbformat.NotebookNode, target: Path) -> Path:
    """The executed notebook (as the runner holds it, not read back from disk) as HTML for
    readers: no code, no prompts, no parameter cells."""
    body, _ = exporter().from_notebook_node(notebook)
    target.write_text(body, encoding="utf-8")
    return target


IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")
FOCUSABLE = re.compile(
    r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")'
)


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
