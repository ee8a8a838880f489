"""Publishing: the run's working file, once every model is built and checked, becomes the published warehouse."""

import dagster as dg

from orchestration.publish.warehouse import WarehouseResource
from orchestration.transform.assets import dbt_models

MART_KEYS = [key for key in dbt_models.keys if key.path[0] == "marts"]


@dg.asset(
    key="published_warehouse",
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb"},
    description=(
        "The warehouse analysts open: this run's working file, checkpointed and moved onto the published path "
        "in one atomic rename. Readers holding the previous file keep reading it until they reconnect."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = warehouse.publish(context.run_id)
    context.log.info(f"published {path}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "size_bytes": path.stat().st_size})
