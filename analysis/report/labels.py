"""One short label per id for a whole report: every table, sentence and chart that shows an
id shows the same label for it, and no label stands for two ids.

The labels are worked out once per ``Findings`` from every id it holds (``report_ids``:
mechanics on record and taking requests, the customers behind the period's profiles, the
requests a data-quality check flagged), so they also tell apart the ids of the CSV lists
beside the report. Ids are never masked, so a masked ``Findings`` gets the same labels.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from analysis.investigation.findings import Findings
from analysis.report.text import id_labels, id_text


class IdLabels:
    """id → label for one report (``text.id_labels`` of all its ids). Call it with ids to
    get their labels, in order: a missing id is a dash, an id the report does not hold is
    shown whole (its first block could be another id's label)."""

    def __init__(self, ids: Iterable[Any]) -> None:
        self.labels = id_labels(ids)

    def __call__(self, values: Iterable[Any]) -> list[str]:
        return [self.label(v) for v in values]

    def label(self, value: Any) -> str:
        text = id_text(value)
        if not text:
            return "—"
        return self.labels.get(text) or text


def report_ids(f: Findings) -> Iterator[Any]:
    """Every id ``f`` holds that the report may show: the roster's and the working
    mechanics' ``mechanic_id``, ``customer_profiles``' ``customer_id``, and each check's
    ``anomalies.request_ids``."""
    yield from f.mechanic_roster.get("mechanic_id", [])
    yield from f.mechanics.get("mechanic_id", [])
    yield from f.customer_profiles.get("customer_id", [])
    for ids in f.anomalies.get("request_ids", []):
        yield from ids


_made: dict[int, tuple[weakref.ref[Findings], IdLabels]] = {}


def labels_of(f: Findings) -> IdLabels:
    """The report's id labels for ``f``, worked out on first use and kept while ``f`` lives
    (every section of one report gets the same object)."""
    key = id(f)
    kept = _made.get(key)
    if kept is not None and kept[0]() is f:
        return kept[1]
    labels = IdLabels(report_ids(f))
    _made[key] = (weakref.ref(f), labels)
    weakref.finalize(f, _made.pop, key, None)
    return labels
