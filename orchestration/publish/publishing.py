"""Publishing, versions and rollback of the warehouse file.

Publishing records the run in its working file (the audit tables), checkpoints it, and moves it onto the published
path with one atomic rename; the previous file is kept under .versions/ by a hard link, at no copying cost. A reader
holding the old file keeps reading the old version; the next connection sees the new one. Rollback publishes the
newest kept version again the same way, with the recorded history of the figures brought up to date (history.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from orchestration.warehouse import audit, history, settings, spark_session, spark_warehouse
from orchestration.warehouse.connections import connect_duckdb
from orchestration.warehouse.dbt import REFRESH_BUILD_ARGS, run_environment, spark_environment, spark_target
from orchestration.warehouse.files import append_jsonl, csv_checksums, fsync_directory, prune, read_jsonl
from orchestration.warehouse.quality_report import CheckRecord, counts
from orchestration.warehouse.resource import WarehouseResource, timestamp


def publish(warehouse: WarehouseResource, run_id: str, records: list[CheckRecord]) -> Path:
    """Record the run in its working file, then move it onto the published path in one atomic rename."""
    working = warehouse.working_path()
    if not working.exists():
        raise FileNotFoundError(f"run {run_id} has no working file at {working}; nothing to publish")
    entry = publish_log_entry(run_id, "publish", Path(warehouse.seeds_dir), records)
    publications = read_jsonl(warehouse.publish_log_path())
    with connect_duckdb(working) as connection:
        for table, rows in _audit_rows(warehouse, run_id, entry, records).items():
            audit.replace_rows(connection, table, rows)
        history.stamp(connection, run_id, entry["published_at"])
        connection.execute("checkpoint")
    wal = working.with_name(working.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} is still there after checkpoint and close; not publishing a partial file")

    published = Path(warehouse.published_path)
    published.parent.mkdir(parents=True, exist_ok=True)
    if published.exists():
        previous_run = publications[-1]["run_id"] if publications else "unknown-run"
        version = warehouse.versions_dir() / f"{timestamp()}-{previous_run}" / published.name
        version.parent.mkdir(parents=True)
        os.link(published, version)
    os.replace(working, published)
    fsync_directory(published.parent)
    append_jsonl(warehouse.publish_log_path(), entry)
    shutil.rmtree(working.parent, ignore_errors=True)
    prune(warehouse.versions_dir(), keep=warehouse.keep_versions)
    return published


def publish_on_spark(warehouse: WarehouseResource, run_id: str, records: list[CheckRecord]) -> Path:
    """The same on Spark (spark_warehouse.py): the audit tables written beside the run's tables and the history
    stamped, then the tables folder moved into the publications and PUBLISHED pointed at it in one atomic rename."""
    tables = warehouse.tables_dir()
    if not tables.is_dir():
        raise FileNotFoundError(f"run {run_id} has no tables at {tables}; nothing to publish")
    session = spark_session.session()
    entry = publish_log_entry(run_id, "publish", Path(warehouse.seeds_dir), records, "spark")
    for table, rows in _audit_rows(warehouse, run_id, entry, records).items():
        spark_warehouse.write_rows(session, tables / f"{audit.SCHEMA}.db" / table, audit.COLUMNS[table], rows)
    publication = _switch_on_spark(warehouse, session, entry)
    shutil.rmtree(warehouse.working_folder(), ignore_errors=True)
    prune(warehouse.spark_dir(), keep=warehouse.keep_versions + 1)  # the published folder is the newest
    return publication


def _switch_on_spark(warehouse: WarehouseResource, session, entry: dict) -> Path:
    """The run's tables, audited, become the publication: the history stamped, the folder moved into the
    publications with its DuckDB views, PUBLISHED pointed at it in one atomic rename, and the entry logged."""
    tables, spark_dir = warehouse.tables_dir(), warehouse.spark_dir()
    history_folder = tables / f"{history.HISTORY_SCHEMA}.db" / history.HISTORY_TABLE
    history.stamp_parquet(session, history_folder, entry["run_id"], entry["published_at"])
    spark_dir.mkdir(parents=True, exist_ok=True)
    publication = spark_dir / f"{timestamp()}-{entry['run_id']}"
    os.replace(tables, publication)
    spark_warehouse.write_reader_catalog(publication)
    spark_warehouse.point_to(spark_dir, publication)
    append_jsonl(warehouse.publish_log_path(), entry)
    return publication


def _audit_rows(warehouse: WarehouseResource, run_id: str, entry: dict, records: list[CheckRecord]) -> dict:
    """The rows of the audit tables publishing writes (audit.py), with this run's entry in the publish log."""
    return {
        "publish_log": [_publish_log_row(e) for e in [*read_jsonl(warehouse.publish_log_path()), entry]],
        "failed_runs": [
            [f["failed_at"], f["run_id"], f["job"], f["failing_steps"], f["error"], f.get("machine_fault")]
            for f in read_jsonl(warehouse.failed_runs_log_path())
        ],
        "check_results": [[run_id, r.asset, r.check_name, r.outcome, r.description] for r in records],
    }


