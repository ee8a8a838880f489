"""The dbt models and their tests as Dagster assets and asset checks, built in the run's working file."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtCliRuntimeError, DbtCliResource, dbt_assets

from orchestration.transform.translator import LayerTranslator
from orchestration.warehouse import spark_session
from orchestration.warehouse.connections import connect_duckdb
from orchestration.warehouse.dbt import (
    REFRESH_BUILD_ARGS,
    dbt_project,
    environment,
    run_environment,
    spark_environment,
    spark_target,
)
from orchestration.warehouse.resource import START_FROM_TAG, WarehouseResource
from orchestration.warehouse.retry import TRANSIENT_RETRY, is_transient


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(),
    retry_policy=TRANSIENT_RETRY,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """dbt build (models and their data tests) of the selected models in this run's working file, or on Spark in
    its tables folder."""
    if warehouse.engine == "spark":
        tables = warehouse.run_tables(context)
        variables, args = (
            spark_environment(tables, warehouse.published_history(), context.run_id),
            [
                *REFRESH_BUILD_ARGS,
                *spark_target(),
            ],
        )
        describer = spark_describer(tables)
    else:
        working_file = warehouse.prepare_working_file(context.run_id, context.run.tags.get(START_FROM_TAG, "published"))
        variables, args = run_environment(working_file, context.run_id), REFRESH_BUILD_ARGS
        describer = duckdb_describer(working_file)
    with environment(variables):
        invocation = dbt.cli(
            args,
            context=context,
            raise_on_error=False,
            target_path=warehouse.dbt_target_path(),  # kept from run to run: dbt's parsed project
        )
    # dbt holds the DuckDB file until it exits, so the events are collected first and described afterwards.
    events = list(invocation.stream())
    with describer as describe:
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


def with_table_metadata(events: list, describe: Callable[[str, str], dict]) -> Iterator:
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


@contextmanager
def duckdb_describer(working_file: Path) -> Iterator[Callable[[str, str], dict]]:
    """The columns, and for a table the row count, of a relation in the working file."""
    with connect_duckdb(working_file, read_only=True) as connection:

        def describe(schema: str, name: str) -> dict:
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            if not columns:
                return {}
            # A table's count is stored; a view's would run its whole query again (seconds on millions of rows).
            is_table = connection.execute(
                "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, name]
            ).fetchone()[0]
            count = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0] if is_table else None
            return _metadata(columns, count)

        yield describe


@contextmanager
def spark_describer(tables: Path) -> Iterator[Callable[[str, str], dict]]:
    """The same of a table in a Spark run's tables folder (its views ended with dbt's session)."""

    def describe(schema: str, name: str) -> dict:
        folder = tables / f"{schema}.db" / name
        if not folder.is_dir():
            return {}
        frame = spark_session.session().read.parquet(str(folder))
        return _metadata([(field.name, field.dataType.simpleString()) for field in frame.schema.fields], frame.count())

    yield describe


def _metadata(columns: list[tuple[str, str]], row_count: int | None) -> dict:
    metadata = {"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(c, t.lower()) for c, t in columns])}
    if row_count is not None:
        metadata["dagster/row_count"] = row_count
    return metadata
