"""Showing Markdown and tables in a notebook (and so in the exported HTML report)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from IPython.display import Markdown, display
from pandas.io.formats.style import Styler

from analysis.report.masking import EMAIL_LIKE, HIDDEN

MARKDOWN_HIDDEN = HIDDEN.replace("*", r"\*")
# An @ no Markdown renderer takes for the middle of an e-mail address.
UNLINKED_AT = "<span>@</span>"


def _unlinked(match: re.Match[str]) -> str:
    text = match.group(0)
    return text.replace("@", UNLINKED_AT) if HIDDEN in text else text


def markdown(text: str) -> str:
    """``text`` as Markdown that shows masked e-mails and names as written: their asterisks
    escaped (not bold), and a masked e-mail's @ wrapped so JupyterLab does not turn its
    visible tail (``1@test.com`` of ``c***1@test.com``) into a mailto link."""
    return EMAIL_LIKE.sub(_unlinked, text).replace(HIDDEN, MARKDOWN_HIDDEN)


def md(text: str) -> None:
    """Show Markdown (``markdown``: masked e-mails and names shown as written, never links)."""
    display(Markdown(markdown(text)))


# A table with more columns than this is marked ``wide``: the report's template sets it in a
# smaller type with tighter cells, so it fits the page width (1280 px) with its cells wrapped.
WIDE_COLUMNS = 9
# Whole-number columns are counts, written with thousands separators, unless a word of their
# name says they are not: a year, an id, a code or a phone number is written as it is
# ("2025", not "2,025").
NOT_COUNT_WORDS = frozenset({"year", "id", "code", "phone", "zip"})


def count_columns(frame: pd.DataFrame) -> list[str]:
    """The columns ``table`` writes with thousands separators by default: the whole-number
    columns, except those with a word of ``NOT_COUNT_WORDS`` in their name (``Year``,
    ``Mechanic id``, ``postal_code``)."""
    return [
        c
        for c in frame.columns
        if frame[c].dtype.kind in "iu"
        and not NOT_COUNT_WORDS & set(re.findall(r"[a-z]+", str(c).lower()))
    ]


# A word longer than this (an unmasked e-mail, a whole id, a URL) may break anywhere, so
# that one value cannot widen its table past the page; shorter ones break between words only.
LONG_WORD = 24


def _breakable(value: object) -> str:
    """The CSS of a text cell: ``overflow-wrap: anywhere`` when it holds a long word."""
    long = isinstance(value, str) and any(len(w) > LONG_WORD for w in value.split())
    return "overflow-wrap: anywhere;" if long else ""


def table(frame: pd.DataFrame, counts: Iterable[str] | None = None) -> Styler:
    """A display table without the index: text left-aligned, numbers right-aligned; the
    ``counts`` columns (default: ``count_columns``) with thousands separators, the other
    numbers as they are (already formatted by the caller); a text cell with a word longer
    than ``LONG_WORD`` may break inside it; more than ``WIDE_COLUMNS`` columns: class
    ``wide``."""
    text = [c for c in frame.columns if frame[c].dtype.kind not in "iuf"]
    counted = count_columns(frame) if counts is None else list(counts)
    styled = (
        frame.style.hide(axis="index")
        .format("{:,}", subset=counted)
        .set_properties(subset=text, **{"text-align": "left"})
        .map(_breakable, subset=text)
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
    )
    if len(frame.columns) > WIDE_COLUMNS:
        styled = styled.set_table_attributes('class="wide"')
    return styled