def kept_versions(warehouse: WarehouseResource) -> list[Path]:
    """Previously published files (on Spark, folders), newest first."""
    if warehouse.engine == "spark":
        spark_dir, published = warehouse.spark_dir(), spark_warehouse.published_folder(warehouse.spark_dir())
        folders = spark_dir.iterdir() if spark_dir.is_dir() else []
        return sorted((p for p in folders if p.is_dir() and p != published), reverse=True)
    if not warehouse.versions_dir().is_dir():
        return []
    folders = sorted((p for p in warehouse.versions_dir().iterdir() if p.is_dir()), reverse=True)
    return [folder / Path(warehouse.published_path).name for folder in folders]


def restore_kept_version(warehouse: WarehouseResource) -> Path:
    """Publish the newest kept version again and drop it from the kept versions; the caller holds the refresh lock
    (a Dagster run's WarehouseResource holds it for the run). The rollback is a publication of its own: the restored
    file carries the recorded history up to now, with the versions the rollback drops and brings back, and the
    publish log gains its entry; the figures are those of the kept version."""
    versions = kept_versions(warehouse)
    if not versions:
        kept_in = warehouse.spark_dir() if warehouse.engine == "spark" else warehouse.versions_dir()
        raise FileNotFoundError(f"no previous version is kept in {kept_in}; nothing to roll back to")
    if warehouse.engine == "spark":
        return _restore_on_spark(warehouse, versions[0])
    rollback_id = f"rollback-{timestamp()}"
    warehouse.claim_working_folder(rollback_id)
    published, staged = Path(warehouse.published_path), warehouse.working_path()
    try:
        shutil.copyfile(versions[0], staged)
        with connect_duckdb(staged) as connection:
            connection.execute(f"drop table if exists {history.HISTORY_SCHEMA}.{history.HISTORY_TABLE}")
            history.carry_over(connection, published)
        _rebuild_history(run_environment(staged, rollback_id), [], warehouse.dbt_target_path())
        entry = publish_log_entry(rollback_id, "rollback", None, [])
        with connect_duckdb(staged) as connection:
            publications = [*read_jsonl(warehouse.publish_log_path()), entry]
            audit.replace_rows(connection, "publish_log", [_publish_log_row(e) for e in publications])
            history.stamp(connection, rollback_id, entry["published_at"])
            connection.execute("checkpoint")
        os.replace(staged, published)
        fsync_directory(published.parent)
        append_jsonl(warehouse.publish_log_path(), entry)
        shutil.rmtree(versions[0].parent)
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)  # published, or failed with the warehouse unchanged
    return versions[0]


