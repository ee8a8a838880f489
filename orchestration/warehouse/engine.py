"""The engine seam: what the stages ask of the engine a warehouse is built on, and nothing about which one it is.

DuckDB builds a run in one working file; Spark builds Parquet tables in a working folder (docs/spark.md). Each is an
implementation of `Engine` under orchestration/engines/, chosen once where the definitions are assembled and handed
to every step inside the warehouse resource. The seed files are read and their input contracts checked the same way
on every engine, by the ingest stage with DuckDB (one reader, one wording of what goes wrong); an engine says where
that happens and stores the rows where its dbt reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import dagster as dg

if TYPE_CHECKING:
    import duckdb

    from orchestration.warehouse.paths import Paths

# Run tag saying where a run's working warehouse starts: "empty" for a full rebuild, otherwise from the published
# warehouse, so that a run rebuilding only part of it still publishes all of it.
START_FROM_TAG = "warehouse/start_from"

# Describes one relation built by dbt (schema, name): its column types and, for a table, its row count.
Describe = Callable[[str, str], dict]


@dataclass(frozen=True)
class Run:
    """The run a step belongs to, and where its working warehouse starts from."""

    run_id: str
    start_from: str = "published"

    @classmethod
    def of(cls, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext | dg.OpExecutionContext) -> Run:
        return cls(context.run.run_id, context.run.tags.get(START_FROM_TAG, "published"))


@dataclass(frozen=True)
class DbtInvocation:
    """How dbt builds a run's models on an engine: its environment, its arguments after `build`, and how the results
    are described once it has exited."""

    variables: dict[str, str]
    target_args: list[str]
    describer: Callable[[], AbstractContextManager[Describe]]


class Engine(dg.ConfigurableResource):
    """One engine the warehouse is built on. Every method takes the warehouse's paths; those that act for a run take
    the run, whose first use of the engine claims the working folder (the run holds the refresh lock)."""

    @property
    def name(self) -> str:
        """As WAREHOUSE_ENGINE and the publish log give it: the engine's module under orchestration/engines/."""
        return type(self).__module__.rsplit(".", 1)[-1]

    # Whether a run must rebuild the whole warehouse whatever changed (it cannot start from the published one).
    rebuilds_everything: ClassVar[bool] = False
    # Whether a long-lived process may run dbt inside itself (orchestration/transform/in_process.py) on this engine.
    dbt_in_process: ClassVar[bool] = False

    def dbt_target_path(self, paths: Paths) -> Path:
        """dbt's artifacts, log and parsed project, kept from run to run."""
        raise NotImplementedError

    def publication(self, paths: Paths) -> Path:
        """What the latest publication is (a file or a folder)."""
        raise NotImplementedError

    def reader_path(self, paths: Paths) -> Path:
        """The DuckDB file readers on this machine open (the data page, the serving copy, notebooks)."""
        raise NotImplementedError

    def seed_connection(self, paths: Paths, run: Run) -> duckdb.DuckDBPyConnection:
        """A read-write DuckDB connection to the run's file where the seed files are loaded into raw.* and checked
        (used in a `with` block, which closes it)."""
        raise NotImplementedError

    def store_raw_table(self, paths: Paths, run: Run, connection: duckdb.DuckDBPyConnection, table: str) -> None:
        """raw.<table>, loaded and checked through `connection`, stored where this engine's dbt reads it: nothing to
        do when dbt builds in the same file."""

    def append_audit_rows(self, paths: Paths, run: Run, table: str, rows: list[list]) -> None:
        """Rows appended to audit.<table> of the run's warehouse (orchestration/warehouse/audit.py)."""
        raise NotImplementedError

    def rows(self, paths: Paths, run: Run | None, sql: str) -> list[tuple]:
        """The rows of a query over the run's warehouse; with no run, over the working folder as it is now."""
        raise NotImplementedError

    def has_table(self, paths: Paths, schema: str, table: str) -> bool:
        """Whether the working folder holds that table now."""
        raise NotImplementedError

    def dbt_invocation(self, paths: Paths, run: Run) -> DbtInvocation:
        raise NotImplementedError

    def release_dbt(self) -> None:
        """Let go of what dbt, run in this process (orchestration/transform/in_process.py), still holds of the run's
        warehouse once an invocation has ended; nothing for a dbt process, which has exited."""

    def publish(self, paths: Paths, run_id: str, records: list, keep_versions: int) -> Path:
        """The run's warehouse, audited, becomes the publication in one atomic step; the previous one is kept."""
        raise NotImplementedError

    def kept_versions(self, paths: Paths) -> list[Path]:
        """Previous publications kept for rollback, newest first."""
        raise NotImplementedError

    def version_name(self, version: Path) -> str:
        """A kept version's name, as the publish log and the rollback's messages give it."""
        raise NotImplementedError

    def restore_kept_version(self, paths: Paths) -> Path:
        """The newest kept version published again (the caller holds the refresh lock); returns it."""
        raise NotImplementedError


def relation_metadata(columns: list[tuple[str, str]], row_count: int | None) -> dict:
    """A relation's description as Dagster shows it: its column types and, when known, its row count."""
    metadata = {"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(c, t.lower()) for c, t in columns])}
    if row_count is not None:
        metadata["dagster/row_count"] = row_count
    return metadata
