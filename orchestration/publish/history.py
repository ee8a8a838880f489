"""The recorded history of the figures (marts.fct_indicator_observation_history, built by dbt), across publications.

The history is the one table every run carries over from the published warehouse, whatever the run starts from,
and the one table publishing completes: dbt cannot know when the run will be published, so the rows the run opened
and closed get their recorded_from and recorded_until when it is (the same time as its entry in the publish log).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

HISTORY_SCHEMA, HISTORY_TABLE = "marts", "fct_indicator_observation_history"


def carry_over(connection: duckdb.DuckDBPyConnection, published: Path) -> None:
    """Copy the published warehouse's history into the (empty) working file of `connection`, if it has one."""
    if not published.exists():
        return
    literal = str(published).replace("'", "''")  # ATTACH takes no parameters
    connection.execute(f"attach '{literal}' as published_warehouse (read_only)")
    try:
        [present] = connection.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = 'published_warehouse' and schema_name = ? and table_name = ?",
            [HISTORY_SCHEMA, HISTORY_TABLE],
        ).fetchone()
        if present:
            connection.execute(f"create schema if not exists {HISTORY_SCHEMA}")
            connection.execute(
                f"create table {HISTORY_SCHEMA}.{HISTORY_TABLE} as "
                f"select * from published_warehouse.{HISTORY_SCHEMA}.{HISTORY_TABLE}"
            )
            connection.execute("checkpoint")
    finally:
        connection.execute("detach published_warehouse")


def stamp(connection: duckdb.DuckDBPyConnection, run_id: str, published_at: str) -> None:
    """Give the versions `run_id` opened and closed the time of its publication (UTC, ISO 8601)."""
    [present] = connection.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [HISTORY_SCHEMA, HISTORY_TABLE],
    ).fetchone()
    if not present:
        return
    table = f"{HISTORY_SCHEMA}.{HISTORY_TABLE}"
    at = published_at.replace("+00:00", "")  # a timestamp column holds UTC
    connection.execute(
        f"update {table} set recorded_from = cast(? as timestamp) "
        "where first_published_run_id = ? and recorded_from is null",
        [at, run_id],
    )
    connection.execute(
        f"update {table} set recorded_until = cast(? as timestamp) "
        "where recorded_until_run_id = ? and recorded_until is null",
        [at, run_id],
    )
