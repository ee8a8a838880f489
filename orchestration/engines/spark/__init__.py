"""The warehouse on Apache Spark (WAREHOUSE_ENGINE=spark, docs/spark.md): a run builds Parquet tables in its working
folder and publishes them beside the DuckDB file's place, in spark-warehouse/ (tables.py).

Every run on Spark rebuilds the whole warehouse: the recorded history is the one table carried over, and dbt reads it
from the publication (SPARK_PUBLISHED_HISTORY). pyspark comes with the optional `spark` extra and is imported only
when a step runs on Spark (session.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import duckdb

from orchestration.engines.spark import publishing
from orchestration.engines.spark import tables as spark_tables
from orchestration.engines.spark.session import session
from orchestration.ingest.seed_tables import RAW_SCHEMA
from orchestration.publish import history
from orchestration.publish.publishing import publish_log_entry, publish_log_row, rebuild_history
from orchestration.warehouse import audit, settings
from orchestration.warehouse.connections import connect_duckdb
from orchestration.warehouse.engine import DbtInvocation, Describe, Engine, Run, relation_metadata
from orchestration.warehouse.files import read_jsonl
from orchestration.warehouse.paths import Paths
from orchestration.warehouse.resource import claim_working_folder, owner, timestamp


def spark_environment(tables: Path, published_history: Path | None, run_id: str) -> dict[str, str]:
    """What tells dbt where the run's tables are (profiles.yml, macros/engines/catalog.sql), the raw ones among them,
    and the published history the history model carries over."""
    return {
        "SPARK_WAREHOUSE_DIR": str(tables),
        "SPARK_RAW_DIR": str(tables / "raw.db"),
        "SPARK_PUBLISHED_HISTORY": str(published_history or ""),
        "WAREHOUSE_RUN_ID": run_id,
        **({"SPARK_REMOTE": settings.SPARK_REMOTE()} if settings.SPARK_REMOTE() else {}),
    }


def spark_target() -> list[str]:
    """dbt's target on Spark: a local session, or the Spark Connect server SPARK_REMOTE names."""
    return ["--target", "spark_connect" if settings.SPARK_REMOTE() else "spark"]


def publications_dir(paths: Paths) -> Path:
    """The publications and the pointer to the published one, beside the DuckDB file's place."""
    return paths.published_path.with_name("spark-warehouse")


def tables_dir(paths: Paths) -> Path:
    """A run's tables: <schema>.db/<table>/ Parquet folders."""
    return paths.working_folder / "tables"


