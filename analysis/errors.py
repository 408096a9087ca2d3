"""The one exception type users see: a message saying what is wrong, where, and how to fix it."""


class AnalysisError(Exception):
    """Bad input or an unusable database; the CLI prints the message alone and exits 2."""
