"""The warehouse on DuckDB, the default engine: a run builds one working file, publishing moves it onto the published
path with one atomic rename.

The working file is <work_dir>/build/<name>: the published file's own name, because DuckDB names its catalog after
the file and views refer to it. Its path is the same for every run, because dbt keeps its parsed project from one run
to the next (<work_dir>/dbt_target/partial_parse.msgpack) only while the file it builds keeps its path. The previous
published file is kept under .versions/ by a hard link, at no copying cost; a reader holding the old file keeps
reading it, the next connection sees the new one. Rollback publishes the newest kept version again the same way, with
the recorded history of the figures brought up to date (orchestration/publish/history.py).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import duckdb

from orchestration.publish import history
from orchestration.publish.publishing import audit_rows, publish_log_entry, publish_log_row, rebuild_history
from orchestration.warehouse import audit
from orchestration.warehouse.connections import connect_duckdb, duckdb_rows
from orchestration.warehouse.engine import DbtInvocation, Describe, Engine, Run, relation_metadata
from orchestration.warehouse.files import append_jsonl, atomic_path, fsync_directory, prune, read_jsonl
from orchestration.warehouse.paths import Paths
from orchestration.warehouse.resource import claim_working_folder, owner, timestamp


def run_environment(working_file: str | os.PathLike, run_id: str = "dbt-dev") -> dict[str, str]:
    """What tells dbt which DuckDB file to build (profiles.yml) and as which run (the history model). Environment
    variables, not `--vars`: dbt parses the whole project again whenever its command-line vars change (2 to 3 s on
    every run), while a changed environment variable re-parses only the file that reads it."""
    return {"WAREHOUSE_WORKING_FILE": str(working_file), "WAREHOUSE_RUN_ID": run_id}


class DuckDBEngine(Engine):
    """One DuckDB file per run and per publication."""

    dbt_in_process: ClassVar[bool] = True

    def dbt_target_path(self, paths: Paths) -> Path:
        return paths.work_dir / "dbt_target"

    def publication(self, paths: Paths) -> Path:
        return paths.published_path

    def reader_path(self, paths: Paths) -> Path:
        return paths.published_path

    def seed_connection(self, paths: Paths, run: Run):
        return self._connect_working(paths, run)

    def append_audit_rows(self, paths: Paths, run: Run, table: str, rows: list[list]) -> None:
        with self._connect_working(paths, run) as connection:
            audit.append_rows(connection, table, rows)

    def rows(self, paths: Paths, run: Run | None, sql: str) -> list[tuple]:
        if run is None:
            return duckdb_rows(paths.working_path)(sql)
        with self._connect_working(paths, run) as connection:
            return connection.execute(sql).fetchall()

    def has_table(self, paths: Paths, schema: str, table: str) -> bool:
        if not paths.working_path.exists():
            return False
        with connect_duckdb(paths.working_path, read_only=True) as connection:
            query = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
            return bool(connection.execute(query, [schema, table]).fetchone()[0])

    def dbt_invocation(self, paths: Paths, run: Run) -> DbtInvocation:
        working_file = self._prepare_working_file(paths, run)
        return DbtInvocation(run_environment(working_file, run.run_id), [], lambda: _describer(working_file))

    def release_dbt(self) -> None:
        # dbt-duckdb keeps its database open from one invocation to the next; the working file is then described,
        # published and renamed by this process, and the next run's file would be written through the old handle.
        connections = sys.modules.get("dbt.adapters.duckdb.connections")  # loaded only when dbt ran in process
        if connections is not None and connections.DuckDBConnectionManager._ENV is not None:  # noqa: SLF001
            connections.DuckDBConnectionManager._ENV.close()  # noqa: SLF001 (dbt-duckdb offers no public close)
            connections.DuckDBConnectionManager.close_all_connections()

    def publish(self, paths: Paths, run_id: str, records: list, keep_versions: int) -> Path:
        working = paths.working_path
        if not working.exists():
            raise FileNotFoundError(f"run {run_id} has no working file at {working}; nothing to publish")
        entry = publish_log_entry(run_id, "publish", paths.seeds_dir, records, self.name)
        publications = read_jsonl(paths.publish_log_path)
        with connect_duckdb(working) as connection:
            for table, rows in audit_rows(paths, run_id, entry, records).items():
                audit.replace_rows(connection, table, rows)
            history.stamp(connection, run_id, entry["published_at"])
            connection.execute("checkpoint")
        wal = working.with_name(working.name + ".wal")
        if wal.exists():
            raise RuntimeError(f"{wal} is still there after checkpoint and close; not publishing a partial file")

        published = paths.published_path
        published.parent.mkdir(parents=True, exist_ok=True)
        if published.exists():
            previous_run = publications[-1]["run_id"] if publications else "unknown-run"
            version = paths.versions_dir / f"{timestamp()}-{previous_run}" / published.name
            version.parent.mkdir(parents=True)
            os.link(published, version)
        os.replace(working, published)
        fsync_directory(published.parent)
        append_jsonl(paths.publish_log_path, entry)
        shutil.rmtree(working.parent, ignore_errors=True)
        prune(paths.versions_dir, keep=keep_versions)
        return published

    def kept_versions(self, paths: Paths) -> list[Path]:
        if not paths.versions_dir.is_dir():
            return []
        folders = sorted((p for p in paths.versions_dir.iterdir() if p.is_dir()), reverse=True)
        return [folder / paths.published_path.name for folder in folders]

    def version_name(self, version: Path) -> str:
        return version.parent.name

    def restore_kept_version(self, paths: Paths) -> Path:
        versions = self.kept_versions(paths)
        if not versions:
            raise FileNotFoundError(f"no previous version is kept in {paths.versions_dir}; nothing to roll back to")
        rollback_id = f"rollback-{timestamp()}"
        claim_working_folder(paths, rollback_id)
        published, staged = paths.published_path, paths.working_path
        try:
            shutil.copyfile(versions[0], staged)
            with connect_duckdb(staged) as connection:
                connection.execute(f"drop table if exists {history.HISTORY_SCHEMA}.{history.HISTORY_TABLE}")
                history.carry_over(connection, published)
            rebuild_history(run_environment(staged, rollback_id), [], self.dbt_target_path(paths))
            entry = publish_log_entry(rollback_id, "rollback", None, [], self.name)
            with connect_duckdb(staged) as connection:
                publications = [*read_jsonl(paths.publish_log_path), entry]
                audit.replace_rows(connection, "publish_log", [publish_log_row(e) for e in publications])
                history.stamp(connection, rollback_id, entry["published_at"])
                connection.execute("checkpoint")
            os.replace(staged, published)
            fsync_directory(published.parent)
            append_jsonl(paths.publish_log_path, entry)
            shutil.rmtree(versions[0].parent)
        finally:
            shutil.rmtree(staged.parent, ignore_errors=True)  # published, or failed with the warehouse unchanged
        return versions[0]

    def _prepare_working_file(self, paths: Paths, run: Run) -> Path:
        """The run's working file, created on its first use: a copy of the published warehouse, or empty but for the
        recorded history of the figures, which every publication carries over (history.py)."""
        path = paths.working_path
        if path.exists() and owner(path.parent) == run.run_id:
            return path
        claim_working_folder(paths, run.run_id)
        published = paths.published_path
        if run.start_from != "empty" and published.exists():
            with atomic_path(path) as partial:
                shutil.copyfile(published, partial)
        elif published.exists():
            with atomic_path(path) as partial, connect_duckdb(partial) as connection:
                history.carry_over(connection, published)
        return path

    def _connect_working(self, paths: Paths, run: Run) -> duckdb.DuckDBPyConnection:
        """A read-write connection to the run's working file (closed at the end of a `with` block)."""
        return connect_duckdb(self._prepare_working_file(paths, run))


@contextmanager
def _describer(working_file: Path) -> Iterator[Describe]:
    """The columns, and for a table the row count, of a relation in the working file."""
    with connect_duckdb(working_file, read_only=True) as connection:

        def describe(schema: str, name: str) -> dict:
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            if not columns:
                return {}
            # A table's count is stored; a view's would run its whole query again (seconds on millions of rows).
            is_table = connection.execute(
                "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, name]
            ).fetchone()[0]
            count = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0] if is_table else None
            return relation_metadata(columns, count)

        yield describe
