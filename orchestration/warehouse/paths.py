"""Where the warehouse's files are, as one plain value any caller can build (the command line, the benchmarks, the
tests) without Dagster. Every path follows from three settings: the seed folder, the published file and the runs'
working folder. What only one engine keeps (Spark's tables folders) its engine says (orchestration/engines/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.warehouse import settings

VERSIONS_DIR = ".versions"
WORKING_FOLDER = "build"
REPORT_NAME = "quality_report.md"
LOG_NAME = "refresh.log"
PUBLISH_LOG_NAME = "publish_log.jsonl"
FAILED_RUNS_LOG_NAME = "failed_runs.jsonl"  # written by the record_failed_runs sensor


@dataclass(frozen=True)
class Paths:
    seeds_dir: Path
    published_path: Path
    work_dir: Path

    @classmethod
    def from_settings(cls) -> Paths:
        """The paths SEEDS_DIR, WAREHOUSE_PATH and WORK_DIR name."""
        return cls(settings.SEEDS_DIR(), settings.WAREHOUSE_PATH(), settings.WORK_DIR())

    def seed_path(self, file_name: str) -> Path:
        return self.seeds_dir / file_name

    @property
    def working_folder(self) -> Path:
        """Where a run builds (one run at a time: the refresh lock)."""
        return self.work_dir / WORKING_FOLDER

    @property
    def working_path(self) -> Path:
        """The run's working file: the published file's name, since DuckDB names its catalog after the file."""
        return self.working_folder / self.published_path.name

    @property
    def report_path(self) -> Path:
        """The quality report of the latest run, beside the published warehouse."""
        return self.published_path.with_name(REPORT_NAME)

    @property
    def site_dir(self) -> Path:
        """The data page, beside the published warehouse (written by orchestration/serving/site/)."""
        return self.published_path.with_name("site")

    @property
    def versions_dir(self) -> Path:
        """Where previously published files are kept for rollback."""
        return self.published_path.parent / VERSIONS_DIR

    @property
    def log_path(self) -> Path:
        """The log of the runs started from the command line, in full (logs.py)."""
        return self.published_path.with_name(LOG_NAME)

    @property
    def publish_log_path(self) -> Path:
        return self.published_path.with_name(PUBLISH_LOG_NAME)

    @property
    def failed_runs_log_path(self) -> Path:
        return self.published_path.with_name(FAILED_RUNS_LOG_NAME)
