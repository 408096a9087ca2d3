"""Which database to read, and how to name it without ever showing its secrets."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from analysis.errors import AnalysisError

URL_ENV = "ANALYSIS_DATABASE_URL"
SCHEMA_ENV = "ANALYSIS_DATABASE_SCHEMA"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_DB = PROJECT_ROOT / "data" / "demo.db"


def demo_url() -> str:
    return f"sqlite:///{DEMO_DB}"


def resolve_url(explicit: str | None = None) -> str:
    """The database to read: ``explicit`` (``--db``), else ``$ANALYSIS_DATABASE_URL``, else
    the demo database; a database file's relative path made absolute (``absolute_file_url``)."""
    return absolute_file_url(explicit or os.environ.get(URL_ENV) or demo_url())


FILE_BACKENDS = ("sqlite", "duckdb")


def absolute_file_url(url: str) -> str:
    """``url`` with a SQLite or DuckDB file's relative path made absolute against this
    process's working folder: a notebook's kernel works in another folder, where the same
    relative path names nothing. Other URLs (and ``:memory:``) are returned as they are."""
    parsed = parse_url(url)
    database = parsed.database
    if parsed.get_backend_name() not in FILE_BACKENDS:
        return url
    if not database or database == ":memory:" or Path(database).is_absolute():
        return url
    absolute = parsed.set(database=str(Path(database).absolute()))
    return absolute.render_as_string(hide_password=False)


def resolve_schema(explicit: str | None = None) -> str | None:
    """The schema holding the platform's tables: ``explicit`` (``--schema``), else
    ``$ANALYSIS_DATABASE_SCHEMA``, else the connection's default."""
    return explicit or os.environ.get(SCHEMA_ENV) or None


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        # The raw text may hold a password, so it is not repeated.
        raise AnalysisError(
            "the database URL could not be parsed: write it as "
            "dialect://user:password@host:port/database, e.g. postgresql+psycopg://…"
        ) from None


# A query parameter whose name contains one of these carries a secret (libpq's ``password=``,
# ``sslpassword=``, tokens, API keys…): masked like the password.
SECRET_PARAMETER = re.compile(r"pass|secret|token|key", re.IGNORECASE)
MASK = "***"


def secret_parameters(url: URL) -> list[str]:
    """The names of ``url``'s query parameters that carry a secret (``SECRET_PARAMETER``)."""
    return [name for name in url.query if SECRET_PARAMETER.search(name)]


def secrets_of(url: str | URL) -> list[str]:
    """Every secret ``url`` carries: the password of its user part and the values of its
    secret query parameters."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return []
    found = [str(parsed.password)] if parsed.password else []
    for name in secret_parameters(parsed):
        value = parsed.query[name]
        found += [value] if isinstance(value, str) else list(value)
    return [s for s in found if s]


def without_secrets(url: URL, replacement: str | None = MASK) -> URL:
    """``url`` with its password and secret query parameters replaced by ``replacement``
    (None: removed)."""
    query = {k: v for k, v in url.query.items() if k not in secret_parameters(url)}
    if replacement is not None:
        query |= {k: replacement for k in secret_parameters(url)}
    password = replacement if url.password is not None else None
    return URL.create(
        url.drivername, url.username, password, url.host, url.port, url.database, query
    )


def mask_url(url: str | URL) -> str:
    """The URL with its password and secret query parameters replaced by ``***``: the only
    form that may be shown."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    rendered = without_secrets(parsed).render_as_string(hide_password=False)
    return rendered.replace(quote(MASK, safe=""), MASK)


def scrub(text: str, url: str | None) -> str:
    """``text`` with ``url`` and its secrets (raw or URL-encoded) replaced: for messages and
    logs that might quote them (a driver's error, a traceback)."""
    if not url:
        return text
    text = text.replace(url, mask_url(url))
    for secret in secrets_of(url):
        for form in {secret, quote(secret, safe=""), quote_plus(secret), unquote(secret)}:
            if form:
                text = text.replace(form, MASK)
    return text


def describe_url(url: str | URL) -> str:
    """Which database, for reports: engine, host and database name; never user or password."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "unknown database"
    backend = parsed.get_backend_name()
    if backend in ("sqlite", "duckdb"):
        name = Path(parsed.database or "").name or "in-memory"
        return "demo database (demo.db)" if str(url) == demo_url() else f"{backend} file {name}"
    where = f"{parsed.host or 'localhost'}" + (f":{parsed.port}" if parsed.port else "")
    return f"{backend} database {parsed.database or ''} on {where}"
