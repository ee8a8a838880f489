"""The dbt models and their tests as Dagster assets and asset checks, built in the run's working file."""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.publish.warehouse import START_FROM_TAG, WarehouseResource
from orchestration.transform.project import dbt_project
from orchestration.transform.translator import LayerTranslator


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """dbt build (models, unit tests and data tests) of the selected models in this run's working file."""
    working_file = warehouse.prepare_working_file(context.run_id, context.run.tags.get(START_FROM_TAG, "published"))
    dbt_vars = json.dumps({"warehouse_path": str(working_file)})
    yield from dbt.cli(["build", "--vars", dbt_vars], context=context).stream()
