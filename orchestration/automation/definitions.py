"""Everything Dagster loads, assembled in the order of the flow; nothing is defined here.

seeds → ingest (raw tables, input contracts) → transform (dbt) → consistency (checks on the rules' findings) →
publish → serving (the data page, the PostgreSQL copy), with automation (jobs, schedules, sensors) over all of them
and the ground floor (warehouse/) under them. The engine they run on comes inside the warehouse resource, chosen once
by whoever builds it (orchestration/engines/).
"""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import engines
from orchestration.automation.jobs import (
    copy_to_serving_database,
    daily_refresh,
    refresh_warehouse,
    rollback_warehouse,
)
from orchestration.automation.sensors import record_failed_runs, seed_files_changed
from orchestration.consistency.checks import consistency_checks
from orchestration.ingest.assets import input_contract_checks, seed_assets
from orchestration.publish.assets import published_warehouse
from orchestration.serving.assets import (
    ServingDatabaseResource,
    data_page,
    postgres_serving_copy,
    serving_database_from_settings,
)
from orchestration.transform.assets import dbt_models
from orchestration.warehouse import logs
from orchestration.warehouse.dbt import dbt_cli
from orchestration.warehouse.resource import WarehouseResource


def build_definitions(
    warehouse: WarehouseResource,
    executor: dg.ExecutorDefinition = dg.in_process_executor,
    serving_database: ServingDatabaseResource | None = None,
    dbt: DbtCliResource | None = None,
) -> dg.Definitions:
    """The code location, for the warehouse at the given paths (tests pass temporary ones). With a serving database,
    it also keeps the PostgreSQL copy for BI tools. dbt runs as a process of its own unless `dbt` says otherwise
    (orchestration/transform/in_process.py)."""
    serving = {"serving_database": serving_database} if serving_database else {}
    return dg.Definitions(
        assets=[
            *seed_assets,
            dbt_models,
            published_warehouse,
            data_page,
            *([postgres_serving_copy] if serving_database else []),
        ],
        asset_checks=[*input_contract_checks, *consistency_checks],
        jobs=[refresh_warehouse, rollback_warehouse, *([copy_to_serving_database] if serving_database else [])],
        schedules=[daily_refresh],
        sensors=[seed_files_changed, record_failed_runs],
        resources={"dbt": dbt or dbt_cli(), "warehouse": warehouse, **serving},
        loggers={"console": logs.console},  # short on the terminal, in full in a log file
        # In-process: the steps share one DuckDB working file, which takes one writer at a time, the run's lock and
        # working file live for the whole run, and a step subprocess costs seconds here (benchmarks/executors.py).
        executor=executor,
    )


def code_location(dbt_in_process: bool = False) -> dg.Definitions:
    """The definitions on the engine WAREHOUSE_ENGINE chooses, with the PostgreSQL copy when SERVING_DATABASE_URL is
    set: what Dagster loads (orchestration/definitions.py) and what the command line runs. With `dbt_in_process`
    (a long-lived process, `make watch`), dbt runs inside this process where the engine allows it."""
    warehouse = engines.warehouse()
    dbt = None
    if dbt_in_process and warehouse.engine.dbt_in_process:
        from orchestration.transform.in_process import in_process_dbt  # dbt's runner, imported only where it runs

        dbt = in_process_dbt()
    return build_definitions(warehouse, serving_database=serving_database_from_settings(), dbt=dbt)
