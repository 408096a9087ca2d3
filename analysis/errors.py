"""The one exception type users see: a message saying what is wrong, where, and how to fix it."""


class AnalysisError(Exception):
    """Bad input or an unusable database; the CLI prints the message alone and exits 2, and
    IPython/Jupyter show the message alone, without the library's frames."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the one line (its name in red)."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]
