"""Markdown for notebooks: masked e-mails and names shown as written, never as links."""

from __future__ import annotations

from analysis.report.display import markdown


def test_a_masked_e_mail_is_neither_bold_nor_a_link() -> None:
    text = markdown("**c***1@test.com** created 77 % of all requests")
    assert text == r"**c\*\*\*1<span>@</span>test.com** created 77 % of all requests"
    assert "1@test.com" not in text  # what JupyterLab would autolink (mailto:1@test.com)


def test_every_masked_e_mail_and_name_in_a_sentence() -> None:
    text = markdown("c***1@test.com (A*** T***), o***r@autodoctor.example #2 and x@y.org")
    assert text == (
        r"c\*\*\*1<span>@</span>test.com (A\*\*\* T\*\*\*), "
        r"o\*\*\*r<span>@</span>autodoctor.example #2 and x@y.org"
    )


def test_text_without_masks_is_unchanged() -> None:
    assert markdown("43 requests; see `f.requests()`") == "43 requests; see `f.requests()`"
