"""The PostgreSQL serving copy: every mart of the published warehouse, for BI tools that speak PostgreSQL.

The marts are streamed with COPY into a fresh loading schema, then swapped in for `marts` in one transaction, so a
BI user sees either the previous copy or the new one, never a half-copied schema. dbt's descriptions become COMMENTs.
Identifiers are always quoted by psycopg's sql module and values always travel as COPY data, never as SQL text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from orchestration.serving import connect

SERVING_SCHEMA = "marts"
BATCH_ROWS = 10_000
SWAP_TIMEOUT_SECONDS = 120

# DuckDB type -> PostgreSQL type. Anything else is refused rather than guessed.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


@dataclass(frozen=True)
class Descriptions:
    """What dbt says about each mart and its columns."""

    tables: Mapping[str, str]
    columns: Mapping[str, Mapping[str, str]]

    @classmethod
    def from_manifest(cls, manifest: dict) -> Descriptions:
        tables, columns = {}, {}
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model" and node["schema"] == SERVING_SCHEMA:
                tables[node["name"]] = node.get("description") or ""
                columns[node["name"]] = {name: c.get("description") or "" for name, c in node["columns"].items()}
        return cls(tables, columns)


def copy_marts(
    warehouse_path: str | Path,
    postgres_url: str,
    descriptions: Descriptions,
    reader_role: str | None = None,
) -> dict[str, int]:
    """Copy every table of `marts` in the DuckDB file to PostgreSQL's `marts` schema; returns rows per table."""
    loading = f"{SERVING_SCHEMA}_loading"
    copied = {}
    with connect(warehouse_path) as duck, psycopg.connect(postgres_url) as pg:
        tables = [
            row[0]
            for row in duck.execute(
                "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
                "order by table_name",
                [SERVING_SCHEMA],
            ).fetchall()
        ]
        pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(loading)))
        pg.execute(sql.SQL("create schema {}").format(sql.Identifier(loading)))
        for table in tables:
            copied[table] = _copy_table(duck, pg, table, loading, descriptions)
        pg.commit()
        _swap_in(pg, loading, reader_role)
    return copied


def _copy_table(duck, pg: psycopg.Connection, table: str, loading: str, descriptions: Descriptions) -> int:
    columns = duck.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [SERVING_SCHEMA, table],
    ).fetchall()
    unknown = [(name, data_type) for name, data_type in columns if data_type not in POSTGRES_TYPES]
    if unknown:
        raise TypeError(f"marts.{table}: no PostgreSQL type for {unknown}; add it to POSTGRES_TYPES")
    target = sql.Identifier(loading, table)
    pg.execute(
        sql.SQL("create table {} ({})").format(
            target,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(POSTGRES_TYPES[data_type]))
                for name, data_type in columns
            ),
        )
    )
    column_list = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    rows = 0
    result = duck.execute(
        sql.SQL("select {} from {}").format(column_list, sql.Identifier(SERVING_SCHEMA, table)).as_string()
    )
    with pg.cursor() as cursor, cursor.copy(sql.SQL("copy {} ({}) from stdin").format(target, column_list)) as copy:
        while batch := result.fetchmany(BATCH_ROWS):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
    pg.execute(sql.SQL("comment on table {} is {}").format(target, sql.Literal(descriptions.tables.get(table, ""))))
    for name, _ in columns:
        description = descriptions.columns.get(table, {}).get(name, "")
        pg.execute(
            sql.SQL("comment on column {} is {}").format(sql.Identifier(loading, table, name), sql.Literal(description))
        )
    return rows


def _swap_in(pg: psycopg.Connection, loading: str, reader_role: str | None) -> None:
    """Replace `marts` by the loading schema in one transaction, granting the reader role as it appears.

    A BI query reading two marts locks them one after the other, and so does the swap: waiting on each other, one of
    them would be cancelled as a deadlock. So the swap waits for a lock only briefly (less than PostgreSQL's one
    second before it looks for deadlocks), gives everything back if it cannot have it, and tries again: the BI
    query finishes and the swap follows it.
    """
    deadline = time.monotonic() + SWAP_TIMEOUT_SECONDS
    while True:
        try:
            _swap_once(pg, loading, reader_role)
            return
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _swap_once(pg: psycopg.Connection, loading: str, reader_role: str | None) -> None:
    with pg.transaction():
        pg.execute("set local lock_timeout = '300ms'")
        pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SERVING_SCHEMA)))
        pg.execute(
            sql.SQL("alter schema {} rename to {}").format(sql.Identifier(loading), sql.Identifier(SERVING_SCHEMA))
        )
        if reader_role:
            role = sql.Identifier(reader_role)
            schema = sql.Identifier(SERVING_SCHEMA)
            pg.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
            pg.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, role))
