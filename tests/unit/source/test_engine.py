"""Reading results: whole, or a few rows at a time."""

from __future__ import annotations

import sqlalchemy as sa
from rows import make_db, request

from analysis.source.engine import connect, read_frame, read_frames
from analysis.source.schema import session_requests as sr


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
