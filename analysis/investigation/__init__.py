"""One period's figures and judgements, as data (no prose, no files, no masking)."""

from analysis.investigation.collect import collect, investigate
from analysis.investigation.drilldown import requests
from analysis.investigation.findings import Findings

__all__ = ["Findings", "collect", "investigate", "requests"]
