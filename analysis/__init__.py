"""Session-request investigation: queries, metrics, charts and reports for any period.

Layers, each importing only from those before it: ``analysis.source`` (reading the platform's
data) → ``analysis.investigation`` (one period's figures and judgements: ``investigate``,
``Findings``, and the requests behind them: ``requests``) → ``analysis.report`` (sentences,
tables, charts, masking) → ``analysis.runs`` (notebook runs, batches, the index).
``analysis.load`` writes databases; nothing analytical imports it. Start with ``investigate``
(interactive) or ``python -m analysis run`` (reports).
"""

# Importing the report lends Findings its readable tables and summary card (f.table(name),
# f.tables(), the card JupyterLab shows): analysis.report.views registers them.
import analysis.report.views  # noqa: F401
from analysis.investigation import Findings, investigate, requests
from analysis.period import Period

__all__ = ["Findings", "Period", "investigate", "requests"]
