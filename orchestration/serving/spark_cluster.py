"""A local standalone Apache Spark cluster on loopback, from the pyspark installation's own jars and scripts: a
master, one worker, a Spark Connect server and a Thrift server for BI tools (`make spark-cluster`, `make
spark-cluster-stop`), for trying the pipeline against a cluster as against a real one (docs/spark.md). It lives in one
folder: each process's log and pid, the worker's scratch space, and the tables the cluster writes (warehouse/). The
Connect server's catalog is in memory: it keeps the tables a client declares until the cluster stops, and their files
after. The Thrift server declares the published tables itself (spark_thrift_server.py)."""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from orchestration.serving.processes import running_pid, start_detached, stop_detached

CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
START_TIMEOUT_SECONDS = 120
PROCESSES = ("master", "worker", "connect", "thrift")
# The Connect server and the Thrift server are two applications on one worker, and a standalone application takes
# every core it is offered: the worker offers each application's share twice over, so neither waits for the other.
APPLICATION_CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class LocalSparkCluster:
    name: ClassVar[str] = "Spark cluster"
    folder: Path
    spark_dir: Path  # the publications the Thrift server serves (WarehouseResource.spark_dir)
    master_port: int = 7077
    connect_port: int = 15002
    thrift_port: int = 10000

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.master_port}"

    @property
    def remote_url(self) -> str:
        """Where Spark Connect clients (dbt's `spark_connect` target, SPARK_REMOTE) reach the cluster."""
        return f"sc://127.0.0.1:{self.connect_port}"

    @property
    def jdbc_url(self) -> str:
        """Where BI tools and JDBC clients reach the published tables through the Thrift server."""
        return f"jdbc:hive2://127.0.0.1:{self.thrift_port}/marts"

    @property
    def beeline(self) -> Path:
        """Hive's JDBC command-line client, shipped with pyspark."""
        return spark_home() / "bin" / "beeline"

    @property
    def warehouse_dir(self) -> Path:
        return self.folder / "warehouse"

    def start(self) -> None:
        """Start whatever is not running yet, each process waited for until it listens."""
        self.folder.mkdir(parents=True, exist_ok=True)
        home = spark_home()
        processes = {
            "master": (
                [str(home / "bin" / "spark-class"), "org.apache.spark.deploy.master.Master"]
                + ["--host", "127.0.0.1", "--port", str(self.master_port), "--webui-port", "0"],
                self.master_port,
            ),
            "worker": (
                [str(home / "bin" / "spark-class"), "org.apache.spark.deploy.worker.Worker", self.master_url]
                + ["--host", "127.0.0.1", "--webui-port", "0", "--work-dir", str(self.folder / "work")]
                + ["--cores", str(2 * APPLICATION_CORES)],
                None,
            ),
            "connect": (
                [str(home / "bin" / "spark-submit"), "--class", CONNECT_SERVER, "--master", self.master_url]
                + _conf(
                    {
                        "spark.connect.grpc.binding.address": "127.0.0.1",
                        "spark.connect.grpc.binding.port": str(self.connect_port),
                        "spark.driver.bindAddress": "127.0.0.1",
                        "spark.driver.host": "127.0.0.1",
                        "spark.ui.enabled": "false",
                        "spark.sql.catalogImplementation": "in-memory",
                        "spark.sql.warehouse.dir": str(self.warehouse_dir),
                        "spark.cores.max": str(APPLICATION_CORES),
                        # a cluster on one machine holds small tables: a shuffle partition per core, not 200
                        "spark.sql.shuffle.partitions": str(APPLICATION_CORES),
                    }
                ),
                self.connect_port,
            ),
            "thrift": (
                [sys.executable, "-m", "orchestration.serving.spark_thrift_server", str(self.spark_dir)]
                + [self.master_url, str(self.thrift_port), str(self.folder / "thrift"), str(APPLICATION_CORES)],
                self.thrift_port,
            ),
        }
        for name, (command, port) in processes.items():
            if self._pid(name) is None:
                self._launch(name, command, home)
            if port is not None:
                self._wait_until_listening(name, port)

    def stop(self) -> None:
        """Stop every process of the cluster (each with its process group: the scripts start Java under them)."""
        for name in reversed(PROCESSES):
            stop_detached(self._pid_file(name), timeout_seconds=30)

    def is_running(self) -> bool:
        return all(self._pid(name) is not None for name in PROCESSES)

    def describe(self) -> str:
        return f"""Spark cluster running on loopback in {self.folder}:
  master         {self.master_url}
  Spark Connect  {self.remote_url}
  Thrift (JDBC)  {self.jdbc_url}   the published tables of {self.spark_dir}, for BI tools
  tables under   {self.warehouse_dir}

Refresh the warehouse on it, publishing where the Thrift server reads:
  WAREHOUSE_ENGINE=spark SPARK_REMOTE={self.remote_url} make run
Query the published marts as a BI tool does:
  {self.beeline} -u {self.jdbc_url} -e 'show tables'

Build the dbt project on it (the seed files loaded as Parquet under SPARK_RAW_DIR, docs/spark.md):
  cd dbt_project && SPARK_REMOTE={self.remote_url} SPARK_RAW_DIR=... ../.venv/bin/dbt build --target spark_connect
Stop it with `make spark-cluster-stop`."""

    def log_file(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def _launch(self, name: str, command: list[str], home: Path) -> None:
        environment = {
            **os.environ,
            "SPARK_HOME": str(home),
            "SPARK_LOCAL_IP": "127.0.0.1",
            # The master's REST submission server would listen on another port: nothing here submits through it.
            "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
        }
        # In the cluster's folder: Spark's processes write files where they run (the Thrift server Hive's derby.log).
        start_detached(command, self.log_file(name), self._pid_file(name), environment, cwd=self.folder)

    def _wait_until_listening(self, name: str, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._pid(name) is None:
                raise RuntimeError(f"the Spark {name} stopped while starting; see {self.log_file(name)}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.5)
        raise RuntimeError(
            f"the Spark {name} did not listen on port {port} in {START_TIMEOUT_SECONDS} s; see {self.log_file(name)}"
        )

    def _pid_file(self, name: str) -> Path:
        return self.folder / f"{name}.pid"

    def _pid(self, name: str) -> int | None:
        """The process of `name` if it runs."""
        return running_pid(self._pid_file(name))


def spark_home() -> Path:
    """The pyspark installation, which carries Spark's jars and scripts."""
    import pyspark  # the optional `spark` extra

    return Path(pyspark.__file__).parent


def _conf(settings: dict[str, str]) -> list[str]:
    return [argument for key, value in settings.items() for argument in ("--conf", f"{key}={value}")]
