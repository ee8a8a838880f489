"""The serving commands: the data page, the exports, and the local servers BI tools connect to (PostgreSQL, Superset,
the Spark cluster), each started, described and stopped the same way (processes.LocalServer). `serve`, which starts
PostgreSQL and runs the copy job, is with the other commands that run jobs (orchestration/automation/commands.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.serving.exports import export_marts
from orchestration.serving.local_postgres import READER_ROLE, LocalPostgres
from orchestration.serving.processes import LocalServer
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
    from orchestration.serving.site.page import build_site

    paths = Paths.from_settings()
    published = published_warehouse()
    if published is None:
        return 1
    page = build_site(published, paths.site_dir, paths.report_path)
    print(f"Data page: {page} (open it in a browser; it needs no server and no network)")
    return 0


def start_local(server: LocalServer) -> int:
    """Start a local server (PostgreSQL, Superset, the Spark cluster) and say how to use it."""
    try:
        server.start()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(server.describe())
    return 0


def stop_local(server: LocalServer) -> int:
    """Stop a local server this command line started, with everything it started, and say so."""
    server.stop()
    print(f"{server.name} in {server.folder} stopped.")
    return 0


def local_postgres() -> LocalPostgres:
    return LocalPostgres(settings.WAREHOUSE_PATH().parent / "postgres", port=settings.SERVING_PORT())


def local_superset() -> Superset:
    """Superset over the published warehouse, and over the PostgreSQL copy when `make serve` runs."""
    postgres = local_postgres()
    return Superset(
        settings.WAREHOUSE_PATH().parent / "superset",
        port=settings.SUPERSET_PORT(),
        warehouse=settings.WAREHOUSE_PATH(),
        postgres_url=postgres.url(READER_ROLE) if postgres.is_running() else None,
    )


def local_spark_cluster() -> LocalSparkCluster:
    from orchestration.engines.spark import publications_dir

    return LocalSparkCluster(
        settings.WAREHOUSE_PATH().parent / "spark-cluster",
        spark_dir=publications_dir(Paths.from_settings()),
        master_port=settings.SPARK_MASTER_PORT(),
        connect_port=settings.SPARK_CONNECT_PORT(),
        thrift_port=settings.SPARK_THRIFT_PORT(),
    )


def superset() -> int:
    """Start Superset on loopback with the starter dashboard over the published warehouse (and the PostgreSQL copy
    when `make serve` runs); print where and how to log in."""
    if published_warehouse() is None:
        return 1
    return start_local(local_superset())


def export() -> int:
    """Write every mart as Parquet and CSV into data/exports/."""
    written = export_marts(settings.WAREHOUSE_PATH(), settings.WAREHOUSE_PATH().parent / "exports")
    for path in written:
        print(path)
    return 0


COMMANDS = [
    Command("site", "write the data page (charts, findings) from the published warehouse", site),
    Command("serve-stop", "stop the local PostgreSQL `serve` started", lambda: stop_local(local_postgres())),
    Command("superset", "start Superset on loopback with the starter dashboard", superset),
    Command("superset-stop", "stop that Superset", lambda: stop_local(local_superset())),
    Command("export", "write every mart as Parquet and CSV into data/exports/", export),
    Command(
        "spark-cluster",
        "start a local Spark cluster with Spark Connect and Thrift servers, on loopback",
        lambda: start_local(local_spark_cluster()),
    ),
    Command("spark-cluster-stop", "stop that Spark cluster", lambda: stop_local(local_spark_cluster())),
]
