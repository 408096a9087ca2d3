"""Masking personal data before anything is shown: e-mails, names and phone numbers.

Each product declares its personal columns (``Findings.PERSONAL``, ``ProfileAudit.PERSONAL``:
table → column → kind); ``redact`` masks those columns in the frames, so every sentence, table
and chart made afterwards shows masks only. No pattern is ever searched for in finished text.

- an e-mail, ``cust1@test.com`` → ``c***1@test.com``: first and last character of the local
  part, domain kept; every e-mail-shaped part of a personal value is masked so, wherever it
  stands (``Customer B <b@x.com>`` → ``C*** B*** <b***@x.com>``: the words around it are
  masked as a name);
- a name, ``Alex Tremblay`` → ``A*** T***``: the initial of each word;
- a phone, ``+1 416 555 0199`` → ``***99``: the last two digits.

A masked ``Findings`` keeps the masks it was made with (``RequestMasks``), so the requests
listed from it (``f.requests()``) show the same masks as its tables.

A value of an e-mail column holding no e-mail (a customer id used as the grouping key) is not
personal and stays as it is. Masks are stable within a report (one person, one mask, in every
table) and distinct: when two values would get the same mask, later ones (in sorted order) get
``#2``, ``#3``, … so rows can still be told apart.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any, TypeVar

import pandas as pd

from analysis.errors import AnalysisError
from analysis.investigation.findings import EMAIL, NAME, PHONE

HIDDEN = "***"
EMAIL_LIKE = re.compile(r"[^@\s<>(),;:\"'\[\]]+@[^@\s<>(),;:\"'\[\]]+")
WORD = re.compile(r"[^\s<>(),;:\"'\[\]]+")
NOT_DIGIT = re.compile(r"\D")

Product = TypeVar("Product")


def mask_email(value: str) -> str:
    """``cust1@test.com`` → ``c***1@test.com``; text that is not one e-mail is returned as is."""
    local, at, domain = value.strip().partition("@")
    if not at or not local or not domain or "@" in domain:
        return value
    kept = local[0] + HIDDEN + (local[-1] if len(local) > 2 else "")
    return f"{kept}@{domain}"


def mask_name(value: str) -> str:
    """``Alex Tremblay`` → ``A*** T***``; e-mails inside are masked as e-mails."""
    return _mask_text(value, always=True)


def mask_phone(value: str) -> str:
    """``+1 416 555 0199`` → ``***99``."""
    digits = NOT_DIGIT.sub("", value)
    return HIDDEN + digits[-2:] if digits else value


def _mask_text(value: str, always: bool) -> str:
    """E-mail-shaped parts masked as e-mails and the words outside them as initials; with
    ``always`` False, text without an e-mail is left as it is (not personal)."""
    emails = list(EMAIL_LIKE.finditer(value))
    if not emails:
        return WORD.sub(lambda m: m.group(0)[0] + HIDDEN, value) if always else value
    if len(emails) == 1 and emails[0].group(0) == value.strip():
        return mask_email(value)
    out, last = [], 0
    for match in emails:
        out.append(WORD.sub(lambda m: m.group(0)[0] + HIDDEN, value[last : match.start()]))
        out.append(mask_email(match.group(0)))
        last = match.end()
    out.append(WORD.sub(lambda m: m.group(0)[0] + HIDDEN, value[last:]))
    return "".join(out)


MASKS = {
    EMAIL: lambda v: _mask_text(v, always=False),
    NAME: mask_name,
    PHONE: mask_phone,
}


class Masker:
    """Raw value → mask for one report, stable and collision-free."""

    def __init__(self) -> None:
        self._masks: dict[str, str] = {}
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}  # mask → the next "#n" to try for it

    def add(self, values: Iterable[Any], kind: str) -> None:
        """Register ``values`` (non-strings and blanks ignored), masked as ``kind``."""
        mask = MASKS[kind]
        for raw in sorted(
            {v for v in values if isinstance(v, str) and v.strip()} - set(self._masks)
        ):
            masked = mask(raw)
            if masked == raw:
                continue  # nothing personal recognised (e.g. a customer id, not an e-mail)
            candidate, n = masked, self._next.get(masked, 1)
            if n > 1:
                candidate = f"{masked} #{n}"
            while candidate in self._taken:
                n += 1
                candidate = f"{masked} #{n}"
            self._next[masked] = n + 1
            self._masks[raw] = candidate
            self._taken.add(candidate)

    @property
    def masks(self) -> dict[str, str]:
        return dict(self._masks)

    def value(self, value: Any) -> Any:
        return self._masks.get(value, value) if isinstance(value, str) else value

    def column(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        if column not in frame or frame.empty:
            return frame
        masks = self._masks
        masked = [masks.get(v, v) if isinstance(v, str) else v for v in frame[column]]
        return frame.assign(**{column: pd.Series(masked, index=frame.index, dtype=object)})


def masker_for(product: Any) -> Masker:
    """Every personal value ``product`` declares (``PERSONAL``), registered once, e-mails
    first so an address gets the same mask whichever column it appears in. Each kind's
    values are numbered in one sorted pass over all its columns, whatever table they come
    from: two reports on the same people (the investigation and the profile audit of one
    period) give a person the same mask, ``#n`` included."""
    m = Masker()
    declared = [
        (table, column, kind)
        for table, columns in product.PERSONAL.items()
        for column, kind in columns.items()
    ]
    for wanted in (EMAIL, NAME, PHONE):
        values: set[Any] = set()
        for table, column, kind in declared:
            frame = getattr(product, table)
            if kind == wanted and column in frame:
                values.update(frame[column].dropna().unique())
        m.add(values, wanted)
    rules = getattr(product, "rules", None)
    if rules is not None:  # listed test accounts are named in the verdict's rules
        m.add(rules.known, EMAIL)  # after the data's: an account it lacks shifts no number
    return m


