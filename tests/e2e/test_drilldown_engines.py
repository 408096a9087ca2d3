"""The drill-down gives the same rows on SQLite, DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import pandas as pd
import pytest
from engines import WITH_SPARK, database, load_demo_into

from analysis import requests

START, END = "2025-10-29", "2025-11-06"


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Minutes to a microsecond's worth (engines round epoch seconds differently)."""
    return frame.assign(response_minutes=frame["response_minutes"].round(6))


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    with database("sqlite", tmp_path_factory.mktemp("sqlite")) as (url, schema):
        load_demo_into(url, schema)
        return requests(START, END, db=url, schema=schema)


@pytest.mark.parametrize("engine", WITH_SPARK)
def test_the_same_requests_on_every_engine(engine: str, tmp_path, on_sqlite) -> None:
    with database(engine, tmp_path) as (url, schema):
        load_demo_into(url, schema)
        found = requests(START, END, db=url, schema=schema)
        counts = {
            "by short customer id": len(
                requests(START, END, db=url, schema=schema, customer="0af3d300")
            ),
            "by short mechanic id": len(
                requests(START, END, db=url, schema=schema, mechanic="c62837da")
            ),
            "flagged": len(requests(START, END, db=url, schema=schema, anomaly=True)),
            "cancelled by e-mail": len(
                requests(
                    START, END, db=url, schema=schema, status="cancelled", customer="cust1@test.com"
                )
            ),
        }
    pd.testing.assert_frame_equal(comparable(found), comparable(on_sqlite))
    assert counts == {
        "by short customer id": 34,
        "by short mechanic id": 5,
        "flagged": 3,
        "cancelled by e-mail": 29,
    }
