"""One refresh of the warehouse, whoever asks for it: `refresh` on the command line (`make run`) and the watcher
(`make watch`) run the same job, with the same selection, contracts, checks, lock and publication, recorded in the
project's run history. Each says what happened in its own words; this module only runs the refresh and reads it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from orchestration.automation import failures
from orchestration.automation.changes import seed_changes
from orchestration.publish.publishing import published_checksums
from orchestration.warehouse import check_records


def run_logs(log_file: Path, verbose: bool = False, terminal: str = "INFO") -> dict:
    """The run's log at `terminal`'s level on the terminal (INFO: each step's start, end and own lines, not every
    engine event), errors in one line unless `verbose`; everything, in full, in `log_file`
    (orchestration/warehouse/logs.py)."""
    config = {"log_level": terminal, "verbose": verbose, "log_file": str(log_file)}
    return {"loggers": {"console": {"config": config}}}


@dataclass(frozen=True)
class Refreshed:
    """What one refresh did."""

    changed: list[str]  # the seed files it was for; empty for a full refresh
    scope: str  # what it rebuilt, in words ("" when nothing ran)
    run_id: str | None = None  # None when nothing had changed and nothing ran
    success: bool = True
    published: bool = False  # whether the warehouse was published (a step after publishing may still have failed)
    records: list[check_records.CheckRecord] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, and the whole run under "run"
    messages: list[str] = field(default_factory=list)  # what each failed step said
    fault: str | None = None  # the one sentence for a fault of the machine
    warnings: list[str] = field(default_factory=list)  # deleted seed files, files without a contract

    @property
    def ran(self) -> bool:
        return self.run_id is not None


def refresh_once(
    defs: dg.Definitions, instance: dg.DagsterInstance, changed_only: bool = False, logs: dict | None = None
) -> Refreshed:
    """Run the refresh job (all of it, or with `changed_only` what the seed files changed since the last publication
    reach, nothing when none did) in `instance`, and read back what it did."""

    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    job, tags, changed, warnings = defs.resolve_job_def("refresh_warehouse"), {}, [], []
    scope = "the whole warehouse"
    if changed_only:
        changes = seed_changes(paths.seeds_dir, published_checksums(paths, engine))
        changed, warnings = changes.changed, changes.warnings()
        if not changes.roots and engine.publication(paths).exists():
            return Refreshed(changed=changed, scope="", warnings=warnings)
        if changes.roots and engine.rebuilds_everything:
            scope = f"the whole warehouse on {engine.name}"
        elif changes.roots:
            graph = defs.resolve_asset_graph()
            selection = changes.downstream(graph)
            job = defs.resolve_implicit_global_asset_job_def().get_subset(
                asset_selection=set(selection), asset_check_selection=set(changes.checks(graph))
            )
            tags = {"warehouse/changed_files": ",".join(changes.changed)}
            scope = f"{len(selection)} assets downstream of them"
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, tags=tags, run_config=logs or run_logs(paths.log_path)
    )
    events = result.all_events
    return Refreshed(
        changed=changed,
        scope=scope,
        run_id=result.run_id,
        success=result.success,
        published=failures.published(events),
        records=check_records.run_check_records(instance, result.run_id),
        timings=step_timings(instance, result.run_id),
        messages=[] if result.success else failures.step_messages(events),
        fault=None if result.success else machine_fault(instance, result, paths.work_dir),
        warnings=warnings,
    )


def machine_fault(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, work_dir: Path) -> str | None:
    """The one sentence for a run that failed on a fault of the machine (orchestration/automation/failures.py)."""
    tags = instance.get_run_by_id(result.run_id).tags
    run_errors, after_publishing = failures.errors(result.all_events), failures.published(result.all_events)
    return failures.machine_fault(tags, run_errors, work_dir, after_publishing)


def step_timings(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds per step of a run, and the whole run under "run"."""
    timings = {
        stats.step_key: stats.end_time - stats.start_time
        for stats in instance.get_run_step_stats(run_id)
        if stats.end_time and stats.start_time
    }
    run = instance.get_run_stats(run_id)
    timings["run"] = run.end_time - run.start_time
    return timings
