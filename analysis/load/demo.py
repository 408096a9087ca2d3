"""The demo data: the reference CSVs, typed through the package's schema declaration, loaded
into a SQLite demo file (``make data``) or any supported database (``load-demo``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from analysis.errors import AnalysisError
from analysis.load import bulk, spark_tables
from analysis.load.bulk import writable_engine
from analysis.source import schema, spark
from analysis.source.urls import DEMO_DB, PROJECT_ROOT, mask_url

DEMO_CSV_DIR = PROJECT_ROOT / "data" / "demo"
TRUE_TEXT = {"true", "t", "1", "yes"}


def _typed(series: pd.Series, column: sa.Column[Any]) -> pd.Series:
    """CSV text to the values the column's type expects; empty cells become missing."""
    text = series.astype("string").str.strip()
    present = text.notna() & (text != "")
    kind = column.type
    if isinstance(kind, schema.UTCDateTime):
        return pd.to_datetime(text.where(present), utc=True, format="ISO8601")
    if isinstance(kind, sa.Boolean):
        return text.str.lower().isin(TRUE_TEXT).astype("boolean").where(present)
    if isinstance(kind, sa.Integer):
        return pd.to_numeric(text.where(present)).astype("Int64")
    if isinstance(kind, sa.Float):
        return pd.to_numeric(text.where(present)).astype("Float64")
    return text.where(present).astype(object)


def read_csv_frame(table: sa.Table, csv_dir: Path = DEMO_CSV_DIR) -> pd.DataFrame:
    """``<csv_dir>/<table>.csv`` typed per the schema (only the table's declared columns)."""
    frame = pd.read_csv(csv_dir / f"{table.name}.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {c.name: _typed(frame[c.name], c) for c in table.columns if c.name in frame}
    )


def load_tables(
    engine: sa.Engine,
    csv_dir: Path = DEMO_CSV_DIR,
    schema_name: str | None = None,
    replace: bool = False,
    location: Path | None = None,
) -> dict[str, int]:
    """Create the schema's tables (and indexes) and load the CSVs; rows written per table.

    On Spark (``hive://``) the tables are Parquet files in ``location`` (see
    ``spark_tables``), replaced when ``replace``."""
    if engine.dialect.name == spark.BACKEND:
        frames = {t: [read_csv_frame(t, csv_dir)] for t in schema.metadata.sorted_tables}
        return spark_tables.load_frames(engine, frames, schema_name, replace, location)
    with engine.begin() as conn:
        bulk.create_tables(conn, schema.metadata, schema_name)
        return {
            table.name: bulk.append(conn, table, read_csv_frame(table, csv_dir), schema_name)
            for table in schema.metadata.sorted_tables
        }


def load_demo(
    url: str,
    schema_name: str | None = None,
    replace: bool = False,
    location: Path | None = None,
) -> dict[str, int]:
    """Put the demo data into the database at ``url`` (``python -m analysis load-demo``).

    Refuses to touch existing tables unless ``replace``, which drops the four demo tables first.
    ``location``: Spark only, the folder for the Parquet files (see ``spark_tables``).
    """
    engine = writable_engine(url)
    try:
        if engine.dialect.name == spark.BACKEND:
            return load_tables(engine, schema_name=schema_name, replace=replace, location=location)
        bulk.clear_target(engine, schema.metadata, schema_name, replace, mask_url(url))
        return load_tables(engine, schema_name=schema_name)
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        raise AnalysisError(f"cannot load the demo into {mask_url(url)}: {reason}") from None
    finally:
        engine.dispose()


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
