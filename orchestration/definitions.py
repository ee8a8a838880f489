"""Everything Dagster loads, assembled; the parts live in ingest/, transform/, quality/ and publish/."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.ingest.assets import input_contract_checks, seed_assets
from orchestration.publish.assets import published_warehouse
from orchestration.publish.warehouse import START_FROM_TAG, WarehouseResource
from orchestration.quality.checks import consistency_checks
from orchestration.settings import DBT_EXECUTABLE
from orchestration.transform.assets import dbt_models
from orchestration.transform.project import dbt_project

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    description="Load every seed file, check it, build and test every model, and publish the warehouse.",
    tags={START_FROM_TAG: "empty"},
)


def build_definitions(warehouse: WarehouseResource) -> dg.Definitions:
    """The code location, for the warehouse at the given paths (tests pass temporary ones)."""
    return dg.Definitions(
        assets=[*seed_assets, dbt_models, published_warehouse],
        asset_checks=[*input_contract_checks, *consistency_checks],
        jobs=[refresh_warehouse],
        resources={
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
            "warehouse": warehouse,
        },
        # Steps share one DuckDB working file, which takes one writer at a time; a step subprocess costs seconds.
        executor=dg.in_process_executor,
    )


defs = build_definitions(WarehouseResource())
