"""Sensors: a run for every edited seed file, and a record of every failed run."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.ingest.assets import seed_tables
from orchestration.publish.warehouse import FAILED_RUNS_LOG_NAME, WarehouseResource, read_jsonl


def seed_checksums(seeds_dir: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(seeds_dir.glob("*.csv"))}


def published_checksums(warehouse: WarehouseResource) -> dict[str, str]:
    """The seed checksums of the latest publication: what the published warehouse was built from."""
    publications = [entry for entry in read_jsonl(warehouse.publish_log_path()) if entry["action"] == "publish"]
    return publications[-1]["seed_checksums"] if publications else {}


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
    current = seed_checksums(Path(warehouse.seeds_dir))
    previous = json.loads(context.cursor) if context.cursor else published_checksums(warehouse)
    changed = sorted(name for name, checksum in current.items() if previous.get(name) != checksum)
    deleted = sorted(set(previous) - set(current))
    load_assets = {table.file_name: dg.AssetKey(["raw", table.name]) for table in seed_tables()}

    messages = []
    if deleted:
        messages.append(
            f"deleted seed file(s): {', '.join(deleted)}; the published warehouse keeps their last loaded data "
            "until a full refresh, which fails until the file is restored or its contract removed from _sources.yml"
        )
    without_contract = [name for name in changed if name not in load_assets]
    if without_contract:
        messages.append(
            f"new file(s) without a contract, not loaded: {', '.join(without_contract)}; declare them as sources in "
            "dbt_project/models/staging/_sources.yml"
        )
    for message in messages:
        context.log.warning(message)

    roots = [load_assets[name] for name in changed if name in load_assets]
    if not roots:
        return dg.SensorResult(
            skip_reason="; ".join(messages) or "no seed file changed", cursor=json.dumps(current, sort_keys=True)
        )
    selection = dg.AssetSelection.assets(*roots).downstream().resolve(context.repository_def.asset_graph)
    run = dg.RunRequest(
        run_key=hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16],
        asset_selection=sorted(selection, key=lambda key: key.to_user_string()),
        tags={"warehouse/trigger": "seed_files_changed", "warehouse/changed_files": ",".join(changed)},
    )
    return dg.SensorResult(run_requests=[run], cursor=json.dumps(current, sort_keys=True))


@dg.run_failure_sensor(
    name="record_failed_runs",
    description=f"Appends every failed run (time, run id, job, failing steps, error) to {FAILED_RUNS_LOG_NAME} beside "
    "the warehouse; each published warehouse carries the list as audit.failed_runs.",
)
def record_failed_runs(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    steps = [
        {
            "step": event.step_key,
            "error": (event.step_failure_data.error.message.strip() if event.step_failure_data.error else ""),
        }
        for event in context.get_step_failure_events()
    ]
    entry = {
        "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": context.dagster_run.run_id,
        "job": context.dagster_run.job_name,
        "failing_steps": [step["step"] for step in steps],
        "error": "\n".join(step["error"] for step in steps) or (context.failure_event.message or ""),
    }
    log = Path(warehouse.published_path).with_name(FAILED_RUNS_LOG_NAME)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as file:
        file.write(json.dumps(entry) + "\n")
    context.log.info(f"recorded failed run {entry['run_id']} in {log}")
