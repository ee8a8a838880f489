"""Every mart as Parquet and CSV files, for spreadsheet users and other tools."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse.files import atomic_path


def export_marts(warehouse_path: Path, folder: Path) -> list[Path]:
    """Write marts.<table> to <folder>/<table>.parquet and .csv; each file appears whole (written, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        ).fetchall()
        for (table,) in tables:
            relation = connection.table(f'marts."{table}"')
            for suffix, write in ((".parquet", relation.write_parquet), (".csv", relation.write_csv)):
                target = folder / f"{table}{suffix}"
                with atomic_path(target) as partial:
                    write(str(partial))
                written.append(target)
    return written
