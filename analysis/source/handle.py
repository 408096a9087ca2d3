"""How to reopen a source later without keeping its password.

A ``Findings`` answers ``f.requests()`` from the database it was made from, so it must
remember that database; a URL can hold a password, and a ``Findings`` is printed, copied and
pickled. ``SourceHandle`` keeps the URL with its password removed, the schema, and whether a
password was there; ``url()`` takes the password again, when it is needed, from the URL the
caller passes or from ``$ANALYSIS_DATABASE_URL`` when that names the same database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import URL

from analysis.errors import AnalysisError
from analysis.source.urls import URL_ENV, mask_url, parse_url, secrets_of, without_secrets


def _without_password(url: str) -> tuple[str, bool]:
    """``url`` rendered with no password and no secret query parameter (and whether it had
    any)."""
    parsed: URL = parse_url(url)
    bare = without_secrets(parsed, replacement=None).render_as_string(hide_password=False)
    return bare, bool(secrets_of(parsed)) or parsed.password is not None


@dataclass(frozen=True)
class SourceHandle:
    """A database to reopen: its URL without password, its schema (None: the default), and
    whether the URL it was opened with held a password (then ``url`` needs it again)."""

    bare_url: str
    schema: str | None
    needs_password: bool
    # How it was read: the zone of its naive timestamps and the query time limit (None: the
    # library's defaults).
    naive_timezone: str | None = None
    query_timeout: float | None = None

    @classmethod
    def remember(
        cls,
        url: str,
        schema: str | None,
        naive_timezone: str | None = None,
        query_timeout: float | None = None,
    ) -> SourceHandle:
        bare, had_password = _without_password(url)
        return cls(bare, schema, had_password, naive_timezone, query_timeout)

    def __repr__(self) -> str:
        return f"SourceHandle({mask_url(self.bare_url)!r}, schema={self.schema!r})"

    def same_database(self, url: str) -> bool:
        """Whether ``url`` names this database (user, host, port and database alike)."""
        return _without_password(url)[0] == self.bare_url

    def url(self, explicit: str | None = None) -> str:
        """The URL to reopen this database with: ``explicit`` (which must name the same
        database), else the remembered URL, its password taken from ``$ANALYSIS_DATABASE_URL``
        when it had one."""
        if explicit:
            if not self.same_database(explicit):
                raise AnalysisError(
                    f"db={mask_url(explicit)} is not the database these findings were made from "
                    f"({mask_url(self.bare_url)}): pass that one, or call analysis.requests() "
                    "for another database"
                )
            return explicit
        if not self.needs_password:
            return self.bare_url
        from_env = os.environ.get(URL_ENV)
        if from_env and self.same_database(from_env):
            return from_env
        raise AnalysisError(
            f"these findings keep no password for {mask_url(self.bare_url)}: pass db= with the "
            f"full URL, or set ${URL_ENV} to it"
        )
