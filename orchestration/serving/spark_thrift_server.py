"""The Thrift server of the local Spark cluster, for BI tools and JDBC clients (HiveServer2's protocol: beeline, a
`hive://` URL in Superset through PyHive, DBeaver's Spark driver): the published tables under the names they have in
the DuckDB warehouse (marts.fct_indicator_observation, ...), run on the cluster.

Spark's own Thrift server is started inside this process's Spark application (HiveThriftServer2.startWithContext),
so its catalog is the one declared here: the tables of the publication PUBLISHED names, switched to the next one
within POLL_SECONDS of a refresh or a rollback publishing it. The names switch in one pass of catalog renames, not in
one transaction, so a BI query in that moment may find a table missing or read two tables of two publications
(docs/spark.md).

    python -m orchestration.serving.spark_thrift_server SPARK_DIR MASTER_URL PORT SCRATCH_DIR

LocalSparkCluster starts it as one of the cluster's processes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from orchestration.engines.spark.session import local_session
from orchestration.engines.spark.tables import STAGED, declare, published_folder, swap

POLL_SECONDS = 2.0
THRIFT_SERVER = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


def serve(spark_dir: Path, master: str, port: int, scratch_dir: Path, cores: int) -> None:
    """Serve the publications under `spark_dir` on 127.0.0.1:`port`, until the process is stopped."""
    session = local_session(scratch_dir, master, {"spark.cores.max": str(cores)})
    serving, declared = _switch_to_published(session, spark_dir, None, set())
    # The server reads its settings from the session's configuration (HiveConf over the session's Hadoop conf).
    session.conf.set("hive.server2.thrift.bind.host", "127.0.0.1")
    session.conf.set("hive.server2.thrift.port", str(port))
    session._jvm.__getattr__(THRIFT_SERVER).startWithContext(session._jsparkSession.sqlContext())
    print(f"Thrift server listening on 127.0.0.1:{port}", flush=True)
    while True:
        time.sleep(POLL_SECONDS)
        serving, declared = _switch_to_published(session, spark_dir, serving, declared)


def _switch_to_published(session, spark_dir: Path, serving: Path | None, declared: set[str]):
    """The published folder and the tables declared from it, switched to if `serving` is another."""
    folder = published_folder(spark_dir)
    if folder is None or folder == serving:
        return serving, declared
    started = time.perf_counter()
    staged = declare(session, folder, suffix=STAGED)
    swapping = time.perf_counter()
    declared = swap(session, staged, declared)
    print(
        f"serving the publication {folder.name}: {len(declared)} tables declared beside in "
        f"{swapping - started:.2f} s, their names switched in {time.perf_counter() - swapping:.2f} s",
        flush=True,
    )
    return folder, declared


if __name__ == "__main__":
    spark_dir_argument, master_argument, port_argument, scratch_argument, cores_argument = sys.argv[1:]
    serve(Path(spark_dir_argument), master_argument, int(port_argument), Path(scratch_argument), int(cores_argument))
