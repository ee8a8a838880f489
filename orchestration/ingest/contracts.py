"""Input contracts: each raw table checked with Great Expectations right after loading.

The contracts are the `meta` entries of the seed columns in dbt_project/models/staging/_sources.yml (required,
accepted values, references to other seed files, ordered pairs, limits). Each becomes an expectation validated on
the raw table read into pandas (Great Expectations' SQL data source does not work well with DuckDB). A violation is
reported as the seed file's line, the column, the value and what would have been accepted.

The table is validated in batches of about 200,000 rows, so memory stays bounded whatever its size; the one check
that spans rows (unique keys) is counted over the whole table in SQL first. Great Expectations takes seconds to
import, so it is imported only when a check runs, never when Dagster loads.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ingest.seed_files import RAW_SCHEMA, SeedTable

MAX_REPORTED_VIOLATIONS = 20
BATCH_VECTORS = 100  # DuckDB vectors of 2,048 rows: batches of about 200,000 rows in pandas at a time

# Columns derived for the observations' cross-file contracts; they are validated, never stored.
_DERIVED_OBSERVATION_COLUMNS = """
    seed.value * units.factor_to_canonical as _value_canonical,
    indicators.canonical_unit as _canonical_unit,
    indicators.min_value as _min_value,
    indicators.max_value as _max_value,
    units.quantity_kind as _unit_quantity_kind,
    indicators.quantity_kind as _indicator_quantity_kind
"""


_DERIVED_COLUMN_NAMES = [
    line.strip().rstrip(",").split(" as ")[1] for line in _DERIVED_OBSERVATION_COLUMNS.strip().splitlines()
]


@dataclass(frozen=True)
class Violation:
    """One value that breaks a contract, located in its seed file."""

    line: int | None
    column: str | None
    value: object
    expected: str

    def sentence(self, file_name: str) -> str:
        where = (
            file_name
            + (f", line {self.line}" if self.line else "")
            + (f", column {self.column}" if self.column else "")
        )
        value = "" if self.value is None else f"value {_show(self.value)} "
        return f"{where}: {value}{self.expected}"


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


@dataclass(frozen=True)
class _Contract:
    """An expectation and how to word a row that breaks it."""

    expectation: object
    column: str | None
    describe: Callable[[pd.Series], tuple[object, str]]  # row -> (value shown, what was expected)


def check_seed_table(connection: duckdb.DuckDBPyConnection, table: SeedTable, seed_file: Path) -> ContractOutcome:
    """Validate raw.<table> (already loaded from `seed_file`) against its contract, in batches of bounded size."""
    catalogs = _read_catalogs(connection, table)
    contracts = build_contracts(table, catalogs)
    for position, contract in enumerate(contracts):
        contract.expectation.meta = {"contract": position}
    validate = _batch_validator(table.name, [contract.expectation for contract in contracts])

    found: list[tuple[int | None, _Contract, pd.Series]] = []  # (row number, broken contract, row)
    kept_results: list[dict] = []
    result_set = connection.execute(_table_query(table))
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

    lines = record_lines(seed_file) if any(index is not None for index, _, _ in found) else []
    violations = []
    for index, contract, row in found:
        value, expected = contract.describe(row)
        line = lines[index] if index is not None and index < len(lines) else None
        violations.append(Violation(line, contract.column, value, expected))
    violations.sort(key=lambda violation: (violation.line or 0, violation.column or ""))
    return ContractOutcome(
        table=table.name,
        file_name=table.file_name,
        expectation_count=len(contracts),
        violations=violations,
        validation_result={"rows": offset, "success": not violations, "batch_results": kept_results},
    )


def build_contracts(table: SeedTable, catalogs: dict[str, list]) -> list[_Contract]:
    """The expectations a seed table's contract asks for, each with the wording of its violations."""
    expect = _great_expectations().expectations
    derived = _derived_columns(table)
    contracts = [
        _Contract(
            expect.ExpectTableColumnsToMatchOrderedList(column_list=[*table.columns, *derived]),
            None,
            lambda row: (None, f"expected exactly the columns {', '.join(table.columns)}"),
        )
    ]
    if table.unique_key:
        # Counted over the whole table in SQL (_key_count), so that batches still see duplicates across batches.
        key = list(table.unique_key)
        contracts.append(
            _Contract(
                expect.ExpectColumnValuesToBeBetween(column="_key_count", max_value=1),
                ", ".join(key),
                lambda row, key=key: (
                    row[key[0]] if len(key) == 1 else tuple(row[k] for k in key),
                    "appears more than once; each must be unique",
                ),
            )
        )
    for column, contract in table.column_contracts.items():
        contracts.extend(_column_contracts(expect, column, contract, catalogs))
    return contracts


