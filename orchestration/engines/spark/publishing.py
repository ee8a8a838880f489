"""Publishing on Spark (docs/spark.md): the audit tables written beside the run's tables and the history stamped, then
the tables folder moved into the publications and PUBLISHED pointed at it in one atomic rename (tables.py)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from orchestration.engines.spark import tables as spark_tables
from orchestration.engines.spark.session import session
from orchestration.publish import history
from orchestration.publish.publishing import audit_rows
from orchestration.warehouse import audit
from orchestration.warehouse.files import append_jsonl, prune
from orchestration.warehouse.paths import Paths
from orchestration.warehouse.resource import timestamp


def publish(paths: Paths, tables: Path, publications: Path, entry: dict, records: list, keep_versions: int) -> Path:
    """The run's tables, audited, published as the publish log's `entry` says."""
    run_id = entry["run_id"]
    if not tables.is_dir():
        raise FileNotFoundError(f"run {run_id} has no tables at {tables}; nothing to publish")
    for table, rows in audit_rows(paths, run_id, entry, records).items():
        spark_tables.write_rows(session(), tables / f"{audit.SCHEMA}.db" / table, audit.COLUMNS[table], rows)
    publication = switch(paths, tables, publications, entry)
    shutil.rmtree(paths.working_folder, ignore_errors=True)
    prune(publications, keep=keep_versions + 1)  # the published folder is the newest
    return publication


def switch(paths: Paths, tables: Path, publications: Path, entry: dict) -> Path:
    """The run's tables, audited, become the publication: the history stamped, the folder moved into the
    publications with its DuckDB views, PUBLISHED pointed at it in one atomic rename, and the entry logged."""
    stamp_history(
        tables / f"{history.HISTORY_SCHEMA}.db" / history.HISTORY_TABLE, entry["run_id"], entry["published_at"]
    )
    publications.mkdir(parents=True, exist_ok=True)
    publication = publications / f"{timestamp()}-{entry['run_id']}"
    os.replace(tables, publication)
    spark_tables.write_reader_catalog(publication)
    spark_tables.point_to(publications, publication)
    append_jsonl(paths.publish_log_path, entry)
    return publication


def stamp_history(table_folder: Path, run_id: str, published_at: str) -> None:
    """The history's versions that `run_id` opened and closed given the time of its publication, as on DuckDB
    (orchestration/publish/history.py). Parquet is not updated in place, so the history is written stamped
    beside its folder, then takes its place."""
    from pyspark.sql import functions as F

    if not table_folder.is_dir():
        return
    at = datetime.fromisoformat(published_at).astimezone(UTC)
    versions = session().read.parquet(str(table_folder))
    stamped = versions.withColumn(
        "recorded_from",
        F.when((F.col("first_published_run_id") == run_id) & F.col("recorded_from").isNull(), F.lit(at)).otherwise(
            F.col("recorded_from")
        ),
    ).withColumn(
        "recorded_until",
        F.when((F.col("recorded_until_run_id") == run_id) & F.col("recorded_until").isNull(), F.lit(at)).otherwise(
            F.col("recorded_until")
        ),
    )
    written = table_folder.with_name(f".{table_folder.name}.stamped")
    shutil.rmtree(written, ignore_errors=True)
    stamped.write.parquet(str(written))
    replaced = table_folder.with_name(f".{table_folder.name}.unstamped")
    os.replace(table_folder, replaced)
    os.replace(written, table_folder)
    shutil.rmtree(replaced)
