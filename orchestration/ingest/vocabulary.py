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


def build_contracts(expect, table: SeedTable, catalogs: dict[str, list]) -> list[Contract]:
    """The expectations a seed table's contract asks for (from `expect`, great_expectations.expectations), each with the
    wording of its violations."""
    derived = derived_columns(table)
    contracts = [
        Contract(
            expect.ExpectTableColumnsToMatchOrderedList(column_list=[*table.columns, *derived]),
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


# Each entry of a column's contract: the contracts it asks for, given (expect, column, the entry's value, catalogs).
# Every entry makes one contract, but within_indicator_limits, which makes two (the lower and the upper limit).


def _required(expect, column: str, required: bool, catalogs: dict) -> list[Contract]:
    if not required:
        return []
    expectation = expect.ExpectColumnValuesToNotBeNull(column=column)
    return [Contract(expectation, column, lambda row: (None, "is empty; a value is required"))]


def _accepted_values(expect, column: str, accepted: list, catalogs: dict) -> list[Contract]:
    accepted = list(accepted)
    expectation = expect.ExpectColumnValuesToBeInSet(column=column, value_set=accepted)
    expected = f"is not accepted; expected one of {', '.join(accepted)}"
    return [Contract(expectation, column, lambda row: (row[column], expected))]


def _references(expect, column: str, target: str, catalogs: dict) -> list[Contract]:
    expectation = expect.ExpectColumnValuesToBeInSet(column=column, value_set=catalogs[target])
    table, key = target.split(".")
    expected = f"is unknown; expected a {key} listed in {table}.csv"
    return [Contract(expectation, column, lambda row: (row[column], expected))]


def _not_less_than(word: str, wanted: str) -> Callable:
    """not_before (dates) and not_below (numbers): at least the other column of the same row."""

    def contracts(expect, column: str, other: str, catalogs: dict) -> list[Contract]:
        expectation = expect.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=column, column_B=other, or_equal=True, ignore_row_if="either_value_is_missing"
        )
        expected = wanted.format(column=column, other=other)
        return [
            Contract(
                expectation, column, lambda row: (row[column], f"is {word} {other} ({show(row[other])}); {expected}")
            )
        ]

    return contracts


def _greater_than(expect, column: str, limit: float, catalogs: dict) -> list[Contract]:
    expectation = expect.ExpectColumnValuesToBeBetween(column=column, min_value=limit, strict_min=True)
    expected = f"is not above {limit}; expected a number greater than {limit}"
    return [Contract(expectation, column, lambda row: (row[column], expected))]


def _within_indicator_limits(expect, column: str, within: bool, catalogs: dict) -> list[Contract]:
    if not within:
        return []

    def limit(low: str, high: str, side: str, bound: str) -> Contract:
        expectation = expect.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=low, column_B=high, or_equal=True, ignore_row_if="either_value_is_missing"
        )
        return Contract(
            expectation,
            column,
            lambda row: (
                row[column],
                f"is {show(row['_value_canonical'])} {row['_canonical_unit']}, {side} the {bound} possible "
                f"{row['indicator_code']} ({show(row[high if side == 'below' else low])} {row['_canonical_unit']}, "
                "indicators.csv)",
            ),
        )

    return [
        limit("_value_canonical", "_min_value", "below", "smallest"),
        limit("_max_value", "_value_canonical", "above", "largest"),
    ]


def _same_quantity_kind_as(expect, column: str, other: str, catalogs: dict) -> list[Contract]:
    expectation = expect.ExpectColumnPairValuesToBeEqual(
        column_A="_unit_quantity_kind", column_B="_indicator_quantity_kind", ignore_row_if="either_value_is_missing"
    )
    return [
        Contract(
            expectation,
            column,
            lambda row: (
                row[column],
                f"measures {row['_unit_quantity_kind']} (units.csv), but {other} {row[other]} is a "
                f"{row['_indicator_quantity_kind']} (indicators.csv); expected a unit of that kind",
            ),
        )
    ]


# In this order: a row's violations are worded in the order of its contracts.
COLUMN_VOCABULARY = {
    "required": _required,
    "accepted_values": _accepted_values,
    "references": _references,
    "not_before": _not_less_than("before", "expected {column} on or after {other}"),
    "not_below": _not_less_than("below", "expected at least {other}"),
    "greater_than": _greater_than,
    "within_indicator_limits": _within_indicator_limits,
    "same_quantity_kind_as": _same_quantity_kind_as,
}


def _column_contracts(expect, column: str, contract: dict, catalogs: dict[str, list]) -> list[Contract]:
    return [
        made
        for entry, make in COLUMN_VOCABULARY.items()
        if entry in contract
        for made in make(expect, column, contract[entry], catalogs)
    ]


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