class RequestMasks:
    """How a masked ``Findings`` masks its drill-down (``Findings.requests``): the declared
    personal columns (``Findings.REQUESTS_PERSONAL``) with the report's own ``Masker``, so a
    customer has the same mask in ``f.customers`` and in ``f.requests()``; values the report
    never showed get masks of their own. Pickling keeps no raw value: an unpickled copy
    refuses to list requests rather than show them unmasked."""

    def __init__(self, masker: Masker, personal: dict[str, str]) -> None:
        self._masker: Masker | None = masker
        self._personal = dict(personal)

    def _live(self) -> Masker:
        if self._masker is None:
            raise AnalysisError(
                "this masked Findings was copied (pickled) without its masks, so its requests "
                "can't be masked: run investigate() and masking.redact() again"
            )
        return self._masker

    def frame(self, requests: pd.DataFrame) -> pd.DataFrame:
        m = self._live()
        for column, kind in self._personal.items():
            if column in requests:
                m.add(requests[column].dropna().unique(), kind)
                requests = m.column(requests, column)
        return requests

    def raw(self, value: str) -> str:
        """The raw value behind a mask (``value`` itself when it is not one)."""
        for raw, mask in self._live().masks.items():
            if mask == value:
                return raw
        return value

    def __repr__(self) -> str:
        return "RequestMasks()"

    def __getstate__(self) -> dict[str, Any]:
        return {"_masker": None, "_personal": self._personal}

    def __copy__(self) -> RequestMasks:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> RequestMasks:
        return self


def redact(product: Product) -> Product:
    """A copy of ``product`` (``Findings`` or ``ProfileAudit``) with every declared personal
    column masked."""
    m = masker_for(product)
    changes: dict[str, Any] = {}
    for table, columns in product.PERSONAL.items():  # type: ignore[attr-defined]
        frame = getattr(product, table)
        for column in columns:
            frame = m.column(frame, column)
        changes[table] = frame
    rules = getattr(product, "rules", None)
    if rules is not None:
        changes["rules"] = dataclasses.replace(rules, known=frozenset(map(m.value, rules.known)))
        if hasattr(product, "verdict"):
            changes["verdict"] = dataclasses.replace(product.verdict, rules=changes["rules"])  # type: ignore[attr-defined]
    personal_requests = getattr(product, "REQUESTS_PERSONAL", None)
    if personal_requests is not None:
        # Masked twice, the first masks stay: they know the raw values, the second would not.
        changes["request_mask"] = getattr(product, "request_mask", None) or RequestMasks(
            m, personal_requests
        )
    return dataclasses.replace(product, **changes)  # type: ignore[type-var]
