"""The dbt models and their tests as Dagster assets and asset checks, built in the run's working file."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtCliRuntimeError, DbtCliResource, dbt_assets

from orchestration.transform.translator import LayerTranslator
from orchestration.warehouse.connections import connect_duckdb
from orchestration.warehouse.dbt import REFRESH_BUILD_ARGS, dbt_project, environment, run_environment
from orchestration.warehouse.resource import START_FROM_TAG, WarehouseResource
from orchestration.warehouse.retry import TRANSIENT_RETRY, is_transient


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(),
    retry_policy=TRANSIENT_RETRY,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """dbt build (models and their data tests) of the selected models in this run's working file."""
    working_file = warehouse.prepare_working_file(context.run_id, context.run.tags.get(START_FROM_TAG, "published"))
    with environment(run_environment(working_file, context.run_id)):
        invocation = dbt.cli(
            REFRESH_BUILD_ARGS,
            context=context,
            raise_on_error=False,
            target_path=warehouse.dbt_target_path(),  # kept from run to run: dbt's parsed project
        )
    # dbt holds the DuckDB file until it exits, so the events are collected first and described afterwards.
    events = list(invocation.stream())
    yield from with_table_metadata(events, str(working_file))
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


def with_table_metadata(events: list, working_file: str) -> Iterator:
    """The dbt events, each model's output carrying its column types as built and, for tables, its row count."""
    with connect_duckdb(Path(working_file), read_only=True) as connection:
        for event in events:
            if isinstance(event, dg.Output) and event.output_name:
                schema, name = _relation(event)
                if schema:
                    yield event.with_metadata({**event.metadata, **_describe(connection, schema, name)})
                    continue
            yield event


def _relation(event: dg.Output) -> tuple[str | None, str | None]:
    # dagster-dbt names outputs <schema>__<model>; the translator keys assets the same way.
    parts = event.output_name.split("__", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)


def _describe(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> dict:
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    if not columns:
        return {}
    metadata = {"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(c, t.lower()) for c, t in columns])}
    # A table's count is stored; a view's would run its whole query again (seconds on millions of rows).
    is_table = connection.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, name]
    ).fetchone()[0]
    if is_table:
        metadata["dagster/row_count"] = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
    return metadata