def _restore_on_spark(warehouse: WarehouseResource, version: Path) -> Path:
    """The same on Spark: the kept folder linked file by file into a run's tables folder (no copying), its history
    rebuilt by dbt from the published one, then published as a refresh is; the rolled-back folder is withdrawn."""
    rollback_id = f"rollback-{timestamp()}"
    warehouse.claim_working_folder(rollback_id)
    tables = warehouse.tables_dir()
    rolled_back, published_history = (
        spark_warehouse.published_folder(warehouse.spark_dir()),
        warehouse.published_history(),
    )
    session = spark_session.session()
    try:
        shutil.copytree(
            version, tables, copy_function=os.link, ignore=shutil.ignore_patterns(spark_warehouse.READER_CATALOG)
        )
        shutil.rmtree(tables / f"{history.HISTORY_SCHEMA}.db" / history.HISTORY_TABLE, ignore_errors=True)
        declared = ",".join(spark_warehouse.table_folders(tables))
        variables = {**spark_environment(tables, published_history, rollback_id), "SPARK_DECLARED_TABLES": declared}
        _rebuild_history(variables, spark_target(), warehouse.dbt_target_path())
        entry = publish_log_entry(rollback_id, "rollback", None, [], "spark")
        publications = [*read_jsonl(warehouse.publish_log_path()), entry]
        spark_warehouse.write_rows(
            session,
            tables / f"{audit.SCHEMA}.db" / "publish_log",
            audit.COLUMNS["publish_log"],
            [_publish_log_row(e) for e in publications],
        )
        _switch_on_spark(warehouse, session, entry)
        shutil.rmtree(version)
        if rolled_back is not None:
            shutil.rmtree(rolled_back)
    finally:
        shutil.rmtree(warehouse.working_folder(), ignore_errors=True)
    return version


def _rebuild_history(variables: dict[str, str], target_args: list[str], target_path: Path) -> None:
    """dbt builds the history model alone, where `variables` say (run_environment or spark_environment)."""
    completed = subprocess.run(
        [
            str(settings.DBT_EXECUTABLE),
            "build",
            "--select",
            history.HISTORY_TABLE,
            *REFRESH_BUILD_ARGS[1:],
            *target_args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(target_path),
        ],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"the rollback could not rebuild the recorded history; nothing was published:\n{completed.stdout[-3000:]}"
        )


def published_checksums(warehouse: WarehouseResource) -> dict[str, str]:
    """The seed checksums of the latest publication on the warehouse's engine: what it was built from."""
    publications = [
        entry
        for entry in read_jsonl(warehouse.publish_log_path())
        if entry["action"] == "publish" and entry.get("engine", "duckdb") == warehouse.engine
    ]
    return publications[-1]["seed_checksums"] if publications else {}


def publish_log_entry(
    run_id: str, action: str, seeds_dir: Path | None, records: list[CheckRecord], engine: str = "duckdb"
) -> dict:
    tally = counts(records)
    return {
        "run_id": run_id,
        "action": action,
        "engine": engine,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "seed_checksums": csv_checksums(seeds_dir) if seeds_dir is not None else {},
        "checks_passed": tally["passed"],
        "checks_warned": tally["warned"],
        "checks_failed": tally["failed"],
    }


def _publish_log_row(entry: dict) -> list:
    return [
        entry["run_id"],
        entry["action"],
        entry["published_at"],
        entry["code_version"],
        json.dumps(entry["seed_checksums"]),
        entry["checks_passed"],
        entry["checks_warned"],
        entry["checks_failed"],
        entry.get("engine", "duckdb"),  # entries written before there were two engines are DuckDB's
    ]


def code_version() -> str:
    """The git revision of the code (with +dirty for uncommitted changes), or 'unknown' outside a checkout."""

    def git(*args: str) -> str:
        command = ["git", *args]
        return subprocess.run(
            command, cwd=settings.REPO_ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        revision = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return revision + ("+dirty" if dirty else "")
