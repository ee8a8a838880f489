"""Everything Dagster loads, assembled; the parts live in ingest/, transform/, quality/, publish/ and automation/."""

import dagster as dg

from orchestration import settings
from orchestration.automation.jobs import daily_refresh, refresh_warehouse
from orchestration.automation.sensors import record_failed_runs, seed_files_changed
from orchestration.ingest.assets import input_contract_checks, seed_assets
from orchestration.publish.assets import published_warehouse
from orchestration.publish.warehouse import WarehouseResource
from orchestration.quality.checks import consistency_checks
from orchestration.serving.assets import ServingDatabaseResource, postgres_serving_copy
from orchestration.settings import DBT_EXECUTABLE
from orchestration.transform.assets import dbt_models
from orchestration.transform.dbt_cli import OfflineDbtCliResource
from orchestration.transform.project import dbt_project


def build_definitions(
    warehouse: WarehouseResource,
    executor: dg.ExecutorDefinition = dg.in_process_executor,
    serving_database: ServingDatabaseResource | None = None,
) -> dg.Definitions:
    """The code location, for the warehouse at the given paths (tests pass temporary ones). With a serving database,
    it also keeps the PostgreSQL copy for BI tools."""
    serving = {"serving_database": serving_database} if serving_database else {}
    return dg.Definitions(
        assets=[*seed_assets, dbt_models, published_warehouse, *([postgres_serving_copy] if serving_database else [])],
        asset_checks=[*input_contract_checks, *consistency_checks],
        jobs=[refresh_warehouse],
        schedules=[daily_refresh],
        sensors=[seed_files_changed, record_failed_runs],
        resources={
            "dbt": OfflineDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
            "warehouse": warehouse,
            **serving,
        },
        # In-process: the steps share one DuckDB working file, which takes one writer at a time, the run's lock and
        # working file live for the whole run, and a step subprocess costs seconds here (benchmarks/executors.py).
        executor=executor,
    )


defs = build_definitions(
    WarehouseResource(),
    serving_database=(
        ServingDatabaseResource(url=settings.serving_database_url(), reader_role=settings.serving_reader_role())
        if settings.serving_database_url()
        else None
    ),
)
