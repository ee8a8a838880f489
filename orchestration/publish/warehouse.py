"""The published warehouse file, the working files runs build in, and the kept previous versions.

Write, audit, publish: readers only ever open the published file. A run builds in its own working file
(<work_dir>/<run_id>/<name>: the same file name as the published one, because DuckDB names its catalog after the
file and views refer to it), every check runs on that file, and publishing moves it onto the published path with one
atomic rename. A reader holding the old file keeps reading the old version; the next connection sees the new one.

A refresh holds an exclusive lock (flock on <work_dir>/refresh.lock) from its first step to its end: a second
refresh waits for it, up to a limit, then is refused with the holder's run id. The lock dies with its process, so a
run killed with SIGKILL leaves no lock behind, and its working folder is removed by the next run. A run that ends
without publishing (a failed check, an error) keeps its folder as `unpublished-<time>-<run_id>` for diagnosis,
with its quality report inside; only the latest few are kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.quality.report import (
    REPORT_NAME,
    CheckRecord,
    counts,
    record_in_warehouse,
    run_check_records,
    write_markdown,
)

# Run tag saying where a run's working file starts: "empty" for a full rebuild, otherwise a copy of the published
# file, so that a run rebuilding only part of the warehouse still publishes all of it.
START_FROM_TAG = "warehouse/start_from"
LOCK_NAME = "refresh.lock"
VERSIONS_DIR = ".versions"
UNPUBLISHED_PREFIX = "unpublished-"
PUBLISH_LOG_NAME = "publish_log.jsonl"
FAILED_RUNS_LOG_NAME = "failed_runs.jsonl"  # written by the record_failed_runs sensor


class RefreshLockedError(RuntimeError):
    """Another refresh holds the warehouse lock."""


class WarehouseResource(dg.ConfigurableResource):
    """The seed folder the warehouse is built from, the published file, and where runs build their working files."""

    seeds_dir: str = str(settings.seeds_dir())
    published_path: str = str(settings.warehouse_path())
    work_dir: str = str(settings.work_dir())
    keep_versions: int = settings.keep_versions()
    keep_unpublished: int = 3
    lock_timeout_seconds: float = settings.lock_timeout_seconds()

    _lock_file: object = PrivateAttr(default=None)

    # ---------------------------------------------------------------- paths

    def working_path(self, run_id: str) -> Path:
        return Path(self.work_dir) / run_id / Path(self.published_path).name

    def seed_path(self, file_name: str) -> Path:
        return Path(self.seeds_dir) / file_name

    def report_path(self) -> Path:
        """The quality report of the latest run, beside the published warehouse."""
        return Path(self.published_path).with_name(REPORT_NAME)

    def versions_dir(self) -> Path:
        return Path(self.published_path).parent / VERSIONS_DIR

    def kept_versions(self) -> list[Path]:
        """Previously published files, newest first."""
        if not self.versions_dir().is_dir():
            return []
        folders = sorted((p for p in self.versions_dir().iterdir() if p.is_dir()), reverse=True)
        return [folder / Path(self.published_path).name for folder in folders]

    # ---------------------------------------------------------------- run lifecycle (Dagster calls these)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.dagster_run is None:  # a sensor or schedule evaluation, not a run
            return
        self._lock_file = acquire_refresh_lock(
            Path(self.work_dir), context.dagster_run.run_id, self.lock_timeout_seconds
        )
        remove_stale_working_folders(Path(self.work_dir), keep=context.dagster_run.run_id)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock_file is None:
            return
        try:
            run_folder = Path(self.work_dir) / context.dagster_run.run_id
            if run_folder.exists():  # the run did not publish: keep what it built, and say why
                records = run_check_records(context.instance, context.dagster_run.run_id)
                write_markdown(self.report_path(), context.dagster_run.run_id, records, published=False)
                write_markdown(run_folder / REPORT_NAME, context.dagster_run.run_id, records, published=False)
                keep_unpublished_folder(run_folder, self.keep_unpublished)
        finally:
            self._lock_file.close()  # releases the lock
            self._lock_file = None

    # ---------------------------------------------------------------- working file

    def prepare_working_file(self, run_id: str, start_from: str = "published") -> Path:
        """Create the run's working file on first use: empty, or a copy of the published warehouse."""
        path = self.working_path(run_id)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        published = Path(self.published_path)
        if start_from != "empty" and published.exists():
            partial = path.with_name(path.name + ".copying")
            shutil.copyfile(published, partial)
            os.replace(partial, path)
        return path

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

    # ---------------------------------------------------------------- publish and roll back

    def publish(self, run_id: str, records: list[CheckRecord]) -> Path:
        """Record the run in the working file, then move it onto the published path in one atomic rename."""
        working = self.working_path(run_id)
        if not working.exists():
            raise FileNotFoundError(f"run {run_id} has no working file at {working}; nothing to publish")
        entry = publish_log_entry(run_id, "publish", Path(self.seeds_dir), records)
        history = read_jsonl(self.publish_log_path())
        failed_runs = read_jsonl(Path(self.published_path).with_name(FAILED_RUNS_LOG_NAME))
        with connect_duckdb(working) as connection:
            write_audit_tables(connection, [*history, entry], failed_runs, run_id, records)
            connection.execute("checkpoint")
        wal = working.with_name(working.name + ".wal")
        if wal.exists():
            raise RuntimeError(f"{wal} is still there after checkpoint and close; not publishing a partial file")

        published = Path(self.published_path)
        published.parent.mkdir(parents=True, exist_ok=True)
        if published.exists():
            previous_run = history[-1]["run_id"] if history else "unknown-run"
            version = self.versions_dir() / f"{_timestamp()}-{previous_run}" / published.name
            version.parent.mkdir(parents=True)
            os.link(published, version)  # the previous file stays whole under a second name, at no copying cost
        os.replace(working, published)
        _fsync_directory(published.parent)
        append_publish_log(self.publish_log_path(), entry)
        shutil.rmtree(working.parent, ignore_errors=True)
        prune(self.versions_dir(), keep=self.keep_versions)
        return published

    def rollback(self) -> Path:
        """Publish the newest kept version again (atomically) and drop it from the kept versions."""
        versions = self.kept_versions()
        if not versions:
            raise FileNotFoundError(f"no previous version is kept in {self.versions_dir()}; nothing to roll back to")
        published = Path(self.published_path)
        staged = published.with_name(f".{published.name}.rollback")
        staged.unlink(missing_ok=True)
        os.link(versions[0], staged)
        os.replace(staged, published)
        _fsync_directory(published.parent)
        shutil.rmtree(versions[0].parent)
        append_publish_log(self.publish_log_path(), publish_log_entry(versions[0].parent.name, "rollback", None, []))
        return versions[0]

    def publish_log_path(self) -> Path:
        return Path(self.published_path).with_name(PUBLISH_LOG_NAME)


