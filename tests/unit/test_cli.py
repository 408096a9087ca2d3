"""The command line's options become the notebook parameters the user set, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import _parameters, _parser, main
from analysis.runs import browser
from analysis.runs.browser import PageCheck
from analysis.runs.layout import declared_parameters, notebook_path

PERIOD = ["run", "--start", "2025-10-29", "--end", "2025-11-06"]


def test_options_left_out_leave_the_library_defaults() -> None:
    assert _parameters(_parser().parse_args(PERIOD)) == {}


def test_the_retry_window_reaches_the_notebook() -> None:
    args = _parser().parse_args([*PERIOD, "--retry-window", "45"])
    assert _parameters(args) == {"retry_window_minutes": 45}


def test_repeated_list_options_replace_the_default_list() -> None:
    args = _parser().parse_args([*PERIOD, "--test-domain", "a.test", "--test-domain", "b.test"])
    assert _parameters(args) == {"test_reserved_domains": ["a.test", "b.test"]}


@pytest.mark.parametrize("command", ["run", "batch"])
def test_bad_input_is_refused_before_a_kernel_starts(
    command, monkeypatch, tmp_path, capsys
) -> None:
    """A period in the future or an option the notebook lacks: one line, exit 2, no kernel
    started and nothing written (a batch: not one failure per period)."""
    from analysis.cli import EXIT_BAD_INPUT
    from analysis.runs.kernel import KernelSession

    def refuse(*_: object) -> None:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(KernelSession, "start", refuse)
    out = ["--out", str(tmp_path / "out"), *(["--every", "week"] if command == "batch" else [])]
    future = [command, "--start", "2999-01-01", "--end", "2999-01-31", *out]
    audit = [command, *PERIOD[1:], "--notebook", "profile_audit", "--min-requests", "3", *out]
    for argv in (future, audit):
        assert main(argv) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
    assert "has no parameter min_requests" in err
    assert not (tmp_path / "out").exists()


def test_top_reaches_the_profile_audit_too() -> None:
    args = _parser().parse_args([*PERIOD, "--notebook", "profile_audit", "--top", "5"])
    assert _parameters(args) == {"top_n": 5}
    assert "top_n" in declared_parameters(notebook_path("profile_audit"))


def test_check_opens_every_notebooks_page(tmp_path, monkeypatch) -> None:
    """The profile audit's page is checked in the browser like the investigation's."""
    seen: list[Path] = []

    def check_pages(pages, screenshots=True):
        seen.extend(pages)
        return [PageCheck(path=p, tables=1) for p in pages]

    monkeypatch.setattr(browser, "check_pages", check_pages)
    for label in ("2025-11-03_2025-11-03", "2025-11-04_2025-11-04"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "session_investigation.html").write_text("<table></table>")
    (tmp_path / "2025-11-03_2025-11-03" / "profile_audit.html").write_text("<table></table>")
    assert main(["check", "--out", str(tmp_path), "--no-screenshots"]) == 0
    assert sorted(p.relative_to(tmp_path).as_posix() for p in seen) == [
        "2025-11-03_2025-11-03/profile_audit.html",
        "2025-11-03_2025-11-03/session_investigation.html",
        "2025-11-04_2025-11-04/session_investigation.html",
    ]
