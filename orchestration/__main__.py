"""Command line: `python -m orchestration refresh` builds and publishes the warehouse (what `make run` calls)."""

from __future__ import annotations

import argparse
import sys

import dagster as dg


def refresh() -> int:
    from orchestration.definitions import defs
    from orchestration.publish.warehouse import WarehouseResource

    job = defs.resolve_job_def("refresh_warehouse")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    if result.success:
        print(f"Published {WarehouseResource().published_path}")
        return 0
    print("\nThe refresh failed; the published warehouse is unchanged.", file=sys.stderr)
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "unknown error"
            print(f"  {event.step_key}: {message}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("refresh", help="load, check, transform and publish the warehouse")
    args = parser.parse_args(argv)
    if args.command == "refresh":
        return refresh()
    return 2


if __name__ == "__main__":
    sys.exit(main())