# -------------------------------------------------------------------- helpers


def connect_duckdb(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a working file, held to DUCKDB_MEMORY_LIMIT (DuckDB spills beyond it rather than taking most
    of the machine's memory)."""
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": settings.duckdb_memory_limit()})


def acquire_refresh_lock(work_dir: Path, run_id: str, timeout_seconds: float):
    """Take the refresh lock, waiting up to `timeout_seconds`; the open file holds it until closed."""
    work_dir.mkdir(parents=True, exist_ok=True)
    lock_file = open(work_dir / LOCK_NAME, "a+")  # noqa: SIM115 - held for the whole run
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                lock_file.seek(0)
                holder = lock_file.read().strip() or "unknown"
                lock_file.close()
                raise RefreshLockedError(
                    f"another refresh ({holder}) is building the warehouse in {work_dir}; this run waited "
                    f"{timeout_seconds:.0f} s and was refused. Nothing was changed. Run it again when that one ends "
                    "(REFRESH_LOCK_TIMEOUT sets how long to wait)."
                ) from None
            time.sleep(0.5)
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(f"run {run_id}, pid {os.getpid()}, since {_timestamp()}")
    lock_file.flush()
    return lock_file


def remove_stale_working_folders(work_dir: Path, keep: str) -> None:
    """Delete working folders of runs that died without ending (killed); the caller holds the lock."""
    for folder in work_dir.iterdir():
        if folder.is_dir() and folder.name != keep and not folder.name.startswith(UNPUBLISHED_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)


def keep_unpublished_folder(run_folder: Path, keep: int) -> Path:
    kept = run_folder.with_name(f"{UNPUBLISHED_PREFIX}{_timestamp()}-{run_folder.name}")
    os.replace(run_folder, kept)
    prune(run_folder.parent, keep=keep, prefix=UNPUBLISHED_PREFIX)
    return kept


def prune(folder: Path, keep: int, prefix: str = "") -> None:
    """Delete all but the newest `keep` sub-folders (names start with a sortable timestamp after `prefix`)."""
    if not folder.is_dir():
        return
    candidates = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.startswith(prefix)), reverse=True)
    for old in candidates[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def publish_log_entry(run_id: str, action: str, seeds_dir: Path | None, records: list[CheckRecord]) -> dict:
    tally = counts(records)
    checksums = {}
    if seeds_dir is not None:
        checksums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(seeds_dir.glob("*.csv"))}
    return {
        "run_id": run_id,
        "action": action,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "seed_checksums": checksums,
        "checks_passed": tally["passed"],
        "checks_warned": tally["warned"],
        "checks_failed": tally["failed"],
    }


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def append_publish_log(path: Path, entry: dict) -> None:
    with path.open("a") as log:
        log.write(json.dumps(entry) + "\n")


def write_audit_tables(
    connection: duckdb.DuckDBPyConnection,
    log: list[dict],
    failed_runs: list[dict],
    run_id: str,
    records: list[CheckRecord],
) -> None:
    """audit.publish_log (every publication so far, this one last), audit.failed_runs and audit.check_results."""
    connection.execute("create schema if not exists audit")
    connection.execute(
        """
        create or replace table audit.publish_log (
            run_id varchar, action varchar, published_at timestamp with time zone, code_version varchar,
            seed_checksums json, checks_passed integer, checks_warned integer, checks_failed integer
        )
        """
    )
    connection.executemany(
        "insert into audit.publish_log values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                e["run_id"],
                e["action"],
                e["published_at"],
                e["code_version"],
                json.dumps(e["seed_checksums"]),
                e["checks_passed"],
                e["checks_warned"],
                e["checks_failed"],
            ]
            for e in log
        ],
    )
    connection.execute(
        """
        create or replace table audit.failed_runs (
            failed_at timestamp with time zone, run_id varchar, job varchar, failing_steps varchar[], error varchar
        )
        """
    )
    if failed_runs:
        connection.executemany(
            "insert into audit.failed_runs values (?, ?, ?, ?, ?)",
            [[f["failed_at"], f["run_id"], f["job"], f["failing_steps"], f["error"]] for f in failed_runs],
        )
    record_in_warehouse(connection, run_id, records)


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


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable: a crash right after it must not bring back the old directory entry."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
