"""The audit tables every published warehouse carries, declared in one place.

audit.publish_log             every publication and rollback so far (run, time, code version, seed checksums,
                              check counts, engine)
audit.failed_runs             every failed run the record_failed_runs sensor saw, with the fault of the machine
                              it met, in one sentence (machine.py), if any
audit.check_results           every check of the run that built this warehouse
audit.input_contract_results  every input contract validation of that run, Great Expectations' result included
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb

SCHEMA = "audit"
COLUMNS = {
    "publish_log": (
        "run_id varchar, action varchar, published_at timestamp with time zone, code_version varchar, "
        "seed_checksums json, checks_passed integer, checks_warned integer, checks_failed integer, engine varchar"
    ),
    "failed_runs": (
        "failed_at timestamp with time zone, run_id varchar, job varchar, failing_steps varchar[], error varchar, "
        "machine_fault varchar"
    ),
    "check_results": "run_id varchar, asset varchar, check_name varchar, outcome varchar, description varchar",
    "input_contract_results": (
        "run_id varchar, checked_at timestamp with time zone, table_name varchar, seed_file varchar, passed boolean, "
        "expectation_count integer, violation_count integer, summary varchar, validation_result json"
    ),
}


def replace_rows(connection: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Sequence]) -> None:
    """audit.<table> holding exactly these rows (in its columns' order)."""
    _create(connection, table, replace=True)
    _insert(connection, table, list(rows))


def append_rows(connection: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Sequence]) -> None:
    """These rows added to audit.<table>, created if it is not there yet."""
    _create(connection, table, replace=False)
    _insert(connection, table, list(rows))


def _create(connection: duckdb.DuckDBPyConnection, table: str, replace: bool) -> None:
    connection.execute(f"create schema if not exists {SCHEMA}")
    create = "create or replace table" if replace else "create table if not exists"
    connection.execute(f"{create} {SCHEMA}.{table} ({COLUMNS[table]})")


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[Sequence]) -> None:
    if rows:
        placeholders = ", ".join("?" for _ in rows[0])
        connection.executemany(f"insert into {SCHEMA}.{table} values ({placeholders})", rows)
