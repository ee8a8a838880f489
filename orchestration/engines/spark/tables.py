"""The warehouse on Apache Spark (WAREHOUSE_ENGINE=spark, docs/spark.md): the tables of a run and of a publication as
Parquet folders, declared in a Spark session's catalog when they are queried.

    <work_dir>/build/tables/<schema>.db/<table>/   what a run builds: raw (the loader), marts (dbt), audit (publishing)
    <spark_dir>/<timestamp>-<run_id>/               one publication: the run's tables folder, moved there whole
    <spark_dir>/<timestamp>-<run_id>/warehouse.duckdb   DuckDB views over its Parquet, for readers on this machine
    <spark_dir>/PUBLISHED                           the name of the published folder: what readers query

Publishing writes the folder, then replaces PUBLISHED in one atomic rename, so a reader that resolves the pointer sees
every table of one publication; a reader already holding the previous folder's files keeps reading them, since
publications are never changed, only pruned. dbt keeps its views (staging, intermediate) in its own session's
catalog, which ends with it: a publication holds the tables.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.warehouse.files import atomic_path, atomic_write_text, fsync_directory

POINTER = "PUBLISHED"
READER_CATALOG = "warehouse.duckdb"
STAGED = "__next"  # the suffix of a table declared beside the one it is about to replace (declare, swap)


def table_folders(tables_dir: Path) -> dict[str, Path]:
    """Every table under `tables_dir`, as schema.table: its Parquet folder."""
    if not tables_dir.is_dir():
        return {}
    return {
        f"{schema.name.removesuffix('.db')}.{table.name}": table
        for schema in sorted(tables_dir.glob("*.db"))
        for table in sorted(schema.iterdir())
        if table.is_dir() and not table.name.startswith(".")
    }


def declare(session, tables_dir: Path, suffix: str = "") -> set[str]:
    """Each table under `tables_dir` declared in the session's catalog over its folder (as it is now: a table that
    was declared before over other files is declared again); returns their names. With `suffix` (STAGED) each is
    declared beside the table of its name instead, reading its files' schema, the slow part, while readers go on
    querying the declared one (swap then gives it the name)."""
    folders = table_folders(tables_dir)
    for schema in sorted({name.split(".")[0] for name in folders}):
        if not session.catalog.databaseExists(schema):
            session.sql(f"create schema {schema}")
    for name, folder in folders.items():
        session.sql(f"drop table if exists {name}{suffix}")
        session.sql(f"create table {name}{suffix} using parquet location '{_literal(folder)}'")
    return set(folders)


def swap(session, staged: set[str], declared: set[str]) -> set[str]:
    """The staged tables given their names, in one pass of catalog renames (not one transaction), and the declared
    tables no longer staged dropped; returns the names declared now."""
    for name in sorted(staged):
        session.sql(f"drop table if exists {name}")
        session.sql(f"alter table {name}{STAGED} rename to {name}")
    for name in declared - staged:
        session.sql(f"drop table if exists {name}")
    return staged


def rows(session, tables_dir: Path, sql: str) -> list[tuple]:
    """The rows of a query over the tables under `tables_dir`."""
    declare(session, tables_dir)
    return [tuple(row) for row in session.sql(sql).collect()]


def spark_columns(duckdb_columns: str) -> str:
    """A table's columns declared in DuckDB's types (audit.py) in Spark's: JSON is kept as text."""
    translated = duckdb_columns
    for duckdb_type, spark_type in (
        (r"timestamp with time zone", "timestamp"),
        (r"varchar\[\]", "array<string>"),
        (r"\bvarchar\b", "string"),
        (r"\bjson\b", "string"),
        (r"\binteger\b", "int"),
    ):
        translated = re.sub(duckdb_type, spark_type, translated)
    return translated


def write_rows(session, folder: Path, columns: str, rows: list[list], mode: str = "overwrite") -> None:
    """`rows` written to the Parquet folder `folder` (replacing it, or appended), with `columns` in DuckDB's types
    (audit.py, whose timestamps all have a time zone). A timestamp given as ISO 8601 text (the publish log's) is read
    as one."""
    spark = spark_columns(columns)
    timestamps = [
        position for position, column in enumerate(spark.split(", ")) if column.split(" ", 1)[1] == "timestamp"
    ]
    converted = [
        [
            datetime.fromisoformat(value) if p in timestamps and isinstance(value, str) else value
            for p, value in enumerate(row)
        ]
        for row in rows
    ]
    # Spark writes a timestamp as INT96 by default, which DuckDB reads without its time zone; these columns have one.
    key = "spark.sql.parquet.outputTimestampType"
    default = session.conf.get(key)
    session.conf.set(key, "TIMESTAMP_MICROS")
    try:
        session.createDataFrame(converted, schema=spark).write.mode(mode).parquet(str(folder))
    finally:
        session.conf.set(key, default)


def published_folder(spark_dir: Path) -> Path | None:
    """The published folder PUBLISHED names, or None before the first publication on Spark."""
    pointer = spark_dir / POINTER
    if not pointer.exists():
        return None
    return spark_dir / pointer.read_text().strip()


def point_to(spark_dir: Path, folder: Path) -> None:
    """Publish `folder` (inside `spark_dir`): PUBLISHED replaced in one atomic rename."""
    atomic_write_text(spark_dir / POINTER, folder.name + "\n")
    fsync_directory(spark_dir)


def write_reader_catalog(folder: Path) -> Path:
    """A DuckDB file of views over the publication's Parquet folders (schema.table, as in the DuckDB warehouse), for
    the data page, the serving copy and anyone with DuckDB on this machine."""
    with atomic_path(folder / READER_CATALOG) as partial, duckdb.connect(str(partial)) as connection:
        for name, table in table_folders(folder).items():
            schema = name.split(".")[0]
            connection.execute(f"create schema if not exists {schema}")
            connection.execute(f"create view {name} as select * from read_parquet('{_literal(table)}/*.parquet')")
    return folder / READER_CATALOG


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
