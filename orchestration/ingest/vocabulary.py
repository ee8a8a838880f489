"""The contract vocabulary: what each `meta` entry of a seed column in dbt_project/models/staging/_sources.yml asks
for, as a Great Expectations expectation, and how a row that breaks it is worded for the person who edits the file.

    table:  unique_key: [columns]          no two rows share these values
    column: required: true                 never empty
            accepted_values: [...]         one of these (a dbt var, declared once in dbt_project.yml)
            references: <table>.<column>   a value of that column of another seed file
            not_before / not_below: <col>  not less than that column of the same row (dates / numbers)
            greater_than: <number>         strictly above the number
            within_indicator_limits: true  in the canonical unit, within the indicator's min_value..max_value
            same_quantity_kind_as: <col>   the unit measures the same kind of quantity as that row's indicator

The last two are the only checks that span seed files (units, limits): they are checked here and nowhere else. The
columns they compare are derived in SQL next to the table (DERIVED_COLUMNS) and validated, never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from orchestration.ingest.seed_tables import SeedTable

# Columns derived for the observations' cross-file contracts; they are validated, never stored.
DERIVED_COLUMNS_SQL = """
    seed.value * units.factor_to_canonical as _value_canonical,
    indicators.canonical_unit as _canonical_unit,
    indicators.min_value as _min_value,
    indicators.max_value as _max_value,
    units.quantity_kind as _unit_quantity_kind,
    indicators.quantity_kind as _indicator_quantity_kind
"""


DERIVED_COLUMN_NAMES = [line.strip().rstrip(",").split(" as ")[1] for line in DERIVED_COLUMNS_SQL.strip().splitlines()]


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
        value = "" if self.value is None else f"value {show(self.value)} "
        return f"{where}: {value}{self.expected}"


@dataclass(frozen=True)
class Contract:
    """An expectation and how to word a row that breaks it."""

    expectation: object
    column: str | None
    describe: Callable[[pd.Series], tuple[object, str]]  # row -> (value shown, what was expected)


def build_contracts(
    expect, table: SeedTable, catalogs: dict[str, list], stored_columns: tuple[str, ...] = ()
) -> list[Contract]:
    """The expectations a seed table's contract asks for (from `expect`, great_expectations.expectations), each with the
    wording of its violations. `stored_columns` are those the loader adds after the file's (Spark's row order)."""
    derived = derived_columns(table)
    contracts = [
        Contract(
            expect.ExpectTableColumnsToMatchOrderedList(column_list=[*table.columns, *stored_columns, *derived]),
            None,
            lambda row: (None, f"expected exactly the columns {', '.join(table.columns)}"),
        )
    ]
    if table.unique_key:
        # Counted over the whole table in SQL (_key_count), so that batches still see duplicates across batches.
        key = list(table.unique_key)
        contracts.append(
            Contract(
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


def _column_contracts(expect, column: str, contract: dict, catalogs: dict[str, list]) -> list[Contract]:
    found = []
    if contract.get("required"):
        found.append(
            Contract(
                expect.ExpectColumnValuesToNotBeNull(column=column),
                column,
                lambda row: (None, "is empty; a value is required"),
            )
        )
    if "accepted_values" in contract:
        accepted = list(contract["accepted_values"])
        found.append(
            Contract(
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
            Contract(
                expect.ExpectColumnValuesToBeInSet(column=column, value_set=known),
                column,
                lambda row: (row[column], f"is unknown; expected a {target.split('.')[1]} listed in {target_file}"),
            )
        )
    for key, or_equal, word in (("not_before", True, "before"), ("not_below", True, "below")):
        if key in contract:
            other = contract[key]
            found.append(
                Contract(
                    expect.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=column, column_B=other, or_equal=or_equal, ignore_row_if="either_value_is_missing"
                    ),
                    column,
                    lambda row, other=other, word=word: (
                        row[column],
                        f"is {word} {other} ({show(row[other])}); expected {column} on or after {other}"
                        if word == "before"
                        else f"is {word} {other} ({show(row[other])}); expected at least {other}",
                    ),
                )
            )
    if "greater_than" in contract:
        limit = contract["greater_than"]
        found.append(
            Contract(
                expect.ExpectColumnValuesToBeBetween(column=column, min_value=limit, strict_min=True),
                column,
                lambda row: (row[column], f"is not above {limit}; expected a number greater than {limit}"),
            )
        )
    if contract.get("within_indicator_limits"):
        found.append(
            Contract(
                expect.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="_value_canonical",
                    column_B="_min_value",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                column,
                lambda row: (
                    row[column],
                    f"is {show(row['_value_canonical'])} {row['_canonical_unit']}, below the smallest possible "
                    f"{row['indicator_code']} ({show(row['_min_value'])} {row['_canonical_unit']}, indicators.csv)",
                ),
            )
        )
        found.append(
            Contract(
                expect.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="_max_value",
                    column_B="_value_canonical",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                column,
                lambda row: (
                    row[column],
                    f"is {show(row['_value_canonical'])} {row['_canonical_unit']}, above the largest possible "
                    f"{row['indicator_code']} ({show(row['_max_value'])} {row['_canonical_unit']}, indicators.csv)",
                ),
            )
        )
    if "same_quantity_kind_as" in contract:
        other = contract["same_quantity_kind_as"]
        found.append(
            Contract(
                expect.ExpectColumnPairValuesToBeEqual(
                    column_A="_unit_quantity_kind",
                    column_B="_indicator_quantity_kind",
                    ignore_row_if="either_value_is_missing",
                ),
                column,
                lambda row, other=other: (
                    row[column],
                    f"measures {row['_unit_quantity_kind']} (units.csv), but {other} {row[other]} is a "
                    f"{row['_indicator_quantity_kind']} (indicators.csv); expected a unit of that kind",
                ),
            )
        )
    return found


def derived_columns(table: SeedTable) -> list[str]:
    return [
        *(DERIVED_COLUMN_NAMES if table.needs_units_and_indicators else []),
        *(["_key_count"] if table.unique_key else []),
    ]


def show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return repr(value) if isinstance(value, str) else str(value)
