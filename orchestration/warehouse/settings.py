"""Settings: where the seeds, the dbt project, the published warehouse and the runs' working files are, and how runs
behave. Each is one environment variable, declared once in SETTINGS (`python -m orchestration settings` prints them
with their current values).

Relative paths resolve from the repository root, never from the current directory, so every entry point (make,
dagster dev, pytest, a schedule) agrees.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this Python, so that nothing depends on the venv being activated.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# Who answers for every asset, in the Dagster UI.
OWNERS = ["team:data-engineering"]


def dbt_profile_default(variable: str) -> str:
    """The default dbt's profile (dbt_project/profiles.yml) gives an environment variable: declared there once, since
    dbt run by hand in dbt_project/ reads the profile without this module."""
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    return re.search(rf"env_var\('{variable}', '([^']*)'\)", profile)[1]


# dbt's own development file: what `dbt build` in dbt_project/ builds into when Dagster does not pass a run's working
# file; `python -m orchestration dev-warehouse` loads the seeds into it.
DBT_DEV_WAREHOUSE = DBT_PROJECT_DIR / dbt_profile_default("WAREHOUSE_WORKING_FILE")


def _repo_path(text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _optional(text: str) -> str | None:
    return text or None


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default, what it sets, and how its text is read (calling the setting reads it:
    `settings.SEEDS_DIR()` is a Path, `settings.SERVING_PORT()` an int)."""

    variable: str
    default: str
    description: str
    read: Callable[[str], object] = str

    def value(self) -> str:
        return os.environ.get(self.variable) or self.default

    def __call__(self):
        return self.read(self.value())

    def shown(self) -> str:
        """The value for a person to read: a password in a URL is masked."""
        return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", self.value())


WAREHOUSE_ENGINE = Setting(
    "WAREHOUSE_ENGINE",
    "duckdb",
    "what loads, checks, builds and publishes: duckdb, or spark when one machine is outgrown (docs/spark.md)",
    read=lambda text: text.strip().lower(),
)
WAREHOUSE_PATH = Setting(
    "WAREHOUSE_PATH", "data/warehouse.duckdb", "the published warehouse analysts open", read=_repo_path
)
SEEDS_DIR = Setting("SEEDS_DIR", "seeds", "the curated seed CSV files", read=_repo_path)
WORK_DIR = Setting(
    "WORK_DIR",
    "",
    "where runs build their working files, on the warehouse's filesystem (empty: a .runs folder beside the warehouse)",
    read=lambda text: _repo_path(text) if text else WAREHOUSE_PATH().parent / ".runs",
)
KEEP_VERSIONS = Setting(
    "WAREHOUSE_KEEP_VERSIONS", "3", "how many previously published files `make rollback` can restore", read=int
)
LOCK_TIMEOUT = Setting(
    "REFRESH_LOCK_TIMEOUT", "600", "seconds a refresh waits for another one before it is refused", read=float
)
REFRESH_CRON = Setting("REFRESH_CRON", "0 6 * * *", "when the daily refresh runs")
REFRESH_TIMEZONE = Setting("REFRESH_TIMEZONE", "Asia/Shanghai", "the time zone of REFRESH_CRON")
SERVING_DATABASE_URL = Setting(
    "SERVING_DATABASE_URL",
    "",
    "the PostgreSQL serving copy's loader URL; set, Dagster keeps the copy after each run",
    read=_optional,
)
SERVING_READER_ROLE = Setting("SERVING_READER_ROLE", "bi_reader", "the role BI users log in as")
SERVING_PORT = Setting("SERVING_PORT", "54329", "the port of the local PostgreSQL that `make serve` starts", read=int)
SUPERSET_PORT = Setting("SUPERSET_PORT", "8088", "the port of the local Superset that `make superset` starts", read=int)
SPARK_MASTER_PORT = Setting("SPARK_MASTER_PORT", "7077", "the port of the master `make spark-cluster` starts", read=int)
SPARK_CONNECT_PORT = Setting(
    "SPARK_CONNECT_PORT", "15002", "the Spark Connect port of the local cluster `make spark-cluster` starts", read=int
)
SPARK_THRIFT_PORT = Setting(
    "SPARK_THRIFT_PORT",
    "10000",
    "the Thrift (JDBC) port for BI tools of the local cluster `make spark-cluster` starts",
    read=int,
)
SPARK_MASTER = Setting(
    "SPARK_MASTER",
    dbt_profile_default("SPARK_MASTER"),
    "the master of a local Spark session, the pipeline's and dbt's (local[*]: every core)",
)
SPARK_REMOTE = Setting(
    "SPARK_REMOTE",
    "",
    "the Spark Connect server the spark engine runs on (sc://host:15002); empty: a Spark session in the process",
    read=_optional,
)
DAGSTER_HOME = Setting(
    "DAGSTER_HOME",
    ".dagster_home",
    "the Dagster instance every run is recorded in: the history `make dev` shows",
    read=_repo_path,
)
# 1.5GB keeps a 10M-row refresh (dbt's DuckDB beside the Dagster process) under 3 GiB on the 2-core machine: 2933 MiB
# against 3376 MiB with 2GB, for 248 s against 223 s (docs/performance.md).
DUCKDB_MEMORY_LIMIT = Setting(
    "DUCKDB_MEMORY_LIMIT",
    dbt_profile_default("DUCKDB_MEMORY_LIMIT"),
    "the most memory one DuckDB connection that builds the warehouse may use, dbt's too (it spills beyond it)",
)

SETTINGS = [
    WAREHOUSE_ENGINE,
    WAREHOUSE_PATH,
    SEEDS_DIR,
    WORK_DIR,
    KEEP_VERSIONS,
    LOCK_TIMEOUT,
    REFRESH_CRON,
    REFRESH_TIMEZONE,
    SERVING_DATABASE_URL,
    SERVING_READER_ROLE,
    SERVING_PORT,
    SUPERSET_PORT,
    SPARK_MASTER_PORT,
    SPARK_CONNECT_PORT,
    SPARK_THRIFT_PORT,
    SPARK_MASTER,
    SPARK_REMOTE,
    DAGSTER_HOME,
    DUCKDB_MEMORY_LIMIT,
]
