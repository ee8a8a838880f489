"""The ingest command: `dev-warehouse` (`make dbt-dev`) loads the seed files, with a refresh's loader and input
contracts, into dbt's development file, for dbt without Dagster."""

from __future__ import annotations

import sys

from orchestration.warehouse import settings
from orchestration.warehouse.commands import Command
from orchestration.warehouse.connections import connect_duckdb


def dev_warehouse() -> int:
    """Load every seed file, with the same loader and contracts as a refresh, into dbt's development file, so that
    `dbt build`, `dbt compile` and sqlfluff work in dbt_project/ without Dagster and never touch the published file."""
    from orchestration.ingest.validation import check_seed_folder

    path = settings.DBT_DEV_WAREHOUSE
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect_duckdb(path) as connection:
        loaded, errors = check_seed_folder(connection, settings.SEEDS_DIR())
    for name, rows in loaded.items():
        print(f"raw.{name}: {rows} rows from {name}.csv")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print(f"\ndbt's development file is ready: {path}\nNow, in dbt_project/: dbt build, dbt compile, or sqlfluff lint.")
    return 0


COMMANDS = [
    Command("dev-warehouse", "load the seed files into dbt's development file (dbt without Dagster)", dev_warehouse),
]
