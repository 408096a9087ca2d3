"""Showing Markdown and tables in a notebook (and so in the exported HTML report)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display
from pandas.io.formats.style import Styler

from analysis.report.masking import HIDDEN

MARKDOWN_HIDDEN = HIDDEN.replace("*", r"\*")


def md(text: str) -> None:
    """Show Markdown. The asterisks of masked e-mails and names (``c***1@test.com``) are
    escaped so they show as written, not as bold."""
    display(Markdown(text.replace(HIDDEN, MARKDOWN_HIDDEN)))


def table(frame: pd.DataFrame) -> Styler:
    """A display table without the index: text left-aligned, numbers right-aligned (numbers
    already formatted by the caller)."""
    text = [c for c in frame.columns if frame[c].dtype.kind not in "iuf"]
    return (
        frame.style.hide(axis="index")
        .set_properties(subset=text, **{"text-align": "left"})
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
    )
