"""The Apache Spark session of this process, for the same pipeline when one machine is outgrown (docs/spark.md).

Locally it is configured as dbt's `spark` target configures its own (dbt_project/profiles.yml): on loopback only, no
web UI, an in-memory catalog (Hive's embedded metastore admits one process at a time, and the pipeline and dbt are
two), ANSI mode off as dbt-spark sets it, and times in UTC. With SPARK_REMOTE set it is a Spark Connect session on that
cluster instead. pyspark comes with the optional `spark` extra (and a local session needs a Java runtime), so it is
imported only here, when the spark engine is used.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from orchestration.warehouse import settings

SESSION_CONFIG = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.log.level": "WARN",
    # One machine's tables are small: Spark's default of 200 shuffle partitions (sized for a cluster) makes every
    # join and aggregation 200 tasks.
    "spark.sql.shuffle.partitions": "4",
}


def local_session(warehouse_dir: Path, master: str = "local[*]", config: dict[str, str] | None = None):
    """A Spark session whose driver is this process (in local mode, or on a standalone cluster's `master`), whose
    catalog puts the schemas it creates under `warehouse_dir`; `config` adds to SESSION_CONFIG."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("ai-compute-warehouse")
    for key, value in {**SESSION_CONFIG, "spark.sql.warehouse.dir": str(warehouse_dir), **(config or {})}.items():
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
