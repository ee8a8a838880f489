"""Connections that build the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse import settings


def connect_duckdb(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a working file, held to DUCKDB_MEMORY_LIMIT (DuckDB spills beyond it rather than taking most
    of the machine's memory)."""
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": settings.duckdb_memory_limit()})
