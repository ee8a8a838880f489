"""The warehouse resource every stage uses: the engine the warehouse is built on, its paths, and the life of one run
around them.

Write, audit, publish: readers only ever open the publication. A run builds in the working folder
(<work_dir>/build/), every check runs on what it built there, and publishing makes it the publication in one atomic
step (how, each engine says: orchestration/engines/). The working folder's path is the same for every run (one run at
a time holds it, see below; `build/run_id` names the run), because dbt keeps its parsed project from one run to the
next only while what it builds keeps its path.

A run holds the refresh lock (lock.py) from its first step to its end; its first step also removes a working folder
left by a run that was killed, and records that run as failed. A run that ends without publishing (a failed check,
an error) keeps its folder as `unpublished-<time>-<run_id>` for diagnosis, with its quality report and dbt's log
inside; only the latest few are kept, and only the newest with its working file. A run that fails on a nearly full
disk removes what it built before writing its report (machine.py), and the next run checks the room it needs.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from orchestration.warehouse import machine, settings
from orchestration.warehouse.engine import Engine
from orchestration.warehouse.files import prune
from orchestration.warehouse.lock import acquire_refresh_lock
from orchestration.warehouse.paths import Paths

UNPUBLISHED_PREFIX = "unpublished-"
OWNER_FILE = "run_id"  # in the working folder: the run building there


class RunReport(dg.ConfigurableResource):
    """Writes the quality report of a run that ended without publishing, beside the published warehouse and in the
    run's kept folder (orchestration/consistency/quality_report.py)."""

    def write_unpublished(self, instance: dg.DagsterInstance, engine: Engine, paths: Paths, run_id: str, folder: Path):
        raise NotImplementedError


class WarehouseResource(dg.ConfigurableResource):
    """The engine the warehouse is built on (orchestration/engines/), the seed folder, the published file, and where
    runs build; around every run, the refresh lock and what a run that did not publish leaves behind, its quality
    report written by `report`."""

    engine: Engine
    report: RunReport
    seeds_dir: str = str(settings.SEEDS_DIR())
    published_path: str = str(settings.WAREHOUSE_PATH())
    work_dir: str = str(settings.WORK_DIR())
    keep_versions: int = settings.KEEP_VERSIONS()
    keep_unpublished: int = 3
    lock_timeout_seconds: float = settings.LOCK_TIMEOUT()

    _lock: object = PrivateAttr(default=None)

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.seeds_dir), Path(self.published_path), Path(self.work_dir))

    # Dagster calls these two around every run (and with no run for a sensor or schedule evaluation).

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.dagster_run is None:
            return
        work_dir, published = Path(self.work_dir), Path(self.published_path)
        machine.check_folders(work_dir, published)
        self._lock = acquire_refresh_lock(work_dir, context.dagster_run.run_id, self.lock_timeout_seconds)
        try:
            killed = _remove_working_folder_of_killed_run(self.paths.working_folder)
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
            run_id, paths, run_folder = context.dagster_run.run_id, self.paths, self.paths.working_folder
            if owner(run_folder) == run_id:  # the run did not publish: keep what it built, and say why
                full = machine.nearly_full(run_folder)
                if full:  # what the run built goes first, so that its report fits on the disk it filled
                    _remove_built_files(run_folder)
                    context.instance.add_run_tags(run_id, {machine.FAULT_TAG: machine.disk_filled(run_folder.parent)})
                self.report.write_unpublished(context.instance, self.engine, paths, run_id, run_folder)
                if not full:
                    dbt_target = self.engine.dbt_target_path(paths)
                    for artefact in ("run_results.json", "dbt.log"):  # dbt's results of this run; its log ends there
                        if (dbt_target / artefact).exists():
                            shutil.copyfile(dbt_target / artefact, run_folder / artefact)
                _keep_unpublished_folder(run_folder, run_id, self.keep_unpublished)
        finally:
            self._lock.release()
            self._lock = None


def claim_working_folder(paths: Paths, run_id: str) -> Path:
    """An empty working folder for `run_id`, which holds the refresh lock: nobody else builds there."""
    folder = paths.working_folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / OWNER_FILE).write_text(run_id)
    return folder


def owner(working_folder: Path) -> str | None:
    """The run building in the working folder, if there is one."""
    owner_file = working_folder / OWNER_FILE
    return owner_file.read_text().strip() if owner_file.exists() else None


def timestamp() -> str:
    """Now, in UTC, sortable as text: names of kept folders start with it."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _remove_working_folder_of_killed_run(working_folder: Path) -> list[str]:
    """Delete the working folder of a run that died without ending (killed); the caller holds the lock, so a folder
    there at its start is a dead run's. Returns that run's id, if known."""
    if not working_folder.exists():
        return []
    killed = owner(working_folder)
    shutil.rmtree(working_folder, ignore_errors=True)
    return [killed] if killed else []


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
