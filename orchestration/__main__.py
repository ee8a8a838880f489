"""Command line for the warehouse.

`refresh` loads, checks, transforms and publishes it (what `make run` calls); `rollback` publishes the previous
version again (`make rollback`).
"""

from __future__ import annotations

import argparse
import sys

import dagster as dg


def refresh() -> int:
    from orchestration.definitions import defs
    from orchestration.publish.warehouse import WarehouseResource
    from orchestration.quality import report

    warehouse = WarehouseResource()
    job = defs.resolve_job_def("refresh_warehouse")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
        records = report.run_check_records(instance, result.run_id)
    if result.success:
        tally = report.counts(records)
        print(f"\nPublished {warehouse.published_path}")
        print(f"Checks: {tally['passed']} passed, {tally['warned']} warned, {tally['failed']} failed.")
        for record in records:
            if record.outcome == "warned":
                print(
                    f"  warning, {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    ")
                )
        print(f"Quality report: {warehouse.report_path()}")
        return 0

    print("\nThe refresh failed; the published warehouse is unchanged.", file=sys.stderr)
    for record in records:
        if record.outcome == "failed":
            print(
                f"  {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    "),
                file=sys.stderr,
            )
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "unknown error"
            print(f"  step {event.step_key} failed: {message}", file=sys.stderr)
    print(f"Quality report: {warehouse.report_path()}", file=sys.stderr)
    return 1


def rollback() -> int:
    from orchestration.publish.warehouse import WarehouseResource

    warehouse = WarehouseResource()
    try:
        restored = warehouse.rollback()
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    remaining = len(warehouse.kept_versions())
    print(f"Restored {restored.parent.name} as {warehouse.published_path}; {remaining} older version(s) kept.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("refresh", help="load, check, transform and publish the warehouse")
    commands.add_parser("rollback", help="publish the previous version of the warehouse again")
    args = parser.parse_args(argv)
    return {"refresh": refresh, "rollback": rollback}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
