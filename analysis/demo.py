"""The demo database: the reference CSVs loaded through the package's schema declaration."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from analysis import schema
from analysis.db import DEMO_DB, PROJECT_ROOT

DEMO_CSV_DIR = PROJECT_ROOT / "data" / "demo"
TRUE_TEXT = {"true", "t", "1", "yes"}


def _typed(series: pd.Series, column: sa.Column[Any]) -> list[Any]:
    """CSV text to the Python values the column's type expects (None for empty cells)."""
    kind = column.type
    present = series.notna() & (series.astype("string").str.strip() != "")
    if isinstance(kind, schema.UTCDateTime):
        values: pd.Series = pd.to_datetime(series.where(present), utc=True, format="ISO8601")
        converted = [v.to_pydatetime() if not pd.isna(v) else None for v in values]
    elif isinstance(kind, sa.Boolean):
        converted = [str(v).strip().lower() in TRUE_TEXT for v in series]
    elif isinstance(kind, sa.Integer):
        converted = [int(float(v)) if ok else None for v, ok in zip(series, present, strict=True)]
    elif isinstance(kind, sa.Float):
        converted = [float(v) if ok else None for v, ok in zip(series, present, strict=True)]
    else:
        converted = [str(v) if ok else None for v, ok in zip(series, present, strict=True)]
    return [None if not ok else v for v, ok in zip(converted, present, strict=True)]


def read_csv_rows(table: sa.Table, csv_dir: Path = DEMO_CSV_DIR) -> list[dict[str, Any]]:
    """The rows of ``<csv_dir>/<table>.csv`` typed per the schema; missing columns are NULL."""
    frame = pd.read_csv(csv_dir / f"{table.name}.csv", dtype=str, keep_default_na=False)
    columns = {c.name: _typed(frame[c.name], c) for c in table.columns if c.name in frame}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def load_tables(engine: sa.Engine, csv_dir: Path = DEMO_CSV_DIR) -> dict[str, int]:
    """Create the schema's tables (and indexes) in ``engine`` and load the CSVs; rows per table."""
    schema.metadata.create_all(engine)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in schema.metadata.sorted_tables:
            rows = read_csv_rows(table, csv_dir)
            if rows:
                conn.execute(table.insert(), rows)
            counts[table.name] = len(rows)
    return counts


def build_demo_db(target: Path = DEMO_DB, csv_dir: Path = DEMO_CSV_DIR) -> dict[str, int]:
    """(Re)build the SQLite demo database at ``target`` from ``csv_dir``.

    Built in a temporary file and moved into place, so a failure never leaves half a database.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".db.tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        engine = sa.create_engine(f"sqlite:///{tmp}")
        try:
            counts = load_tables(engine, csv_dir)
        finally:
            engine.dispose()
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return counts
