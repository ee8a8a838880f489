"""The input contracts on Apache Spark (docs/spark.md): the same expectations as on DuckDB (vocabulary.py), validated
by Great Expectations' own Spark data source on the raw table as a Spark DataFrame, so that they run where the data
is. A broken contract is named by the same sentence as on DuckDB, its line found from the row's place in the file
(loading.SEED_ORDER)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orchestration.engines.spark import tables as spark_tables
from orchestration.engines.spark.loading import SEED_ORDER, seed_positions
from orchestration.ingest.seed_tables import SeedTable
from orchestration.ingest.validation import (
    ContractOutcome,
    import_great_expectations,
    located_violations,
    read_catalogs,
    table_query,
)
from orchestration.ingest.vocabulary import build_contracts


def check_seed_table(session, tables_dir: Path, table: SeedTable, seed_file: Path) -> ContractOutcome:
    """Validate raw.<table> (loaded from `seed_file` under `tables_dir`) against its contract."""
    gx = import_great_expectations()
    spark_tables.declare(session, tables_dir)
    catalogs = read_catalogs(lambda sql: [tuple(row) for row in session.sql(sql).collect()], table, quote="`")
    contracts = build_contracts(gx.expectations, table, catalogs, stored_columns=(SEED_ORDER,))
    for position, contract in enumerate(contracts):
        contract.expectation.meta = {"contract": position}
    frame = session.sql(table_query(table, quote="`", order=""))

    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_spark("seeds")
        .add_dataframe_asset(table.name)
        .add_batch_definition_whole_dataframe(table.name)
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(
        name=f"{table.name}_input_contract", expectations=[contract.expectation for contract in contracts]
    )
    result = batch.validate(suite, result_format="BOOLEAN_ONLY")
    if not result.success:  # the failing rows are asked for only when there are some
        result = batch.validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [SEED_ORDER]}
        )

    found: list[tuple[int | None, object]] = []  # (the row's SEED_ORDER, broken contract)
    for expectation_result in result.results:
        if expectation_result.success:
            continue
        if expectation_result.exception_info.get("raised_exception"):
            raise RuntimeError(f"{table.file_name}: an input contract could not be evaluated: {expectation_result}")
        contract = contracts[expectation_result.expectation_config.meta["contract"]]
        indexes = expectation_result.result.get("unexpected_index_list")
        if not indexes:  # a table-level expectation
            found.append((None, contract))
            continue
        found.extend((index[SEED_ORDER], contract) for index in indexes)

    orders = sorted({order for order, _ in found if order is not None})
    rows = frame.where(frame[SEED_ORDER].isin(orders)).toPandas().set_index(SEED_ORDER) if orders else None
    positions = seed_positions(session.read.parquet(str(tables_dir / "raw.db" / table.name)), orders) if orders else {}
    violations = located_violations(
        seed_file,
        [
            (positions.get(order), contract, rows.loc[order] if order is not None else pd.Series(dtype=object))
            for order, contract in found
        ],
    )
    return ContractOutcome(
        table=table.name,
        file_name=table.file_name,
        expectation_count=len(contracts),
        violations=violations,
        validation_result={"success": not violations, "result": result.to_json_dict()},
    )
