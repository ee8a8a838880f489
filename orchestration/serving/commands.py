"""The serving commands: the data page, the exports, and the local servers BI tools connect to (PostgreSQL, Superset,
the Spark cluster), each with one start and stop shape; `serve`, which starts PostgreSQL and runs the copy job, is
with the other commands that run jobs (orchestration/automation/commands.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.serving.exports import export_marts
from orchestration.serving.local_postgres import READER_ROLE, LocalPostgres
from orchestration.serving.spark_cluster import LocalSparkCluster
from orchestration.serving.superset import Superset
from orchestration.warehouse import settings
from orchestration.warehouse.commands import Command
from orchestration.warehouse.paths import Paths


def published_warehouse() -> Path | None:
    """The published warehouse (WAREHOUSE_PATH), or None after saying that `make run` must build it first."""
    published = settings.WAREHOUSE_PATH()
    if not published.exists():
        print(f"No published warehouse at {published}: run `make run` first.", file=sys.stderr)
        return None
    return published


def site() -> int:
    """Write the data page from the published warehouse."""
    from orchestration.serving.site import build_site

    paths = Paths.from_settings()
    published = published_warehouse()
    if published is None:
        return 1
    page = build_site(published, paths.site_dir, paths.report_path)
    print(f"Data page: {page} (open it in a browser; it needs no server and no network)")
    return 0


def stop_local(server, what: str) -> int:
    """Stop a local server this command line started (PostgreSQL, Superset, the Spark cluster) and say so."""
    server.stop()
    print(f"{what} in {server.folder} stopped.")
    return 0


def superset() -> int:
    """Start Superset on loopback with the starter dashboard over the published warehouse (and the PostgreSQL copy
    when `make serve` runs); print where and how to log in."""
    published = published_warehouse()
    if published is None:
        return 1
    server, postgres = local_superset(), local_postgres()
    postgres_url = postgres.url(READER_ROLE) if postgres.is_running() else None
    try:
        server.start(published, postgres_url)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    databases = "the published DuckDB file (read-only)" + (
        " and the PostgreSQL copy (bi_reader)"
        if postgres_url
        else "; run `make serve` then `make superset` to add the PostgreSQL copy"
    )
    print(
        f"""Superset is running on {server.url} over {databases}.
  user      admin
  password  {server.credentials()["ADMIN_PASSWORD"]}   (kept in {server.credentials_file})
  dashboard {server.url}/superset/dashboard/ai-computing-starter/
  log       {server.log_file}
Stop it with `make superset-stop`."""
    )
    return 0


def serve_stop() -> int:
    return stop_local(local_postgres(), "PostgreSQL")


def superset_stop() -> int:
    return stop_local(local_superset(), "Superset")


def local_superset():

    return Superset(settings.WAREHOUSE_PATH().parent / "superset", port=settings.SUPERSET_PORT())


def local_postgres():

    return LocalPostgres(settings.WAREHOUSE_PATH().parent / "postgres", port=settings.SERVING_PORT())


def spark_cluster() -> int:
    """Start the local Spark cluster (master, worker, Spark Connect and Thrift servers) and print how to use it."""
    cluster = local_spark_cluster()
    cluster.start()
    print(
        f"""Spark cluster running on loopback in {cluster.folder}:
  master         {cluster.master_url}
  Spark Connect  {cluster.remote_url}
  Thrift (JDBC)  {cluster.jdbc_url}   the published tables of {cluster.spark_dir}, for BI tools
  tables under   {cluster.warehouse_dir}

Refresh the warehouse on it, publishing where the Thrift server reads:
  WAREHOUSE_ENGINE=spark SPARK_REMOTE={cluster.remote_url} make run
Query the published marts as a BI tool does:
  {cluster.beeline} -u {cluster.jdbc_url} -e 'show tables'

Build the dbt project on it (the seed files loaded as Parquet under SPARK_RAW_DIR, docs/spark.md):
  cd dbt_project && SPARK_REMOTE={cluster.remote_url} SPARK_RAW_DIR=... ../.venv/bin/dbt build --target spark_connect
Stop it with `make spark-cluster-stop`."""
    )
    return 0


def spark_cluster_stop() -> int:
    return stop_local(local_spark_cluster(), "Spark cluster")


def local_spark_cluster():
    from orchestration.engines.spark import publications_dir

    return LocalSparkCluster(
        settings.WAREHOUSE_PATH().parent / "spark-cluster",
        spark_dir=publications_dir(Paths.from_settings()),
        master_port=settings.SPARK_MASTER_PORT(),
        connect_port=settings.SPARK_CONNECT_PORT(),
        thrift_port=settings.SPARK_THRIFT_PORT(),
    )


def export() -> int:
    """Write every mart as Parquet and CSV into data/exports/."""
    written = export_marts(settings.WAREHOUSE_PATH(), settings.WAREHOUSE_PATH().parent / "exports")
    for path in written:
        print(path)
    return 0


COMMANDS = [
    Command("site", "write the data page (charts, findings) from the published warehouse", site),
    Command(
        "serve-stop", "stop the local PostgreSQL `serve` started", lambda: stop_local(local_postgres(), "PostgreSQL")
    ),
    Command("superset", "start Superset on loopback with the starter dashboard", superset),
    Command("superset-stop", "stop that Superset", superset_stop),
    Command("export", "write every mart as Parquet and CSV into data/exports/", export),
    Command(
        "spark-cluster", "start a local Spark cluster with Spark Connect and Thrift servers, on loopback", spark_cluster
    ),
    Command("spark-cluster-stop", "stop that Spark cluster", spark_cluster_stop),
]
