"""Validation of a raw table against its contract with Great Expectations, in batches of bounded size.

The table is read into pandas in batches of about 200,000 rows (Great Expectations' SQL data source does not work well
with DuckDB), so memory stays bounded whatever its size; the one check that spans rows (unique keys) is counted over
the whole table in SQL first. A violation is located on its seed file's line. Great Expectations takes seconds to
import, so it is imported only when a check runs, never when Dagster loads.
"""

from __future__ import annotations

import csv
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ingest.loading import SeedFileError, load_seed_file
from orchestration.ingest.seed_tables import RAW_SCHEMA, SeedTable, seed_tables
from orchestration.ingest.vocabulary import (
    DERIVED_COLUMNS_SQL,
    Contract,
    Violation,
    build_contracts,
)

MAX_REPORTED_VIOLATIONS = 20
BATCH_VECTORS = 100  # DuckDB vectors of 2,048 rows: batches of about 200,000 rows in pandas at a time


@dataclass
class ContractOutcome:
    """The result of validating one raw table against its contract."""

    table: str
    file_name: str
    expectation_count: int
    violations: list[Violation] = field(default_factory=list)
    validation_result: dict = field(default_factory=dict)  # Great Expectations' result, as JSON

    @property
    def passed(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        if self.passed:
            return f"{self.file_name}: all {self.expectation_count} input contracts hold"
        shown = [violation.sentence(self.file_name) for violation in self.violations[:MAX_REPORTED_VIOLATIONS]]
        if len(self.violations) > MAX_REPORTED_VIOLATIONS:
            shown.append(f"... and {len(self.violations) - MAX_REPORTED_VIOLATIONS} more")
        return f"{self.file_name}: {len(self.violations)} input contract violation(s):\n  " + "\n  ".join(shown)


def check_seed_table(connection: duckdb.DuckDBPyConnection, table: SeedTable, seed_file: Path) -> ContractOutcome:
    """Validate raw.<table> (already loaded from `seed_file`) against its contract, in batches of bounded size."""
    catalogs = read_catalogs(connection, table)
    contracts = build_contracts(import_great_expectations().expectations, table, catalogs)
    for position, contract in enumerate(contracts):
        contract.expectation.meta = {"contract": position}
    validate = _batch_validator(table.name, [contract.expectation for contract in contracts])

    found: list[tuple[int | None, Contract, pd.Series]] = []  # (row number, broken contract, row)
    kept_results: list[dict] = []
    result_set = connection.execute(table_query(table))
    offset, first = 0, True
    # The next batch is fetched from DuckDB while Great Expectations validates this one.
    with ThreadPoolExecutor(max_workers=1) as prefetch:
        upcoming = prefetch.submit(result_set.fetch_df_chunk, BATCH_VECTORS)
        while True:
            frame = upcoming.result()
            if frame.empty and not first:
                break  # an empty table is still validated once, for its columns
            upcoming = prefetch.submit(result_set.fetch_df_chunk, BATCH_VECTORS)
            frame.index += offset
            result = validate(frame)
            for expectation_result in result.results:
                if expectation_result.success:
                    continue
                if expectation_result.exception_info.get("raised_exception"):
                    raise RuntimeError(
                        f"{table.file_name}: an input contract could not be evaluated: {expectation_result}"
                    )
                contract = contracts[expectation_result.expectation_config.meta["contract"]]
                indexes = expectation_result.result.get("unexpected_index_list")
                if not indexes:  # a table-level expectation: once is enough
                    if first:
                        found.append((None, contract, pd.Series(dtype=object)))
                    continue
                found.extend((index, contract, frame.loc[index]) for index in indexes)
            if first or not result.success:
                kept_results.append(result.to_json_dict())
            offset += len(frame)
            first = False

    violations = located_violations(seed_file, found)
    return ContractOutcome(
        table=table.name,
        file_name=table.file_name,
        expectation_count=len(contracts),
        violations=violations,
        validation_result={"rows": offset, "success": not violations, "batch_results": kept_results},
    )


def check_seed_folder(connection: duckdb.DuckDBPyConnection, folder: Path) -> tuple[dict[str, int], list[str]]:
    """Load every seed file of `folder` into raw.* of `connection` and check its input contract, as a refresh does:
    the rows loaded of each table, and the errors, one message a file (none when every contract holds). The contracts
    are checked once every file has loaded, as they read each other's codes."""
    loaded, errors = {}, []
    tables = seed_tables()
    for table in tables:
        try:
            loaded[table.name] = load_seed_file(connection, table, folder / table.file_name).row_count
        except SeedFileError as error:
            errors.append(str(error))
    if errors:
        return loaded, errors
    for table in tables:
        outcome = check_seed_table(connection, table, folder / table.file_name)
        if not outcome.passed:
            errors.append(outcome.summary())
    return loaded, errors


def located_violations(seed_file: Path, found: list[tuple[int | None, Contract, pd.Series]]) -> list[Violation]:
    """Each broken contract described on its row and named by the row's line (the row's position in the file, or
    None for the whole table), in the file's order."""
    lines = record_lines(seed_file) if any(position is not None for position, _, _ in found) else []
    violations = []
    for position, contract, row in found:
        value, expected = contract.describe(row)
        line = lines[position] if position is not None and position < len(lines) else None
        violations.append(Violation(line, contract.column, value, expected))
    return sorted(violations, key=lambda violation: (violation.line or 0, violation.column or ""))


def record_lines(seed_file: Path) -> list[int]:
    """The file line on which each data record ends, in file order (what DuckDB loads as rows 0, 1, ...)."""
    with seed_file.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        next(reader, None)
        # DuckDB skips an empty line, but loads a line of empty fields (`,,,`) as a row.
        return [reader.line_num for record in reader if record]


def table_query(table: SeedTable) -> str:
    """The raw table in file order (rowid is the order rows were read), with the columns the contracts derive."""
    derived, joins = "", ""
    if table.needs_units_and_indicators:
        derived += "," + DERIVED_COLUMNS_SQL
        joins = (
            f" left join {RAW_SCHEMA}.units as units on seed.unit_code = units.unit_code"
            f" left join {RAW_SCHEMA}.indicators as indicators on seed.indicator_code = indicators.indicator_code"
        )
    if table.unique_key:
        key = ", ".join(f'seed."{column}"' for column in table.unique_key)
        derived += f", count(*) over (partition by {key}) as _key_count"
    return f'select seed.*{derived} from {RAW_SCHEMA}."{table.name}" as seed{joins} order by seed.rowid'


def read_catalogs(connection: duckdb.DuckDBPyConnection, table: SeedTable) -> dict[str, list]:
    """The codes of another seed file that each referencing column of `table` uses and that exist there: a value
    outside them is unknown. Only the codes in use are read, so that a reference to a
    large file (a quote's figure among millions of observations) stays small."""
    catalogs = {}
    for column_name, contract in table.column_contracts.items():
        if "references" in contract:
            target_table, target_column = contract["references"].split(".")
            target, column = f'"{target_column}"', f'"{column_name}"'
            rows = connection.execute(
                f'select distinct target.{target} from {RAW_SCHEMA}."{target_table}" as target '
                f'where target.{target} in (select seed.{column} from {RAW_SCHEMA}."{table.name}" as seed)'
            ).fetchall()
            catalogs.setdefault(contract["references"], set()).update(row[0] for row in rows)
    return {reference: sorted(codes) for reference, codes in catalogs.items()}


def import_great_expectations():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # nothing reaches the network at run time
    import great_expectations
    from great_expectations.execution_engine import pandas_execution_engine

    # Great Expectations fingerprints every DataFrame under this many bytes (a hash of every cell) for batch markers
    # nothing here reads: 40 % of a batch's validation time. A threshold of 0 skips the fingerprint.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return great_expectations


def start_importing_great_expectations() -> None:
    """Import Great Expectations (seconds) in the background, while the seed files load (DuckDB frees the GIL)."""
    if "great_expectations" not in sys.modules:
        threading.Thread(target=import_great_expectations, name="import-great-expectations", daemon=True).start()


def _batch_validator(name: str, expectations: list) -> Callable[[pd.DataFrame], object]:
    """One Great Expectations suite, validated on each batch (a pandas DataFrame) it is given."""
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("seeds").add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    )
    suite = gx.ExpectationSuite(name=f"{name}_input_contract", expectations=expectations)

    def validate(frame: pd.DataFrame):
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        # A pass/fail answer is cheaper; the failing rows are asked for only when there are some.
        result = batch.validate(suite, result_format="BOOLEAN_ONLY")
        return result if result.success else batch.validate(suite, result_format="COMPLETE")

    return validate
