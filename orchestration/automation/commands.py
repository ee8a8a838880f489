"""The commands that run the project's jobs, each recorded in the project's Dagster instance (DAGSTER_HOME), the one
`make dev` shows: `refresh` (`make run`), `rollback` (`make rollback`) and `serve`, the PostgreSQL copy for BI tools."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import dagster as dg
import filelock

from orchestration.automation import failures
from orchestration.serving.commands import local_postgres, published_warehouse
from orchestration.warehouse import settings
from orchestration.warehouse.commands import Command, argument
from orchestration.warehouse.paths import Paths


def project_instance() -> dg.DagsterInstance:
    """The project's Dagster instance (DAGSTER_HOME, `.dagster_home` by default), the one `make dev` shows: every run
    started here is recorded there with its logs, materializations and check results. Its SQLite storage takes
    several processes at once (`make dev`'s webserver and daemon, and this command)."""

    home = settings.DAGSTER_HOME()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():  # a new instance folder starts with the project's settings
        shutil.copyfile(settings.REPO_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # Opening an instance creates its SQLite tables when they are missing, and two commands opening a new folder at
    # once would both create them (one failing with "table snapshots already exists"): they open it one at a time.
    with filelock.FileLock(home / ".open.lock"):
        return dg.DagsterInstance.from_config(str(home))


def run_logs(log_file: Path, verbose: bool = False) -> dict:
    """The run's log at INFO (each step's start, end and own lines, not every engine event) on the terminal, errors
    in one line unless `verbose`; everything, in full, in `log_file` (orchestration/warehouse/logs.py)."""
    config = {"log_level": "INFO", "verbose": verbose, "log_file": str(log_file)}
    return {"loggers": {"console": {"config": config}}}


def machine_fault(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str | None:
    """The one sentence for a run that failed on a fault of the machine (orchestration/automation/failures.py)."""

    tags = instance.get_run_by_id(result.run_id).tags
    run_errors, after_publishing = failures.errors(result.all_events), failures.published(result.all_events)
    return failures.machine_fault(tags, run_errors, Paths.from_settings().work_dir, after_publishing)


def print_machine_fault(fault: str | None) -> None:
    if fault:  # last, where an operator looks first
        print(f"\nMachine fault: {fault}", file=sys.stderr)


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


def refresh(changed_only: bool = False, timings_path: Path | None = None, verbose: bool = False) -> int:
    from orchestration.automation.changes import seed_changes
    from orchestration.automation.definitions import code_location
    from orchestration.publish.publishing import published_checksums
    from orchestration.warehouse import check_records as report

    defs = code_location()
    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    job, tags = defs.resolve_job_def("refresh_warehouse"), {}
    if changed_only:
        changes = seed_changes(paths.seeds_dir, published_checksums(paths, engine))
        for message in changes.warnings():
            print(f"warning: {message}", file=sys.stderr)
        if not changes.roots and engine.publication(paths).exists():
            print("No seed file changed since the last publication; nothing was rebuilt.")
            return 0
        if changes.roots and engine.rebuilds_everything:
            print(f"Changed: {', '.join(changes.changed)}; rebuilding the whole warehouse on {engine.name}.")
        elif changes.roots:
            graph = defs.resolve_asset_graph()
            selection = changes.downstream(graph)
            job = defs.resolve_implicit_global_asset_job_def().get_subset(
                asset_selection=set(selection), asset_check_selection=set(changes.checks(graph))
            )
            tags = {"warehouse/changed_files": ",".join(changes.changed)}
            print(f"Changed: {', '.join(changes.changed)}; rebuilding {len(selection)} assets downstream of them.")
    with project_instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=tags,
            run_config=run_logs(paths.log_path, verbose),
        )
        records = report.run_check_records(instance, result.run_id)
        timings = step_timings(instance, result.run_id)
        fault = None if result.success else machine_fault(instance, result)
    slowest = sorted(((s, k) for k, s in timings.items() if k != "run"), reverse=True)[:3]
    print(f"\nRun took {timings['run']:.1f} s; slowest steps: " + ", ".join(f"{k} {s:.1f} s" for s, k in slowest))
    if timings_path:
        timings_path.write_text(json.dumps(timings, indent=1))
    if result.success:
        tally = report.counts(records)
        print(f"\nPublished {engine.publication(paths)}")
        print(f"Checks: {tally['passed']} passed, {tally['warned']} warned, {tally['failed']} failed.")
        for record in records:
            if record.outcome == "warned":
                print(
                    f"  warning, {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    ")
                )
        print(f"Quality report: {paths.report_path}")
        if (paths.site_dir / "index.html").exists():
            print(f"Data page: {paths.site_dir / 'index.html'}")
        return 0

    if failures.published(result.all_events):
        print(f"\nThe warehouse was published ({engine.publication(paths)}); a step after it failed.", file=sys.stderr)
    else:
        print("\nThe refresh failed; the published warehouse is unchanged.", file=sys.stderr)
    for record in records:
        if record.outcome == "failed":
            print(
                f"  {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    "),
                file=sys.stderr,
            )
    for message in failures.step_messages(result.all_events):
        print(f"  {message}", file=sys.stderr)
    print(f"Quality report: {paths.report_path}", file=sys.stderr)
    print(f"The whole log, tracebacks included: {paths.log_path}", file=sys.stderr)
    print_machine_fault(fault)
    return 1