def _column_contracts(expect, column: str, contract: dict, catalogs: dict[str, list]) -> list[_Contract]:
    found = []
    if contract.get("required"):
        found.append(
            _Contract(
                expect.ExpectColumnValuesToNotBeNull(column=column),
                column,
                lambda row: (None, "is empty; a value is required"),
            )
        )
    if "accepted_values" in contract:
        accepted = list(contract["accepted_values"])
        found.append(
            _Contract(
                expect.ExpectColumnValuesToBeInSet(column=column, value_set=accepted),
                column,
                lambda row: (row[column], f"is not accepted; expected one of {', '.join(accepted)}"),
            )
        )
    if "references" in contract:
        target = contract["references"]
        known = catalogs[target]
        target_file = target.split(".")[0] + ".csv"
        found.append(
            _Contract(
                expect.ExpectColumnValuesToBeInSet(column=column, value_set=known),
                column,
                lambda row: (row[column], f"is unknown; expected a {target.split('.')[1]} listed in {target_file}"),
            )
        )
    for key, or_equal, word in (("not_before", True, "before"), ("not_below", True, "below")):
        if key in contract:
            other = contract[key]
            found.append(
                _Contract(
                    expect.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=column, column_B=other, or_equal=or_equal, ignore_row_if="either_value_is_missing"
                    ),
                    column,
                    lambda row, other=other, word=word: (
                        row[column],
                        f"is {word} {other} ({_show(row[other])}); expected {column} on or after {other}"
                        if word == "before"
                        else f"is {word} {other} ({_show(row[other])}); expected at least {other}",
                    ),
                )
            )
    if "greater_than" in contract:
        limit = contract["greater_than"]
        found.append(
            _Contract(
                expect.ExpectColumnValuesToBeBetween(column=column, min_value=limit, strict_min=True),
                column,
                lambda row: (row[column], f"is not above {limit}; expected a number greater than {limit}"),
            )
        )
    if contract.get("within_indicator_limits"):
        found.append(
            _Contract(
                expect.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="_value_canonical",
                    column_B="_min_value",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                column,
                lambda row: (
                    row[column],
                    f"is {_show(row['_value_canonical'])} {row['_canonical_unit']}, below the smallest possible "
                    f"{row['indicator_code']} ({_show(row['_min_value'])} {row['_canonical_unit']}, indicators.csv)",
                ),
            )
        )
        found.append(
            _Contract(
                expect.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="_max_value",
                    column_B="_value_canonical",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                column,
                lambda row: (
                    row[column],
                    f"is {_show(row['_value_canonical'])} {row['_canonical_unit']}, above the largest possible "
                    f"{row['indicator_code']} ({_show(row['_max_value'])} {row['_canonical_unit']}, indicators.csv)",
                ),
            )
        )
    if "same_quantity_kind_as" in contract:
        other = contract["same_quantity_kind_as"]
        found.append(
            _Contract(
                expect.ExpectColumnPairValuesToBeEqual(
                    column_A="_unit_quantity_kind",
                    column_B="_indicator_quantity_kind",
                    ignore_row_if="either_value_is_missing",
                ),
                column,
                lambda row, other=other: (
                    row[column],
                    f"measures {row['_unit_quantity_kind']}, but {other} {row[other]} is a "
                    f"{row['_indicator_quantity_kind']}; expected a unit of that kind (units.csv)",
                ),
            )
        )
    return found


def record_lines(seed_file: Path) -> list[int]:
    """The file line on which each data record ends, in file order (what DuckDB loads as rows 0, 1, ...)."""
    with seed_file.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        next(reader, None)
        return [reader.line_num for record in reader if any(field.strip() for field in record)]


def _derived_columns(table: SeedTable) -> list[str]:
    return [
        *(_DERIVED_COLUMN_NAMES if table.needs_units_and_indicators else []),
        *(["_key_count"] if table.unique_key else []),
    ]


def _table_query(table: SeedTable) -> str:
    """The raw table in file order (rowid is the order rows were read), with the columns the contracts derive."""
    derived, joins = "", ""
    if table.needs_units_and_indicators:
        derived += "," + _DERIVED_OBSERVATION_COLUMNS
        joins = (
            f" left join {RAW_SCHEMA}.units as units on seed.unit_code = units.unit_code"
            f" left join {RAW_SCHEMA}.indicators as indicators on seed.indicator_code = indicators.indicator_code"
        )
    if table.unique_key:
        key = ", ".join(f'seed."{column}"' for column in table.unique_key)
        derived += f", count(*) over (partition by {key}) as _key_count"
    return f'select seed.*{derived} from {RAW_SCHEMA}."{table.name}" as seed{joins} order by seed.rowid'


def _read_catalogs(connection: duckdb.DuckDBPyConnection, table: SeedTable) -> dict[str, list]:
    catalogs = {}
    for contract in table.column_contracts.values():
        if "references" in contract:
            target_table, target_column = contract["references"].split(".")
            rows = connection.execute(
                f'select distinct "{target_column}" from {RAW_SCHEMA}."{target_table}" '
                f'where "{target_column}" is not null'
            ).fetchall()
            catalogs[contract["references"]] = sorted(row[0] for row in rows)
    return catalogs


def _great_expectations():
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
        threading.Thread(target=_great_expectations, name="import-great-expectations", daemon=True).start()


def _batch_validator(name: str, expectations: list) -> Callable[[pd.DataFrame], object]:
    """One Great Expectations suite, validated on each batch (a pandas DataFrame) it is given."""
    gx = _great_expectations()
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


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def record_outcome(connection: duckdb.DuckDBPyConnection, run_id: str, outcome: ContractOutcome) -> None:
    """Keep the outcome, Great Expectations' result included, in audit.input_contract_results."""
    connection.execute("create schema if not exists audit")
    connection.execute(
        """
        create table if not exists audit.input_contract_results (
            run_id varchar, checked_at timestamp with time zone, table_name varchar, seed_file varchar,
            passed boolean, expectation_count integer, violation_count integer, summary varchar,
            validation_result json
        )
        """
    )
    connection.execute(
        "insert into audit.input_contract_results values (?, now(), ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            outcome.table,
            outcome.file_name,
            outcome.passed,
            outcome.expectation_count,
            len(outcome.violations),
            outcome.summary(),
            json.dumps(outcome.validation_result, default=str),
        ],
    )
