"""The published warehouse file and the working files runs build in.

Readers only ever open the published file. A run builds in its own working file (<work_dir>/<run_id>/<name>, the
same file name as the published one so that DuckDB's catalog name, which views refer to, stays the same), and
publishing moves that file onto the published path in one atomic rename.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import settings
from orchestration.quality.report import REPORT_NAME

# Run tag saying where a run's working file starts: "empty" for a full rebuild, otherwise a copy of the published
# file, so a run that rebuilds only part of the warehouse still publishes all of it.
START_FROM_TAG = "warehouse/start_from"


class WarehouseResource(dg.ConfigurableResource):
    """The seed folder the warehouse is built from, the published file, and where runs build their working files."""

    seeds_dir: str = str(settings.seeds_dir())
    published_path: str = str(settings.warehouse_path())
    work_dir: str = str(settings.work_dir())

    def working_path(self, run_id: str) -> Path:
        return Path(self.work_dir) / run_id / Path(self.published_path).name

    def report_path(self) -> Path:
        """The quality report of the latest run, beside the published warehouse."""
        return Path(self.published_path).with_name(REPORT_NAME)

    def seed_path(self, file_name: str) -> Path:
        return Path(self.seeds_dir) / file_name

    def prepare_working_file(self, run_id: str, start_from: str = "published") -> Path:
        """Create the run's working file on first use: empty, or a copy of the published warehouse."""
        path = self.working_path(run_id)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        published = Path(self.published_path)
        if start_from != "empty" and published.exists():
            partial = path.with_name(path.name + ".copying")
            shutil.copyfile(published, partial)
            os.replace(partial, path)
        return path

    @contextmanager
    def connect_working(
        self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's working file."""
        start_from = context.run.tags.get(START_FROM_TAG, "published")
        path = self.prepare_working_file(context.run.run_id, start_from)
        connection = duckdb.connect(str(path))
        try:
            yield connection
        finally:
            connection.close()

    def publish(self, run_id: str) -> Path:
        """Checkpoint the run's working file and move it onto the published path in one atomic rename."""
        working = self.working_path(run_id)
        if not working.exists():
            raise FileNotFoundError(f"run {run_id} has no working file at {working}; nothing to publish")
        with duckdb.connect(str(working)) as connection:
            connection.execute("checkpoint")
        published = Path(self.published_path)
        published.parent.mkdir(parents=True, exist_ok=True)
        os.replace(working, published)
        shutil.rmtree(working.parent, ignore_errors=True)
        return published
