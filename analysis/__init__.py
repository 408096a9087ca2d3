"""Session-request investigation: queries, metrics, charts and reports for any period.

Start with ``analysis.findings.investigate`` (interactive) or ``python -m analysis run`` (reports).
"""

from analysis.findings import Findings, investigate
from analysis.period import Period

__all__ = ["Findings", "Period", "investigate"]
