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
