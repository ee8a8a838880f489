"""The Apache Spark session of this process, for the same pipeline when one machine is outgrown (docs/spark.md).

Locally it is configured by dbt's `spark` target (dbt_project/profiles.yml), so that the pipeline's session and dbt's
are alike: on loopback only, no web UI, an in-memory catalog (Hive's embedded metastore admits one process at a time,
and the pipeline and dbt are two), times in UTC, few shuffle partitions; and ANSI mode off, as dbt-spark sets it.
With SPARK_REMOTE set it is a Spark Connect session on that cluster instead. pyspark comes with the optional `spark`
extra (and a local session needs a Java runtime), so it is imported only here, when the spark engine is used.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import yaml

from orchestration.warehouse import settings


def session_config() -> dict[str, str]:
    """The settings of dbt's `spark` target, but for those it reads from the environment (the master and the
    catalog's folder, which local_session is given)."""
    profile = yaml.safe_load((settings.DBT_PROJECT_DIR / "profiles.yml").read_text())
    parameters = profile["ai_compute_warehouse"]["outputs"]["spark"]["server_side_parameters"]
    return {key: str(value) for key, value in parameters.items() if "{{" not in str(value)}


def local_session(
    warehouse_dir: Path, master: str = settings.SPARK_MASTER.default, config: dict[str, str] | None = None
):
    """A Spark session whose driver is this process (in local mode, or on a standalone cluster's `master`), whose
    catalog puts the schemas it creates under `warehouse_dir`; `config` adds to session_config()."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("ai-compute-warehouse")
    defaults = {**session_config(), "spark.sql.ansi.enabled": "false", "spark.sql.warehouse.dir": str(warehouse_dir)}
    for key, value in {**defaults, **(config or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@cache
def session():
    """The process's one Spark session: on the Spark Connect server SPARK_REMOTE names, or local (it starts in
    seconds once, then every stage of every run in this process shares it). Tables are declared with their locations,
    so the local catalog's own folder, under WORK_DIR, holds only empty schema folders."""
    remote = settings.SPARK_REMOTE()
    if remote:
        from pyspark.sql import SparkSession

        return SparkSession.builder.remote(remote).getOrCreate()
    if shutil.which("java") is None:
        raise RuntimeError(
            "a local Spark session needs a Java runtime: install Debian's openjdk-17-jre-headless, or set "
            "SPARK_REMOTE to a Spark Connect server (docs/spark.md)"
        )
    return local_session(settings.WORK_DIR() / "spark-catalog", settings.SPARK_MASTER())
