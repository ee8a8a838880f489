"""A local Apache Spark session, for the same pipeline when one machine is outgrown (docs/spark.md), configured as
dbt's `spark` target configures its own (dbt_project/profiles.yml): on loopback only, no web UI, an in-memory catalog
(Hive's embedded metastore admits one process at a time, and the loader and dbt are two), and ANSI mode off as
dbt-spark sets it. pyspark comes with the optional `spark` extra and needs a Java runtime."""

from __future__ import annotations

from pathlib import Path

SESSION_CONFIG = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.ansi.enabled": "false",
    "spark.log.level": "WARN",
}


def local_session(warehouse_dir: Path, master: str = "local[*]"):
    """A Spark session (pyspark, imported here: the DuckDB path never needs it) writing its tables under
    `warehouse_dir`."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("ai-compute-warehouse")
    for key, value in {**SESSION_CONFIG, "spark.sql.warehouse.dir": str(warehouse_dir)}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
