"""What a report writes besides its notebook: the JSON of its findings, and the code-free HTML
export of the executed notebook (the nbconvert template under ``templates/report``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

TEMPLATES = Path(__file__).resolve().parent / "templates"
# "interactive": cells for analysts in JupyterLab (the drill-down), not for readers.
HIDDEN_CELL_TAGS = {"parameters", "injected-parameters", "interactive"}


def write_json(product: Any, path: str | Path) -> Path:
    """``product.to_dict()`` (``Findings`` or ``ProfileAudit``) as indented JSON at ``path``."""
    target = Path(path)
    target.write_text(
        json.dumps(product.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return target


def export_html(notebook: Path, target: Path) -> Path:
    """The executed notebook as HTML for readers: no code, no prompts, no parameter cells."""
    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target
