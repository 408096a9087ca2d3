"""The command line's options become the notebook parameters the user set, and only those."""

from __future__ import annotations

from analysis.cli import _parameters, _parser

PERIOD = ["run", "--start", "2025-10-29", "--end", "2025-11-06"]


def test_options_left_out_leave_the_library_defaults() -> None:
    assert _parameters(_parser().parse_args(PERIOD)) == {}


def test_the_retry_window_reaches_the_notebook() -> None:
    args = _parser().parse_args([*PERIOD, "--retry-window", "45"])
    assert _parameters(args) == {"retry_window_minutes": 45}


def test_repeated_list_options_replace_the_default_list() -> None:
    args = _parser().parse_args([*PERIOD, "--test-domain", "a.test", "--test-domain", "b.test"])
    assert _parameters(args) == {"test_reserved_domains": ["a.test", "b.test"]}


def test_run_refuses_bad_input_before_a_kernel_starts(monkeypatch, tmp_path, capsys) -> None:
    """A period in the future or an option the notebook lacks costs no kernel start."""
    from analysis.cli import EXIT_BAD_INPUT, main
    from analysis.runs.kernel import KernelSession

    def refuse(*_: object) -> None:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(KernelSession, "start", refuse)
    out = ["--out", str(tmp_path / "out")]
    future = ["run", "--start", "2999-01-01", "--end", "2999-01-31", *out]
    audit = [*PERIOD, "--notebook", "profile_audit", "--min-requests", "3", *out]
    for argv in (future, audit):
        assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "entirely in the future" in err and "has no parameter min_requests" in err
    assert not (tmp_path / "out").exists()
