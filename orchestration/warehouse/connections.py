"""Connections to the warehouse's DuckDB files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from orchestration.warehouse import settings


def connect_duckdb(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a working file, held to DUCKDB_MEMORY_LIMIT (DuckDB spills beyond it rather than taking most
    of the machine's memory)."""
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": settings.DUCKDB_MEMORY_LIMIT()})


def duckdb_rows(warehouse_file: Path) -> Callable[[str], list[tuple]]:
    """A `fetch` over a DuckDB warehouse file, opened read-only for each query."""

    def fetch(sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse_file), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    return fetch
