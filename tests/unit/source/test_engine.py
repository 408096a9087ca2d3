"""Reading results: whole, or a few rows at a time."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from rows import make_db, request

from analysis.errors import AnalysisError
from analysis.source.engine import connect, read_frame, read_frames
from analysis.source.schema import session_requests as sr
from analysis.source.urls import DEMO_DB


def test_rows_a_few_at_a_time_make_the_whole(tmp_path) -> None:
    url = make_db(tmp_path, requests=[request(status=f"s{i}") for i in range(5)])
    query = sa.select(sr.c.id, sr.c.status).order_by(sr.c.status)
    with connect(url) as conn:
        whole = read_frame(conn, query)
        parts = list(read_frames(conn, query, 2))
    assert [len(p) for p in parts] == [2, 2, 1]
    assert [list(p.columns) for p in parts] == [["id", "status"]] * 3
    assert [s for p in parts for s in p["status"]] == list(whole["status"])


def test_no_rows_is_one_empty_frame_with_the_columns(tmp_path) -> None:
    url = make_db(tmp_path)
    with connect(url) as conn:
        parts = list(read_frames(conn, sa.select(sr.c.id, sr.c.status), 10))
    assert len(parts) == 1 and parts[0].empty and list(parts[0].columns) == ["id", "status"]


@pytest.mark.parametrize("name", ["a#b.db", "what?.db", "100%.db", "x%23y.db"])
def test_odd_file_names_open_read_only_and_are_never_created(tmp_path, name: str) -> None:
    """#, ? and % are part of the file's name, not the URI's fragment or query: the demo copy
    opens (read-only), and a missing one is an error, never a new empty file."""
    folder = tmp_path / "dbs"
    folder.mkdir()
    path = folder / name
    shutil.copy(DEMO_DB, path)
    url = f"sqlite:///{quote(str(path))}"  # percent-encoded, as a URL must be
    before = path.read_bytes()
    with connect(url) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sr)).scalar_one() > 0
        with pytest.raises(sa.exc.OperationalError, match="readonly"):
            conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    assert path.read_bytes() == before
    path.unlink()
    with pytest.raises(AnalysisError, match="does not exist"), connect(url):
        pass
    assert list(folder.iterdir()) == []
