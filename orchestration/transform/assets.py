"""The dbt models and their tests as Dagster assets and asset checks, built in the run's working file."""

from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DagsterDbtCliRuntimeError, DbtCliResource, dbt_assets

from orchestration.transform.translator import LayerTranslator
from orchestration.warehouse.dbt import REFRESH_BUILD_ARGS, dbt_project, environment
from orchestration.warehouse.engine import Describe, Run
from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.retry import TRANSIENT_RETRY, is_transient


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(),
    retry_policy=TRANSIENT_RETRY,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """dbt build (models and their data tests) of the selected models in this run's working warehouse."""
    on_engine = warehouse.engine.dbt_invocation(warehouse.paths, Run.of(context))
    with environment(on_engine.variables):
        invocation = dbt.cli(
            [*REFRESH_BUILD_ARGS, *on_engine.target_args],
            context=context,
            raise_on_error=False,
            target_path=warehouse.engine.dbt_target_path(warehouse.paths),  # kept from run to run: the parsed project
        )
    # dbt holds the DuckDB file until it exits, so the events are collected first and described afterwards.
    events = list(invocation.stream())
    warehouse.engine.release_dbt()
    with on_engine.describer() as describe:
        yield from with_table_metadata(events, describe)
    if not invocation.is_successful():
        error = invocation.get_error() or DagsterDbtCliRuntimeError("dbt build failed")
        failures = _failed_nodes(invocation)
        if is_transient(str(error), failures):
            raise error  # retried by TRANSIENT_RETRY
        raise dg.Failure(description=f"dbt build failed:\n{failures or error}", allow_retries=False)


def _failed_nodes(invocation) -> str:
    """Each model or test that failed, with dbt's message, from run_results.json."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except (OSError, KeyError, ValueError):
        return ""
    return "\n".join(
        f"  {result['unique_id']}: {(result.get('message') or result['status']).strip()}"
        for result in results
        if result["status"] in ("error", "fail", "runtime error")
    )


def with_table_metadata(events: list, describe: Describe) -> Iterator:
    """The dbt events, each model's output carrying its column types as built and, for tables, its row count."""
    for event in events:
        if isinstance(event, dg.Output) and event.output_name:
            schema, name = _relation(event)
            if schema:
                yield event.with_metadata({**event.metadata, **describe(schema, name)})
                continue
        yield event


def _relation(event: dg.Output) -> tuple[str | None, str | None]:
    # dagster-dbt names outputs <schema>__<model>; the translator keys assets the same way.
    parts = event.output_name.split("__", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)
