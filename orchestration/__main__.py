"""Command line for the warehouse: `python -m orchestration COMMAND`, what `make` calls.

Each command is declared beside what it does, in its package's `commands.py`: running the jobs (automation/: refresh,
watch, rollback, serve), serving (serving/: site, the exports, Superset, the Spark cluster, stopping the servers), the
curator's proposals (proposals/: propose, accept), dbt without Dagster (ingest/: dev-warehouse) and the settings
(warehouse/). This module gathers them. Every Dagster run is recorded in the project's instance (DAGSTER_HOME), the
one `make dev` shows.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from orchestration import engines

# The packages with commands, in the order `--help` lists them.
PACKAGES = ["automation", "serving", "proposals", "ingest", "warehouse"]


def commands() -> dict:
    found = {}
    for package in PACKAGES:
        for command in importlib.import_module(f"orchestration.{package}.commands").COMMANDS:
            found[command.name] = command
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    known = commands()
    for command in known.values():
        subparser = subparsers.add_parser(command.name, help=command.help)
        for argument in command.arguments:
            subparser.add_argument(*argument.flags, **argument.options)
    arguments = vars(parser.parse_args(argv))
    try:
        engines.checked()  # read by everything the commands import: a wrong value is said once, plainly
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    return known[arguments.pop("command")].run(**arguments)


if __name__ == "__main__":
    sys.exit(main())
