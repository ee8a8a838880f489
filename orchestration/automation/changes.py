"""Which seed files changed, and which assets a change reaches: shared by the seed sensor and `refresh --changed`."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.ingest.seed_tables import seed_tables
from orchestration.warehouse.files import csv_checksums


@dataclass(frozen=True)
class SeedChanges:
    current: dict[str, str]
    changed: list[str]  # new or edited files
    deleted: list[str]
    without_contract: list[str]  # changed files that no load asset reads
    roots: list[dg.AssetKey]  # the load assets of the changed files
    readers: list[dg.AssetKey]  # the load assets of unchanged files whose contracts read a changed file's codes

    def warnings(self) -> list[str]:
        messages = []
        if self.deleted:
            messages.append(
                f"deleted seed file(s): {', '.join(self.deleted)}; the published warehouse keeps their last loaded "
                "data until a full refresh, which fails until the file is restored or its contract removed from "
                "_sources.yml"
            )
        if self.without_contract:
            messages.append(
                f"new file(s) without a contract, not loaded: {', '.join(self.without_contract)}; declare them as "
                "sources in dbt_project/models/staging/_sources.yml"
            )
        return messages

    def downstream(self, asset_graph) -> list[dg.AssetKey]:
        """The changed files' load assets and everything downstream of them, publication included."""
        selection = dg.AssetSelection.assets(*self.roots).downstream().resolve(asset_graph)
        return sorted(selection, key=lambda key: key.to_user_string())

    def checks(self, asset_graph) -> list[dg.AssetCheckKey]:
        """The checks a run for the change evaluates: those of the assets it rebuilds, and the input contracts of the
        unchanged files that read a changed file's codes, on their tables as published (a line dropped from
        indicators.csv fails at the contract of the observations that use it, before dbt builds anything)."""
        selected = set(self.downstream(asset_graph))
        keys = {key for key in asset_graph.asset_check_keys if key.asset_key in selected}
        keys |= {dg.AssetCheckKey(reader, "input_contract") for reader in self.readers}
        return sorted(keys, key=lambda key: key.to_user_string())

    def cursor(self) -> str:
        return json.dumps(self.current, sort_keys=True)

    def run_key(self) -> str:
        return hashlib.sha256(self.cursor().encode()).hexdigest()[:16]


def seed_changes(seeds_dir: Path, previous: dict[str, str]) -> SeedChanges:
    current = csv_checksums(seeds_dir)
    changed = sorted(name for name, checksum in current.items() if previous.get(name) != checksum)
    tables = seed_tables()
    load_assets = {table.file_name: dg.AssetKey(["raw", table.name]) for table in tables}
    edited = {table.name for table in tables if table.file_name in changed}
    return SeedChanges(
        current=current,
        changed=changed,
        deleted=sorted(set(previous) - set(current)),
        without_contract=[name for name in changed if name not in load_assets],
        roots=[load_assets[name] for name in changed if name in load_assets],
        readers=[
            load_assets[table.file_name]
            for table in tables
            if table.referenced_tables & edited and table.name not in edited
        ],
    )
