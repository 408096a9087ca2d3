"""Reopening a source later: the URL is kept without its password, which comes back only
from the caller or from $ANALYSIS_DATABASE_URL naming the same database."""

from __future__ import annotations

import pickle

import pytest

from analysis.errors import AnalysisError
from analysis.source.handle import SourceHandle
from analysis.source.urls import URL_ENV

SECRET = "s3cr3t-pw"
WITH_PASSWORD = f"postgresql+psycopg://analyst:{SECRET}@db.example.internal:5432/platform"


def test_a_password_is_never_kept() -> None:
    handle = SourceHandle.remember(WITH_PASSWORD, "public")
    assert handle.needs_password
    for shown in (
        repr(handle),
        str(handle),
        handle.bare_url,
        pickle.dumps(handle).decode("latin1"),
    ):
        assert SECRET not in shown
    assert handle.bare_url == "postgresql+psycopg://analyst@db.example.internal:5432/platform"
    assert handle.schema == "public"


def test_the_password_comes_back_from_the_environment(monkeypatch) -> None:
    handle = SourceHandle.remember(WITH_PASSWORD, None)
    monkeypatch.setenv(URL_ENV, WITH_PASSWORD)
    assert handle.url() == WITH_PASSWORD


@pytest.mark.parametrize("env", [None, "postgresql+psycopg://analyst:x@elsewhere:5432/platform"])
def test_without_the_password_it_says_how_to_give_it(monkeypatch, env) -> None:
    handle = SourceHandle.remember(WITH_PASSWORD, None)
    if env:
        monkeypatch.setenv(URL_ENV, env)
    else:
        monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(AnalysisError, match=r"keep no password .* pass db= with the full URL"):
        handle.url()


def test_an_explicit_url_must_name_the_same_database() -> None:
    handle = SourceHandle.remember(WITH_PASSWORD, None)
    assert handle.url(WITH_PASSWORD) == WITH_PASSWORD
    with pytest.raises(AnalysisError) as caught:
        handle.url("postgresql+psycopg://analyst:pw-9f2c@db.example.internal:5432/archive")
    assert "is not the database these findings were made from" in str(caught.value)
    assert "pw-9f2c" not in str(caught.value) and SECRET not in str(caught.value)


def test_a_url_without_password_is_kept_as_it_is(monkeypatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    handle = SourceHandle.remember("sqlite:////data/demo.db", None)
    assert not handle.needs_password
    assert handle.url() == "sqlite:////data/demo.db"
