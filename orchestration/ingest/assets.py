"""One Dagster asset per seed file (seeds/<name>.csv loaded into raw.<name>), each with its input contract as a blocking
asset check. Every engine reads and checks the files the same way, in the DuckDB file its `seed_connection` gives; the
engine then stores the rows where its dbt reads them."""

import json
from datetime import UTC, datetime

import dagster as dg

from orchestration.ingest.loading import SeedFileError, load_seed_file
from orchestration.ingest.seed_tables import RAW_SCHEMA, SeedTable, seed_tables
from orchestration.ingest.validation import check_seed_table, start_importing_great_expectations
from orchestration.warehouse import settings
from orchestration.warehouse.engine import Run
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
        kinds={"csv", settings.WAREHOUSE_ENGINE()},
        description=f"Loads seeds/{table.file_name} into raw.{table.name}. {table.description}",
        metadata={"dagster/column_schema": column_schema, "seed_file": table.file_name},
        owners=OWNERS,
        tags={"layer": "raw"},
        retry_policy=TRANSIENT_RETRY,
    )
    def load_seed(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        start_importing_great_expectations()  # the input contracts that follow need it
        engine, paths, run = warehouse.engine, warehouse.paths, Run.of(context)
        path = paths.seed_path(table.file_name)
        with retried_only_if_transient(), engine.seed_connection(paths, run) as connection:
            try:
                result = load_seed_file(connection, table, path)
            except SeedFileError as error:
                # Bad input is not retried (a locked file is); the description shows in the UI and the run's error.
                raise dg.Failure(
                    description=str(error), metadata={"seed_file": str(path)}, allow_retries=False
                ) from None
            preview = connection.execute(f'select * from {RAW_SCHEMA}."{table.name}" limit {PREVIEW_ROWS}').df()
            engine.store_raw_table(paths, run, connection, table.name)
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
        engine, paths, run = warehouse.engine, warehouse.paths, Run.of(context)
        with engine.seed_connection(paths, run) as connection:
            outcome = check_seed_table(connection, table, paths.seed_path(table.file_name))
        engine.append_audit_rows(paths, run, "input_contract_results", [_contract_result(context, outcome)])
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
