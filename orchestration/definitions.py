"""Everything Dagster loads, assembled; the parts live in ingest/, transform/ and publish/."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.ingest.assets import seed_assets
from orchestration.publish.assets import published_warehouse
from orchestration.publish.warehouse import START_FROM_TAG, WarehouseResource
from orchestration.settings import DBT_EXECUTABLE
from orchestration.transform.assets import dbt_models
from orchestration.transform.project import dbt_project

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    description="Load every seed file, build and test every model, and publish the warehouse.",
    tags={START_FROM_TAG: "empty"},
)

ALL_ASSETS = [*seed_assets, dbt_models, published_warehouse]

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[refresh_warehouse],
    resources={
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        "warehouse": WarehouseResource(),
    },
    # Steps share one DuckDB working file, which takes one writer at a time; a step subprocess also costs seconds.
    executor=dg.in_process_executor,
)
