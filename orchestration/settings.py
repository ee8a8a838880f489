"""Where things are: the seeds, the dbt project, the published warehouse and the runs' working files.

Each location can be moved with one environment variable; relative values resolve from the repository root, never
from the current directory, so every entry point (make, dagster dev, pytest, a schedule) agrees.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this Python, so that nothing depends on the venv being activated.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def _path_from_env(variable: str, default: str) -> Path:
    path = Path(os.environ.get(variable) or default).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def seeds_dir() -> Path:
    """The folder of curated seed CSV files (SEEDS_DIR, default seeds/)."""
    return _path_from_env("SEEDS_DIR", "seeds")


def warehouse_path() -> Path:
    """The published warehouse file analysts open (WAREHOUSE_PATH, default data/warehouse.duckdb)."""
    return _path_from_env("WAREHOUSE_PATH", "data/warehouse.duckdb")


def work_dir() -> Path:
    """Where runs build their working files (WORK_DIR, default a .runs folder beside the published warehouse)."""
    default = warehouse_path().parent / ".runs"
    return _path_from_env("WORK_DIR", str(default))


def keep_versions() -> int:
    """How many previously published versions to keep for rollback (WAREHOUSE_KEEP_VERSIONS, default 3)."""
    return int(os.environ.get("WAREHOUSE_KEEP_VERSIONS") or 3)


def lock_timeout_seconds() -> float:
    """How long a refresh waits for another to finish before it is refused (REFRESH_LOCK_TIMEOUT, default 600)."""
    return float(os.environ.get("REFRESH_LOCK_TIMEOUT") or 600)


def refresh_cron() -> str:
    """When the daily refresh runs (REFRESH_CRON, default 06:00)."""
    return os.environ.get("REFRESH_CRON") or "0 6 * * *"


def refresh_timezone() -> str:
    """The time zone of REFRESH_CRON (REFRESH_TIMEZONE, default Asia/Shanghai)."""
    return os.environ.get("REFRESH_TIMEZONE") or "Asia/Shanghai"


def serving_database_url() -> str | None:
    """The PostgreSQL serving copy's loader URL (SERVING_DATABASE_URL); no serving copy when unset."""
    return os.environ.get("SERVING_DATABASE_URL") or None


def serving_reader_role() -> str:
    """The role BI users log in as (SERVING_READER_ROLE, default bi_reader)."""
    return os.environ.get("SERVING_READER_ROLE") or "bi_reader"


def serving_port() -> int:
    """The port of the local PostgreSQL that `make serve` starts (SERVING_PORT, default 54329)."""
    return int(os.environ.get("SERVING_PORT") or 54329)


def duckdb_memory_limit() -> str:
    """The most memory one DuckDB connection that builds the warehouse may use (DUCKDB_MEMORY_LIMIT, default 2GB).
    dbt's profile reads the same variable."""
    return os.environ.get("DUCKDB_MEMORY_LIMIT") or "2GB"
