"""One Dagster asset per seed file (seeds/<name>.csv loaded into raw.<name> of the run's working file), each with its
input contract as a blocking asset check."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.ingest import spark_loading
from orchestration.ingest.loading import SeedFileError, load_seed_file
from orchestration.ingest.seed_tables import SeedTable, seed_tables
from orchestration.ingest.validation import start_importing_great_expectations
from orchestration.warehouse import audit, settings, spark_session, spark_warehouse
from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.retry import TRANSIENT_RETRY, retried_only_if_transient
from orchestration.warehouse.settings import OWNERS

PREVIEW_ROWS = 5


def build_seed_asset(table: SeedTable) -> dg.AssetsDefinition:
    column_schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name, data_type.lower(), description=table.column_descriptions.get(name) or None)
            for name, data_type in table.columns.items()
        ]
    )

    @dg.asset(
        key=dg.AssetKey(["raw", table.name]),
        group_name="sources",
        kinds={"csv", settings.warehouse_engine()},
        description=f"Loads seeds/{table.file_name} into raw.{table.name}. {table.description}",
        metadata={"dagster/column_schema": column_schema, "seed_file": table.file_name},
        owners=OWNERS,
        tags={"layer": "raw"},
        retry_policy=TRANSIENT_RETRY,
    )
    def load_seed(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        start_importing_great_expectations()  # the input contracts that follow need it
        path = warehouse.seed_path(table.file_name)
        with retried_only_if_transient():
            try:
                if warehouse.engine == "spark":
                    result, preview = _load_on_spark(context, warehouse, table, path)
                else:
                    with warehouse.connect_working(context) as connection:
                        result = load_seed_file(connection, table, path)
                        preview = connection.execute(f'select * from raw."{table.name}" limit {PREVIEW_ROWS}').df()
            except SeedFileError as error:
                # Bad input is not retried (a locked file is); the description shows in the UI and the run's error.
                raise dg.Failure(
                    description=str(error), metadata={"seed_file": str(path)}, allow_retries=False
                ) from None
        context.log.info(f"loaded {result.row_count} rows from {path} into raw.{table.name}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.row_count,
                "seed_file": dg.MetadataValue.path(str(path)),
                "sha256": result.sha256,
                "preview": dg.MetadataValue.md(preview.to_markdown(index=False)),
            }
        )

    return load_seed


def _load_on_spark(context: dg.AssetExecutionContext, warehouse: WarehouseResource, table: SeedTable, path: Path):
    """The seed file loaded by Spark into the run's tables (docs/spark.md), and its first rows."""
    session = spark_session.session()
    tables = warehouse.run_tables(context)
    result = spark_loading.load_seed_file(session, table, path, tables / "raw.db")
    preview = session.read.parquet(str(tables / "raw.db" / table.name)).limit(PREVIEW_ROWS).toPandas()
    return result, preview.drop(columns=[spark_loading.SEED_ORDER])


def build_input_contract_check(table: SeedTable) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", table.name]),
        name="input_contract",
        blocking=True,
        additional_deps=[dg.AssetKey(["raw", name]) for name in sorted(table.referenced_tables)],
        description=(
            f"Great Expectations contract of seeds/{table.file_name} (the meta entries in _sources.yml): required "
            "values, accepted values, codes that exist in the other seed files, ordered periods, limits. A violation "
            "stops the run before anything is built from the file."
        ),
    )
    def input_contract(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from orchestration.ingest import spark_validation, validation  # imports Great Expectations

        seed_file = warehouse.seed_path(table.file_name)
        if warehouse.engine == "spark":
            tables = warehouse.run_tables(context)
            outcome = spark_validation.check_seed_table(spark_session.session(), tables, table, seed_file)
            record = _contract_result(context, outcome)
            spark_warehouse.write_rows(
                spark_session.session(),
                tables / f"{audit.SCHEMA}.db" / "input_contract_results",
                audit.COLUMNS["input_contract_results"],
                [record],
                mode="append",
            )
        else:
            with warehouse.connect_working(context) as connection:
                outcome = validation.check_seed_table(connection, table, seed_file)
                audit.append_rows(connection, "input_contract_results", [_contract_result(context, outcome)])
        if not outcome.passed:
            context.log.error(outcome.summary())
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=outcome.summary(),
            metadata={
                "expectations": outcome.expectation_count,
                "violations": len(outcome.violations),
                "first_violations": dg.MetadataValue.md(
                    "\n".join(f"- {v.sentence(table.file_name)}" for v in outcome.violations[:20]) or "none"
                ),
            },
        )

    return input_contract


def _contract_result(context: dg.AssetCheckExecutionContext, outcome) -> list:
    """A row of audit.input_contract_results."""
    return [
        context.run.run_id,
        datetime.now(UTC),
        outcome.table,
        outcome.file_name,
        outcome.passed,
        outcome.expectation_count,
        len(outcome.violations),
        outcome.summary(),
        json.dumps(outcome.validation_result, default=str),
    ]


seed_assets = [build_seed_asset(table) for table in seed_tables()]
input_contract_checks = [build_input_contract_check(table) for table in seed_tables()]
