"""Which database to read, and how to name it without ever showing its secrets."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, quote_plus

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
    the demo database."""
    return explicit or os.environ.get(URL_ENV) or demo_url()


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


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``: the only form that may be shown."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def scrub(text: str, url: str | None) -> str:
    """``text`` with ``url`` and its password (raw or URL-encoded) replaced: for messages and
    logs that might quote them (a driver's error, a traceback)."""
    if not url:
        return text
    text = text.replace(url, mask_url(url))
    try:
        password = make_url(url).password
    except ArgumentError:
        return text
    if password:
        for form in {str(password), quote(str(password), safe=""), quote_plus(str(password))}:
            text = text.replace(form, "***")
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