def rollback(verbose: bool = False) -> int:
    """Run the rollback job: the previous version published again, and the data page rewritten for it."""
    from orchestration.automation.definitions import code_location

    defs = code_location()

    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    with project_instance() as instance:
        result = defs.resolve_job_def("rollback_warehouse").execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_logs(paths.log_path, verbose)
        )
        fault = None if result.success else machine_fault(instance, result)
    if not result.success:
        print("\n".join(failures.step_messages(result.all_events)), file=sys.stderr)
        print_machine_fault(fault)
        return 1
    print(f"Published the previous version again as {engine.publication(paths)}.")
    print(f"Data page: {paths.site_dir / 'index.html'}")
    return 0


def serve() -> int:
    """Start the local PostgreSQL, copy the published marts into it, print how to connect."""
    from orchestration import engines
    from orchestration.automation.definitions import build_definitions
    from orchestration.serving.assets import ServingDatabaseResource
    from orchestration.serving.local_postgres import LOADER_ROLE, READER_ROLE

    if published_warehouse() is None:
        return 1
    server = local_postgres()
    server.start()
    # The copy is a run of the copy job, so that it is recorded in the project's instance like every other.
    serving_database = ServingDatabaseResource(url=server.url(LOADER_ROLE), reader_role=READER_ROLE)
    warehouse = engines.warehouse()
    job = build_definitions(warehouse, serving_database=serving_database).resolve_job_def("copy_to_serving_database")
    with project_instance() as instance:
        logs = run_logs(warehouse.paths.log_path)
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=logs)
        fault = None if result.success else machine_fault(instance, result)
    if not result.success:
        print("\n".join(failures.step_messages(result.all_events)), file=sys.stderr)
        print_machine_fault(fault)
        return 1
    [materialization] = result.asset_materializations_for_node("postgres_serving_copy")
    copied = materialization.metadata["rows_per_table"].value
    print(f"Copied {len(copied)} marts ({sum(copied.values())} rows) to PostgreSQL on 127.0.0.1:{server.port}.\n")
    print(server.describe())
    return 0


VERBOSE = argument("--verbose", action="store_true", help="print errors with their tracebacks (always in the log file)")
COMMANDS = [
    Command(
        "refresh",
        "load, check, transform and publish the warehouse",
        refresh,
        (
            argument("--timings", dest="timings_path", type=Path, help="write the seconds each step took to this file"),
            VERBOSE,
            argument(
                "--changed",
                dest="changed_only",
                action="store_true",
                help="rebuild only what depends on seed files changed since the last publication (nothing if none)",
            ),
        ),
    ),
    Command("rollback", "publish the previous version of the warehouse again", rollback, (VERBOSE,)),
    Command("serve", "start a local PostgreSQL with a copy of the marts for BI tools", serve),
]