class SparkEngine(Engine):
    """Parquet tables per run and per publication, queried through a Spark session."""

    rebuilds_everything: ClassVar[bool] = True

    def dbt_target_path(self, paths: Paths) -> Path:
        return paths.work_dir / "dbt_target_spark"

    def publication(self, paths: Paths) -> Path:
        spark_dir = publications_dir(paths)
        return spark_tables.published_folder(spark_dir) or spark_dir / spark_tables.POINTER

    def reader_path(self, paths: Paths) -> Path:
        """The DuckDB views over the published Parquet."""
        spark_dir = publications_dir(paths)
        folder = spark_tables.published_folder(spark_dir)
        return folder / spark_tables.READER_CATALOG if folder else spark_dir / spark_tables.POINTER

    def seed_connection(self, paths: Paths, run: Run) -> duckdb.DuckDBPyConnection:
        """The run's seeds.duckdb, beside its tables folder: the raw tables as the ingest stage read and checked them
        (the same reader and the same contracts as on DuckDB), before they are written as Parquet."""
        return connect_duckdb(self._run_tables(paths, run).parent / "seeds.duckdb")

    def store_raw_table(self, paths: Paths, run: Run, connection: duckdb.DuckDBPyConnection, table: str) -> None:
        """raw.<table> as Parquet in the run's tables folder, where dbt's `spark` target declares raw.<table> over it
        (dbt_project/macros/engines/catalog.sql)."""
        folder = self._run_tables(paths, run) / "raw.db" / table
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        connection.execute(
            f'copy {RAW_SCHEMA}."{table}" to $path (format parquet)', {"path": str(folder / "part-0.parquet")}
        )

    def append_audit_rows(self, paths: Paths, run: Run, table: str, rows: list[list]) -> None:
        folder = self._run_tables(paths, run) / f"{audit.SCHEMA}.db" / table
        spark_tables.write_rows(session(), folder, audit.COLUMNS[table], rows, mode="append")

    def rows(self, paths: Paths, run: Run | None, sql: str) -> list[tuple]:
        tables = self._run_tables(paths, run) if run else tables_dir(paths)
        return spark_tables.rows(session(), tables, sql)

    def has_table(self, paths: Paths, schema: str, table: str) -> bool:
        return (tables_dir(paths) / f"{schema}.db" / table).is_dir()

    def dbt_invocation(self, paths: Paths, run: Run) -> DbtInvocation:
        tables = self._run_tables(paths, run)
        variables = spark_environment(tables, self._published_history(paths), run.run_id)
        return DbtInvocation(variables, spark_target(), lambda: _describer(tables))

    def publish(self, paths: Paths, run_id: str, records: list, keep_versions: int) -> Path:
        entry = publish_log_entry(run_id, "publish", paths.seeds_dir, records, self.name)
        return publishing.publish(paths, tables_dir(paths), publications_dir(paths), entry, records, keep_versions)

    def kept_versions(self, paths: Paths) -> list[Path]:
        spark_dir = publications_dir(paths)
        published = spark_tables.published_folder(spark_dir)
        folders = spark_dir.iterdir() if spark_dir.is_dir() else []
        return sorted((p for p in folders if p.is_dir() and p != published), reverse=True)

    def version_name(self, version: Path) -> str:
        return version.name

    def restore_kept_version(self, paths: Paths) -> Path:
        versions = self.kept_versions(paths)
        if not versions:
            raise FileNotFoundError(
                f"no previous version is kept in {publications_dir(paths)}; nothing to roll back to"
            )
        # The newest kept folder is linked file by file into a run's tables folder (no copying), its history rebuilt
        # by dbt from the published one, and published as a refresh is; the rolled-back publication is withdrawn.
        version = versions[0]
        rollback_id = f"rollback-{timestamp()}"
        published_history = self._published_history(paths)
        claim_working_folder(paths, rollback_id)
        tables, publications = tables_dir(paths), publications_dir(paths)
        rolled_back = spark_tables.published_folder(publications)
        try:
            shutil.copytree(
                version, tables, copy_function=os.link, ignore=shutil.ignore_patterns(spark_tables.READER_CATALOG)
            )
            shutil.rmtree(tables / f"{history.HISTORY_SCHEMA}.db" / history.HISTORY_TABLE, ignore_errors=True)
            variables = spark_environment(tables, published_history, rollback_id)
            declared = ",".join(spark_tables.table_folders(tables))
            rebuild_history(
                {**variables, "SPARK_DECLARED_TABLES": declared}, spark_target(), self.dbt_target_path(paths)
            )
            entry = publish_log_entry(rollback_id, "rollback", None, [], self.name)
            spark_tables.write_rows(
                session(),
                tables / f"{audit.SCHEMA}.db" / "publish_log",
                audit.COLUMNS["publish_log"],
                [publish_log_row(e) for e in [*read_jsonl(paths.publish_log_path), entry]],
            )
            publishing.switch(paths, tables, publications, entry)
            shutil.rmtree(version)
            if rolled_back is not None:
                shutil.rmtree(rolled_back)
        finally:
            shutil.rmtree(paths.working_folder, ignore_errors=True)
        return version

    def _run_tables(self, paths: Paths, run: Run) -> Path:
        """The run's tables folder, claimed on its first use."""
        tables = tables_dir(paths)
        if owner(paths.working_folder) == run.run_id:
            return tables
        if run.start_from != "empty":
            raise ValueError(
                "on the spark engine every run rebuilds the whole warehouse: run the refresh_warehouse job "
                "(make run), not a selection of its assets"
            )
        claim_working_folder(paths, run.run_id)
        tables.mkdir()
        return tables

    def _published_history(self, paths: Paths) -> Path | None:
        """The published history's Parquet folder, if there is one."""
        folder = spark_tables.published_folder(publications_dir(paths))
        history_folder = folder / f"{history.HISTORY_SCHEMA}.db" / history.HISTORY_TABLE if folder else None
        return history_folder if history_folder and history_folder.is_dir() else None


@contextmanager
def _describer(tables: Path) -> Iterator[Describe]:
    """The columns and row count of a table in a run's tables folder (its views ended with dbt's session)."""

    def describe(schema: str, name: str) -> dict:
        folder = tables / f"{schema}.db" / name
        if not folder.is_dir():
            return {}
        frame = session().read.parquet(str(folder))
        return relation_metadata([(f.name, f.dataType.simpleString()) for f in frame.schema.fields], frame.count())

    yield describe
