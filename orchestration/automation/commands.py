"""The commands that run the project's jobs, each recorded in the project's Dagster instance (DAGSTER_HOME), the one
`make dev` shows: `refresh` (`make run`), `rollback` (`make rollback`) and `serve`, the PostgreSQL copy for BI tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from orchestration.automation import failures
from orchestration.automation.instance import project_instance
from orchestration.automation.refreshing import machine_fault, refresh_once, run_logs
from orchestration.serving.commands import local_postgres, published_warehouse
from orchestration.warehouse.commands import Command, argument


def print_machine_fault(fault: str | None) -> None:
    if fault:  # last, where an operator looks first
        print(f"\nMachine fault: {fault}", file=sys.stderr)


def refresh(changed_only: bool = False, timings_path: Path | None = None, verbose: bool = False) -> int:
    from orchestration.automation.definitions import code_location
    from orchestration.warehouse.check_records import counts

    defs = code_location()
    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    with project_instance() as instance:
        done = refresh_once(defs, instance, changed_only, run_logs(paths.log_path, verbose))
    for message in done.warnings:
        print(f"warning: {message}", file=sys.stderr)
    if not done.ran:
        print("No seed file changed since the last publication; nothing was rebuilt.")
        return 0
    if done.changed:
        print(f"Changed: {', '.join(done.changed)}; rebuilding {done.scope}.")
    timings = done.timings
    slowest = sorted(((s, k) for k, s in timings.items() if k != "run"), reverse=True)[:3]
    print(f"\nRun took {timings['run']:.1f} s; slowest steps: " + ", ".join(f"{k} {s:.1f} s" for s, k in slowest))
    if timings_path:
        timings_path.write_text(json.dumps(timings, indent=1))
    if done.success:
        tally = counts(done.records)
        print(f"\nPublished {engine.publication(paths)}")
        print(f"Checks: {tally['passed']} passed, {tally['warned']} warned, {tally['failed']} failed.")
        for record in done.records:
            if record.outcome == "warned":
                print(
                    f"  warning, {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    ")
                )
        print(f"Quality report: {paths.report_path}")
        if (paths.site_dir / "index.html").exists():
            print(f"Data page: {paths.site_dir / 'index.html'}")
        return 0

    if done.published:
        print(f"\nThe warehouse was published ({engine.publication(paths)}); a step after it failed.", file=sys.stderr)
    else:
        print("\nThe refresh failed; the published warehouse is unchanged.", file=sys.stderr)
    for record in done.records:
        if record.outcome == "failed":
            print(
                f"  {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    "),
                file=sys.stderr,
            )
    for message in done.messages:
        print(f"  {message}", file=sys.stderr)
    print(f"Quality report: {paths.report_path}", file=sys.stderr)
    print(f"The whole log, tracebacks included: {paths.log_path}", file=sys.stderr)
    print_machine_fault(done.fault)
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
        fault = None if result.success else machine_fault(instance, result, paths.work_dir)
    if not result.success:
        print("\n".join(failures.step_messages(result.all_events)), file=sys.stderr)
        print_machine_fault(fault)
        return 1
    print(f"Published the previous version again as {engine.publication(paths)}.")
    print(f"Data page: {paths.site_dir / 'index.html'}")
    return 0


def watch() -> int:
    """Republish the warehouse each time a seed file is saved (orchestration/automation/watching.py)."""
    from orchestration.automation.watching import watch_seeds

    return watch_seeds()


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
        fault = None if result.success else machine_fault(instance, result, warehouse.paths.work_dir)
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
    Command("watch", "republish the warehouse each time a seed file is saved, until Ctrl-C", watch),
    Command("rollback", "publish the previous version of the warehouse again", rollback, (VERBOSE,)),
    Command("serve", "start a local PostgreSQL with a copy of the marts for BI tools", serve),
]
