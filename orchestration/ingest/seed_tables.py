"""The seed files' contracts: the dbt sources of the raw schema (dbt_project/models/staging/_sources.yml), read from
the project's manifest. Each declares a file's columns, in order, with their types and descriptions, its unique key,
and the `meta` of each column (the input contracts, vocabulary.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.warehouse import dbt

RAW_SCHEMA = "raw"


@dataclass(frozen=True)
class SeedTable:
    """A seed file's contract: raw.<name> is loaded from <name>.csv with exactly these columns, in this order."""

    name: str
    description: str
    columns: dict[str, str]  # column name -> DuckDB type
    column_descriptions: dict[str, str]
    unique_key: tuple[str, ...] = ()
    column_contracts: dict[str, dict] = field(default_factory=dict)  # column -> its `meta` in _sources.yml

    @property
    def needs_units_and_indicators(self) -> bool:
        """Whether a contract compares values with their unit's factor or their indicator's limits."""
        return any(
            contract.get("within_indicator_limits") or contract.get("same_quantity_kind_as")
            for contract in self.column_contracts.values()
        )

    @property
    def referenced_tables(self) -> set[str]:
        """Other seed tables this one's values must be found in."""
        tables = {
            contract["references"].split(".")[0]
            for contract in self.column_contracts.values()
            if "references" in contract
        }
        if self.needs_units_and_indicators:
            tables |= {"indicators", "units"}
        return tables - {self.name}

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


def seed_tables_from_manifest(manifest: dict) -> list[SeedTable]:
    """The seed file contracts declared as dbt sources in the raw schema, in a stable order."""
    tables = []
    for node in manifest["sources"].values():
        if node["schema"] != RAW_SCHEMA:
            continue
        columns = {name: (col.get("data_type") or "").upper() for name, col in node["columns"].items()}
        untyped = [name for name, data_type in columns.items() if not data_type]
        if untyped:
            raise ValueError(f"source {node['name']}: columns without a data_type in _sources.yml: {untyped}")
        tables.append(
            SeedTable(
                name=node["name"],
                description=node.get("description", ""),
                columns=columns,
                column_descriptions={n: c.get("description", "") for n, c in node["columns"].items()},
                unique_key=tuple(node.get("meta", {}).get("unique_key", ())),
                column_contracts={n: dict(c.get("meta") or {}) for n, c in node["columns"].items()},
            )
        )
    return sorted(tables, key=lambda table: table.name)


def seed_tables() -> list[SeedTable]:
    """The seed file contracts of this project."""
    return seed_tables_from_manifest(dbt.manifest())


def seed_table(name: str) -> SeedTable:
    """The contract of seeds/<name>.csv."""
    [table] = [table for table in seed_tables() if table.name == name]
    return table
