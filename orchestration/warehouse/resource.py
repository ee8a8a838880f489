"""The warehouse resource every stage uses: where the seeds, the published file and the runs' working files are, and
the life of one run around them.

Write, audit, publish: readers only ever open the published file. A run builds in the working file
(<work_dir>/build/<name>: the same file name as the published one, because DuckDB names its catalog after the file
and views refer to it), every check runs on that file, and publishing (orchestration/publish/) moves it onto the
published path with one atomic rename. The working folder's path is the same for every run (one run at a time holds
it, see below; `build/run_id` names the run), because dbt keeps its parsed project from one run to the next
(<work_dir>/dbt_target/partial_parse.msgpack) only while the file it builds keeps its path.

A run holds the refresh lock (lock.py) from its first step to its end; its first step also removes a working folder
left by a run that was killed, and records that run as failed. A run that ends without publishing (a failed check,
an error) keeps its folder as `unpublished-<time>-<run_id>` for diagnosis, with its quality report and dbt's log
inside; only the latest few are kept, and only the newest with its working file. A run that fails on a nearly full
disk removes what it built before writing its report (machine.py), and the next run checks the room it needs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from orchestration.warehouse import history, logs, machine, settings, spark_session, spark_warehouse
from orchestration.warehouse.connections import connect_duckdb
from orchestration.warehouse.files import atomic_path, prune
from orchestration.warehouse.lock import acquire_refresh_lock
from orchestration.warehouse.quality_report import (
    REPORT_NAME,
    consistency_findings,
    duckdb_rows,
    run_check_records,
    write_markdown,
)

# Run tag saying where a run's working file starts: "empty" for a full rebuild, otherwise a copy of the published
# file, so that a run rebuilding only part of the warehouse still publishes all of it.
START_FROM_TAG = "warehouse/start_from"
VERSIONS_DIR = ".versions"
UNPUBLISHED_PREFIX = "unpublished-"
WORKING_FOLDER = "build"
OWNER_FILE = "run_id"  # in the working folder: the run building there
DBT_TARGET = "dbt_target"  # dbt's artifacts, log and parsed project, kept from run to run
PUBLISH_LOG_NAME = "publish_log.jsonl"
FAILED_RUNS_LOG_NAME = "failed_runs.jsonl"  # written by the record_failed_runs sensor


class WarehouseResource(dg.ConfigurableResource):
    """The seed folder the warehouse is built from, the published file, and where runs build their working files.
    On the spark engine a run builds Parquet tables in its working folder and publishes them beside the DuckDB
    file's place, in spark-warehouse/ (spark_warehouse.py)."""

    engine: str = settings.warehouse_engine()
    seeds_dir: str = str(settings.seeds_dir())
    published_path: str = str(settings.warehouse_path())
    work_dir: str = str(settings.work_dir())
    keep_versions: int = settings.keep_versions()
    keep_unpublished: int = 3
    lock_timeout_seconds: float = settings.lock_timeout_seconds()

    _lock: object = PrivateAttr(default=None)

    def working_folder(self) -> Path:
        return Path(self.work_dir) / WORKING_FOLDER

    def working_path(self) -> Path:
        return self.working_folder() / Path(self.published_path).name

    def dbt_target_path(self) -> Path:
        return Path(self.work_dir) / (DBT_TARGET if self.engine == "duckdb" else f"{DBT_TARGET}_{self.engine}")

    def tables_dir(self) -> Path:
        """On Spark, the run's tables: <schema>.db/<table>/ Parquet folders."""
        return self.working_folder() / "tables"

    def spark_dir(self) -> Path:
        """On Spark, the publications and the pointer to the published one."""
        return Path(self.published_path).with_name("spark-warehouse")

    def publication(self) -> Path:
        """What the latest publication is: the published file, or on Spark the published folder."""
        if self.engine == "duckdb":
            return Path(self.published_path)
        return spark_warehouse.published_folder(self.spark_dir()) or self.spark_dir() / spark_warehouse.POINTER

    def reader_path(self) -> Path:
        """The DuckDB file readers on this machine open: the published file, or on Spark the DuckDB views over the
        published Parquet (the data page and the serving copy read it)."""
        if self.engine == "duckdb":
            return Path(self.published_path)
        folder = spark_warehouse.published_folder(self.spark_dir())
        return folder / spark_warehouse.READER_CATALOG if folder else self.spark_dir() / spark_warehouse.POINTER

    def seed_path(self, file_name: str) -> Path:
        return Path(self.seeds_dir) / file_name

    def report_path(self) -> Path:
        """The quality report of the latest run, beside the published warehouse."""
        return Path(self.published_path).with_name(REPORT_NAME)

    def site_dir(self) -> Path:
        """The data page, beside the published warehouse (written by orchestration/serving/site/)."""
        return Path(self.published_path).with_name("site")

    def versions_dir(self) -> Path:
        """Where previously published files are kept for rollback."""
        return Path(self.published_path).parent / VERSIONS_DIR

    def log_path(self) -> Path:
        """The log of the runs started from the command line, in full (logs.py)."""
        return Path(self.published_path).with_name(logs.LOG_NAME)

    def publish_log_path(self) -> Path:
        return Path(self.published_path).with_name(PUBLISH_LOG_NAME)

    def failed_runs_log_path(self) -> Path:
        return Path(self.published_path).with_name(FAILED_RUNS_LOG_NAME)

    # Dagster calls these two around every run (and with no run for a sensor or schedule evaluation).

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.dagster_run is None:
            return
        work_dir, published = Path(self.work_dir), Path(self.published_path)
        machine.check_folders(work_dir, published)
        self._lock = acquire_refresh_lock(work_dir, context.dagster_run.run_id, self.lock_timeout_seconds)
        try:
            killed = _remove_working_folder_of_killed_run(self.working_folder())
            _record_killed_runs(context.instance, killed, context.dagster_run.run_id)
            machine.check_free_space(work_dir, published, Path(self.seeds_dir))  # after a killed run's files are gone
        except BaseException:
            self._lock.release()  # Dagster tears down only what set up without error
            self._lock = None
            raise

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is None:
            return
        try:
            run_id, run_folder = context.dagster_run.run_id, self.working_folder()
            if _owner(run_folder) == run_id:  # the run did not publish: keep what it built, and say why
                full = machine.nearly_full(run_folder)
                if full:  # what the run built goes first, so that its report fits on the disk it filled
                    _remove_built_files(run_folder)
                    context.instance.add_run_tags(run_id, {machine.FAULT_TAG: machine.disk_filled(run_folder.parent)})
                records = run_check_records(context.instance, run_id)
                findings = consistency_findings(self.rows_of_working) if self._has_consistency_checks() else []
                write_markdown(self.report_path(), run_id, records, published=False, findings=findings)
                write_markdown(run_folder / REPORT_NAME, run_id, records, published=False, findings=findings)
                if not full:
                    for artefact in ("run_results.json", "dbt.log"):  # dbt's results of this run; its log ends there
                        if (self.dbt_target_path() / artefact).exists():
                            shutil.copyfile(self.dbt_target_path() / artefact, run_folder / artefact)
                _keep_unpublished_folder(run_folder, run_id, self.keep_unpublished)
        finally:
            self._lock.release()
            self._lock = None

    def claim_working_folder(self, run_id: str) -> Path:
        """An empty working folder for `run_id`, which holds the refresh lock: nobody else builds there."""
        folder = self.working_folder()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / OWNER_FILE).write_text(run_id)
        return folder

    def prepare_working_file(self, run_id: str, start_from: str = "published") -> Path:
        """Create the run's working file on first use: a copy of the published warehouse, or empty but for the
        recorded history of the figures, which every publication carries over (history.py)."""
        path = self.working_path()
        if path.exists() and _owner(path.parent) == run_id:
            return path
        self.claim_working_folder(run_id)
        published = Path(self.published_path)
        if start_from != "empty" and published.exists():
            with atomic_path(path) as partial:
                shutil.copyfile(published, partial)
        elif published.exists():
            with atomic_path(path) as partial, connect_duckdb(partial) as connection:
                history.carry_over(connection, published)
        return path

    def prepare_tables(self, run_id: str, start_from: str = "published") -> Path:
        """On Spark, the run's tables folder, claimed on first use. Every run there rebuilds the whole warehouse: the
        history is the one table carried over, and dbt reads it from the publication (SPARK_PUBLISHED_HISTORY)."""
        if _owner(self.working_folder()) == run_id:
            return self.tables_dir()
        if start_from != "empty":
            raise ValueError(
                "on the spark engine every run rebuilds the whole warehouse: run the refresh_warehouse job "
                "(make run), not a selection of its assets"
            )
        self.claim_working_folder(run_id)
        self.tables_dir().mkdir()
        return self.tables_dir()

    def run_tables(self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> Path:
        """On Spark, this run's tables folder."""
        return self.prepare_tables(context.run.run_id, context.run.tags.get(START_FROM_TAG, "published"))

    def published_history(self) -> Path | None:
        """On Spark, the published history's Parquet folder, if there is one."""
        folder = spark_warehouse.published_folder(self.spark_dir())
        history_folder = folder / f"{history.HISTORY_SCHEMA}.db" / history.HISTORY_TABLE if folder else None
        return history_folder if history_folder and history_folder.is_dir() else None

    def rows(self, context: dg.AssetCheckExecutionContext | dg.AssetExecutionContext, sql: str) -> list[tuple]:
        """The rows of a query over this run's warehouse, on its engine."""
        if self.engine == "spark":
            self.run_tables(context)
            return self.rows_of_working(sql)
        with self.connect_working(context) as connection:
            return connection.execute(sql).fetchall()

    def rows_of_working(self, sql: str) -> list[tuple]:
        """The rows of a query over what the working folder holds now (after the run's first step)."""
        if self.engine == "spark":
            return spark_warehouse.rows(spark_session.session(), self.tables_dir(), sql)
        return duckdb_rows(self.working_path())(sql)

    def _has_consistency_checks(self) -> bool:
        if self.engine == "spark":
            return (self.tables_dir() / "marts.db" / "fct_consistency_check").is_dir()
        if not self.working_path().exists():
            return False
        with connect_duckdb(self.working_path(), read_only=True) as connection:
            return bool(
                connection.execute(
                    "select count(*) from duckdb_tables() "
                    "where schema_name = 'marts' and table_name = 'fct_consistency_check'"
                ).fetchone()[0]
            )

    @contextmanager
    def connect_working(
        self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's working file."""
        start_from = context.run.tags.get(START_FROM_TAG, "published")
        path = self.prepare_working_file(context.run.run_id, start_from)
        connection = connect_duckdb(path)
        try:
            yield connection
        finally:
            connection.close()


def timestamp() -> str:
    """Now, in UTC, sortable as text: names of kept folders start with it."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _owner(working_folder: Path) -> str | None:
    """The run building in the working folder, if there is one."""
    owner = working_folder / OWNER_FILE
    return owner.read_text().strip() if owner.exists() else None


def _remove_working_folder_of_killed_run(working_folder: Path) -> list[str]:
    """Delete the working folder of a run that died without ending (killed); the caller holds the lock, so a folder
    there at its start is a dead run's. Returns that run's id, if known."""
    if not working_folder.exists():
        return []
    owner = _owner(working_folder)
    shutil.rmtree(working_folder, ignore_errors=True)
    return [owner] if owner else []


def _record_killed_runs(instance: dg.DagsterInstance, run_ids: list[str], found_by: str) -> None:
    """A run whose working folder outlived it was killed, so it never recorded its end: record it as failed, or the
    run history would show it running for ever."""
    for run_id in run_ids:
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            instance.report_run_failed(
                run, f"The run's process ended without finishing (killed); run {found_by} found its lock free."
            )


def _remove_built_files(run_folder: Path) -> None:
    """Everything a run wrote in its working folder but the file naming the run."""
    for path in run_folder.iterdir():
        if path.name != OWNER_FILE:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _keep_unpublished_folder(run_folder: Path, run_id: str, keep: int) -> Path:
    """The failed run's folder kept under a clear name, with the latest `keep` others. Only the newest keeps what it
    built: at scale each working file is as large as the warehouse, and a run that keeps failing must not fill the
    disk with copies of it; the older ones keep their reports and dbt's results and log."""
    kept = run_folder.with_name(f"{UNPUBLISHED_PREFIX}{timestamp()}-{run_id}")
    os.replace(run_folder, kept)
    prune(run_folder.parent, keep=keep, prefix=UNPUBLISHED_PREFIX)
    for older in run_folder.parent.iterdir():
        if older.is_dir() and older.name.startswith(UNPUBLISHED_PREFIX) and older != kept:
            for built in [*older.glob("*.duckdb*"), *older.glob("tables")]:  # working file, its log, spill; Spark's
                shutil.rmtree(built) if built.is_dir() else built.unlink()
    return kept
