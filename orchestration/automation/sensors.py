"""Sensors: a run for every edited seed file, and a record of every failed run."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.automation import failures as failures_read
from orchestration.automation.changes import seed_changes
from orchestration.publish.publishing import published_checksums
from orchestration.warehouse.engine import START_FROM_TAG
from orchestration.warehouse.files import append_jsonl
from orchestration.warehouse.paths import FAILED_RUNS_LOG_NAME
from orchestration.warehouse.resource import WarehouseResource


@dg.sensor(
    name="seed_files_changed",
    target=dg.AssetSelection.all(),  # each run request selects the changed files' downstream within it
    minimum_interval_seconds=30,
    description=(
        "Watches the seed folder. A new or changed file (by SHA-256; the first evaluation compares with what the "
        "published warehouse was built from) launches a run of that file's load asset and everything downstream, "
        "publishing a new warehouse. A deleted file is reported and launches nothing."
    ),
)
def seed_files_changed(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
    previous = json.loads(context.cursor) if context.cursor else published_checksums(warehouse.paths, warehouse.engine)
    changes = seed_changes(Path(warehouse.seeds_dir), previous)
    for message in changes.warnings():
        context.log.warning(message)
    if not changes.roots:
        return dg.SensorResult(
            skip_reason="; ".join(changes.warnings()) or "no seed file changed", cursor=changes.cursor()
        )
    tags = {"warehouse/trigger": "seed_files_changed", "warehouse/changed_files": ",".join(changes.changed)}
    if warehouse.engine.rebuilds_everything:  # as on Spark (docs/spark.md)
        run = dg.RunRequest(run_key=changes.run_key(), tags={**tags, START_FROM_TAG: "empty"})
    else:
        run = dg.RunRequest(
            run_key=changes.run_key(),
            asset_selection=changes.downstream(context.repository_def.asset_graph),
            asset_check_keys=changes.checks(context.repository_def.asset_graph),
            tags=tags,
        )
    return dg.SensorResult(run_requests=[run], cursor=changes.cursor())


@dg.run_failure_sensor(
    name="record_failed_runs",
    description=f"Appends every failed run (time, run id, job, failing steps, error) to {FAILED_RUNS_LOG_NAME} beside "
    "the warehouse; each published warehouse carries the list as audit.failed_runs.",
)
def record_failed_runs(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    run_id = context.dagster_run.run_id
    failures = context.get_step_failure_events()
    run_errors = failures_read.errors(failures)
    succeeded = context.instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
    entry = {
        "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "job": context.dagster_run.job_name,
        "failing_steps": [event.step_key for event in failures],
        "error": "\n".join(error.message.strip() for error in run_errors) or (context.failure_event.message or ""),
        "machine_fault": failures_read.machine_fault(
            context.dagster_run.tags,
            # The run's own error too: a fault found before any step (a resource's checks) fails no step.
            [*run_errors, getattr(context.failure_event.event_specific_data, "error", None)],
            Path(warehouse.work_dir),
            after_publishing=failures_read.published(entry.dagster_event for entry in succeeded),
        ),
    }
    log = warehouse.paths.failed_runs_log_path
    append_jsonl(log, entry)
    context.log.info(f"recorded failed run {entry['run_id']} in {log}")
