"""Session-request investigation: queries, metrics, charts and reports for any period.

Layers, each importing only from those before it: ``analysis.source`` (reading the platform's
data) → ``analysis.investigation`` (one period's figures and judgements: ``investigate``,
``Findings``, and the requests behind them: ``requests``) → ``analysis.report`` (sentences,
tables, charts, masking) → ``analysis.runs`` (notebook runs, batches, the index).
``analysis.load`` writes databases; nothing analytical imports it. Start with ``investigate``
(interactive) or ``python -m analysis run`` (reports).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.investigation import Findings, investigate, requests
    from analysis.period import Period

__all__ = ["Findings", "Period", "investigate", "requests"]


def __getattr__(name: str) -> Any:
    """``investigate``, ``requests``, ``Findings``, ``Period``, imported when first asked for
    (PEP 562): ``python -m analysis`` starts a notebook's kernel before it pays for scipy,
    statsmodels and the charts."""
    if name not in __all__:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    # Importing the report lends Findings its readable tables and summary card (f.table(name),
    # f.tables(), the card JupyterLab shows): analysis.report.views registers them.
    import analysis.report.views  # noqa: F401
    from analysis import investigation, period

    return getattr(period if name == "Period" else investigation, name)
