"""Every way a database URL carries a secret is masked wherever the URL is shown."""

from __future__ import annotations

import pytest

from analysis.source.handle import SourceHandle
from analysis.source.urls import mask_url, scrub, secrets_of

SECRET = "Sup3r$ecret"
FORMS = {
    "user password": f"postgresql+psycopg://analyst:{SECRET}@db.internal:5432/platform",
    "password parameter": f"postgresql+psycopg://analyst@db.internal/platform?password={SECRET}",
    "sslpassword": f"postgresql+psycopg://db.internal/platform?sslpassword={SECRET}",
    "token": f"postgresql+psycopg://db.internal/platform?auth_token={SECRET}",
    "secret": f"postgresql+psycopg://db.internal/platform?client_secret={SECRET}",
    "key": f"postgresql+psycopg://db.internal/platform?API_KEY={SECRET}",
    "encoded": "postgresql+psycopg://db.internal/platform?password=Sup3r%24ecret",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_masked_everywhere_it_is_shown(form: str) -> None:
    url = FORMS[form]
    assert secrets_of(url) == [SECRET]
    masked = mask_url(url)
    assert SECRET not in masked and "***" in masked
    assert "db.internal" in masked  # still says which database
    message = f"could not connect to {url}: password {SECRET} rejected (Sup3r%24ecret)"
    assert SECRET not in scrub(message, url) and "Sup3r%24ecret" not in scrub(message, url)
    handle = SourceHandle.remember(url, None)
    assert handle.needs_password
    assert SECRET not in handle.bare_url + repr(handle)


def test_other_parameters_are_kept() -> None:
    url = "postgresql+psycopg://db.internal/platform?application_name=reports&sslmode=require"
    assert mask_url(url) == url
    assert not SourceHandle.remember(url, None).needs_password


def test_a_database_file_s_relative_path_is_made_absolute(tmp_path, monkeypatch) -> None:
    from analysis.source.urls import absolute_file_url, resolve_url

    monkeypatch.chdir(tmp_path)
    assert absolute_file_url("sqlite:///data/x.db") == f"sqlite:///{tmp_path}/data/x.db"
    assert absolute_file_url("duckdb:///y.duckdb") == f"duckdb:///{tmp_path}/y.duckdb"
    assert resolve_url("duckdb:///y.duckdb") == f"duckdb:///{tmp_path}/y.duckdb"
    unchanged = [
        "sqlite:////abs/x.db",
        "sqlite://",
        "duckdb:///:memory:",
        "postgresql+psycopg://u:p%40ss@db.example/x?sslmode=require",
    ]
    for url in unchanged:
        assert absolute_file_url(url) == url
