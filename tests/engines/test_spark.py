"""The pipeline on Apache Spark (WAREHOUSE_ENGINE=spark; real local sessions and a real local cluster, from the
optional `spark` extra): the repository's seed files loaded, checked, built and published on Spark, every mart compared
row by row with DuckDB's, and bad input named as DuckDB names it, with nothing published."""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from benchmarks.generate import generate
from benchmarks.measure import BI_QUERIES, measure_one_refresh
from benchmarks.report import spark_comparison
from orchestration.engines.spark.session import local_session
from orchestration.engines.spark.tables import POINTER, READER_CATALOG, published_folder
from orchestration.ingest.seed_tables import seed_tables
from orchestration.serving import connect
from orchestration.serving.spark_cluster import spark_home
from orchestration.warehouse.settings import DBT_EXECUTABLE, REPO_ROOT
from tests.conftest import REPO_SEEDS, copy_seeds, free_port

pytestmark = [pytest.mark.spark, pytest.mark.slow]
# Written by a run's publication, not by the models: the runs on the two engines are two runs.
RUN_COLUMNS = {
    "recorded_from",
    "recorded_until",
    "first_published_run_id",
    "last_published_run_id",
    "recorded_until_run_id",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java runtime: `apt-get install openjdk-17-jre-headless` (.ci/run installs it)")
    spark = local_session(tmp_path_factory.mktemp("spark-session"), master="local[1]")
    yield spark
    spark.stop()


def orchestration(command: str, root: Path, **settings: str) -> subprocess.CompletedProcess:
    """`python -m orchestration <command>` as an operator runs it, with its warehouse and run history under `root`."""
    return subprocess.run(
        [str(DBT_EXECUTABLE.with_name("python")), "-m", "orchestration", command],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "WAREHOUSE_PATH": str(root / "data" / "warehouse.duckdb"),
            "DAGSTER_HOME": str(root / "dagster"),
            "SPARK_MASTER": "local[1]",  # one core: the other runs the rest of the suite beside it
            **settings,
        },
        capture_output=True,
        text=True,
    )


def spark_dir(root: Path) -> Path:
    return root / "data" / "spark-warehouse"


@pytest.fixture(scope="module")
def published_on_spark(tmp_path_factory) -> Path:
    """`WAREHOUSE_ENGINE=spark make run` on the repository's seeds: loaded, checked, built and published on Spark in
    a local session; returns the folder of its warehouse and run history."""
    root = tmp_path_factory.mktemp("spark-refresh")
    refreshed = orchestration("refresh", root, WAREHOUSE_ENGINE="spark", SEEDS_DIR=str(REPO_SEEDS))
    assert refreshed.returncode == 0, refreshed.stderr[-5000:]
    return root


def same(left, right) -> bool:
    """Equal values, floats within noise of the last digits (two engines sum and divide in their own order)."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    return left == right


def assert_the_marts_equal_duckdbs(spark_marts: Path, duckdb_warehouse: Path, open_history_only: bool = False) -> None:
    """Every mart, row by row; with `open_history_only`, the history's rows of the figures published now (a second
    publication also keeps the first's figures it closed, which a first build on DuckDB has not seen)."""
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as duck:
        marts = [
            name
            for (name,) in duck.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        assert {path.name for path in spark_marts.iterdir()} == set(marts)
        for mart in marts:
            columns = duck.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [mart],
            ).fetchall()
            spark_relation = f"read_parquet('{spark_marts / mart}/*.parquet')"
            spark_columns = [row[:2] for row in duck.execute(f"describe select * from {spark_relation}").fetchall()]
            assert spark_columns == columns, mart
            compared = ", ".join(f'"{name}"' for name, _ in columns if name not in RUN_COLUMNS)
            order = lambda row: tuple((value is None, str(value)) for value in row)  # noqa: E731
            where = "where recorded_until is null" if open_history_only and mart.endswith("_history") else ""
            expected = sorted(duck.execute(f"select {compared} from marts.{mart} {where}").fetchall(), key=order)
            built = sorted(duck.execute(f"select {compared} from {spark_relation} {where}").fetchall(), key=order)
            assert len(built) == len(expected), mart
            for spark_row, duckdb_row in zip(built, expected, strict=True):
                assert all(map(same, spark_row, duckdb_row)), (mart, spark_row, duckdb_row)


def test_a_refresh_on_spark_publishes_the_marts_duckdb_publishes(published_on_spark, built_warehouse):
    publication = published_folder(spark_dir(published_on_spark))
    assert publication is not None and publication.parent == spark_dir(published_on_spark)
    assert_the_marts_equal_duckdbs(publication / "marts.db", built_warehouse)
    # Readers on this machine: the DuckDB views over the publication, the data page built from them, the audit.
    with connect(publication / READER_CATALOG) as reader:
        assert reader.sql("select engine, action from audit.publish_log").fetchall() == [("spark", "publish")]
        assert reader.sql("select count(*) from audit.input_contract_results where passed").fetchone() == (
            len(seed_tables()),
        )
        [(recorded,)] = reader.sql(
            "select count(*) from marts.fct_indicator_observation_history where recorded_from is not null"
        ).fetchall()
        assert recorded == reader.sql("select count(*) from marts.fct_indicator_observation").fetchone()[0]
    assert (published_on_spark / "data" / "site" / "index.html").exists()


def test_on_spark_the_share_rule_holds_and_the_growth_conflict_is_reported(published_on_spark):
    publication = published_folder(spark_dir(published_on_spark))
    checks = f"read_parquet('{publication}/marts.db/fct_consistency_check/*.parquet')"
    statuses: dict[str, set[str]] = {}
    for rule, status in duckdb.sql(f"select rule_id, status from {checks}").fetchall():
        statuses.setdefault(rule, set()).add(status)
    assert "pass" in statuses["intelligent_share_of_total_2024"]
    assert "fail" not in statuses["intelligent_share_of_total_2024"]  # the pages that give no share: not evaluable
    assert "fail" in statuses["intelligent_growth_2025"]
    report = (published_on_spark / "data" / "quality_report.md").read_text()
    assert "The warehouse was published." in report
    assert "### intelligent_growth_2025 (warn)" in report


def test_a_broken_input_contract_fails_on_spark_as_on_duckdb_and_publishes_nothing(published_on_spark, tmp_path):
    """A refresh on Spark stops at the same violations as on DuckDB, named by the same sentences, and the publication
    on Spark stays as it was."""
    seeds = copy_seeds(tmp_path / "seeds")
    observations = seeds / "observations.csv"
    lines = observations.read_text().splitlines()
    lines[3] = lines[3].replace(",CN,", ",XX,", 1)  # a geography no file declares, on line 4
    observations.write_text("\n".join(lines) + "\n")
    before = sorted(path.name for path in spark_dir(published_on_spark).iterdir())
    pointer = (spark_dir(published_on_spark) / POINTER).read_text()

    on_spark = orchestration("refresh", published_on_spark, WAREHOUSE_ENGINE="spark", SEEDS_DIR=str(seeds))
    on_duckdb = orchestration("refresh", tmp_path / "duckdb", SEEDS_DIR=str(seeds))

    assert on_spark.returncode == on_duckdb.returncode == 1
    violations = [
        [line.strip() for line in run.stderr.splitlines() if "observations.csv, line" in line]
        for run in (on_spark, on_duckdb)
    ]
    assert violations[0] == violations[1]
    assert any("line 4, column geography_code: value 'XX'" in line for line in violations[0]), violations
    assert "the published warehouse is unchanged" in on_spark.stderr
    assert sorted(path.name for path in spark_dir(published_on_spark).iterdir()) == before
    assert (spark_dir(published_on_spark) / POINTER).read_text() == pointer


@pytest.fixture(scope="module")
def on_the_cluster(published_on_spark, tmp_path_factory):
    """`make spark-cluster` (a standalone master and worker, a Spark Connect server and a Thrift server on loopback)
    beside a copy of the local session's publication; the benchmark's harness (`make bench`) then refreshes the 10k
    synthetic set (many indicators, sources and provinces, revisions, findings of every rule type) on that cluster
    through Spark Connect, which becomes the warehouse's second publication, and on DuckDB. `make spark-cluster-stop`
    stops it all at the end of the module. Yields what the tests read."""
    root = tmp_path_factory.mktemp("spark-cluster")
    shutil.copytree(published_on_spark / "data", root / "data")
    ports = ("SPARK_MASTER_PORT", "SPARK_CONNECT_PORT", "SPARK_THRIFT_PORT")
    settings = {name: str(free_port()) for name in ports}
    remote = f"sc://127.0.0.1:{settings['SPARK_CONNECT_PORT']}"
    started = orchestration("spark-cluster", root, **settings)
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        seeds = generate("10k", root / "bench")
        on_duckdb = measure_one_refresh("10k", seeds, root / "duckdb", "duckdb")
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("SPARK_MASTER", "local[1]")  # the harness's own session, for the BI queries
            on_spark = measure_one_refresh("10k", seeds, root, "spark", SPARK_REMOTE=remote)
        yield {
            "root": root,
            "started": started,
            "remote": remote,
            "jdbc": f"jdbc:hive2://127.0.0.1:{settings['SPARK_THRIFT_PORT']}/marts",
            "duckdb": on_duckdb,
            "spark": on_spark,
        }
    finally:
        stopped = orchestration("spark-cluster-stop", root, **settings)
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    for name in ("master", "worker", "connect", "thrift"):
        assert not (root / "data" / "spark-cluster" / f"{name}.pid").exists()
    for name in ("SPARK_CONNECT_PORT", "SPARK_THRIFT_PORT"):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", int(settings[name]))) != 0, f"{name} still listens"


def test_the_pipeline_runs_on_the_local_cluster_through_spark_connect_and_bi_tools_read_it_through_thrift(
    on_the_cluster,
):
    root, jdbc = on_the_cluster["root"], on_the_cluster["jdbc"]
    assert on_the_cluster["remote"] in on_the_cluster["started"].stdout and jdbc in on_the_cluster["started"].stdout
    publication = published_folder(spark_dir(root))
    duckdb_warehouse = root / "duckdb" / "data" / "warehouse.duckdb"
    assert_the_marts_equal_duckdbs(publication / "marts.db", duckdb_warehouse, open_history_only=True)
    history = f"read_parquet('{publication}/marts.db/fct_indicator_observation_history/*.parquet')"
    closed = duckdb.sql(f"select count(*) from {history} where recorded_until is not null").fetchone()[0]
    figures = len((REPO_SEEDS / "observations.csv").read_text().strip().splitlines()) - 1
    assert closed == figures  # the repository's, which the local session published and the synthetic set lacks

    served = f"serving the publication {publication.name}"
    deadline = time.monotonic() + 60
    while served not in (root / "data" / "spark-cluster" / "thrift.log").read_text() and time.monotonic() < deadline:
        time.sleep(1)
    query = "select indicator_code, count(*) from fct_indicator_observation group by indicator_code order by 1"
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as warehouse:
        expected = [
            [code, str(count)] for code, count in warehouse.sql(f"{query.replace('from ', 'from marts.')}").fetchall()
        ]
    assert through_beeline(jdbc, query) == expected


def test_the_benchmark_harness_measures_both_engines_and_compares_them(on_the_cluster):
    on_duckdb, on_spark = on_the_cluster["duckdb"], on_the_cluster["spark"]
    for figures in (on_duckdb, on_spark):
        assert figures["rows"] == 10_000
        assert figures["dbt_nodes"] > 100 and figures["dbt_statements"] >= figures["dbt_nodes"]
        assert 0 < figures["dbt_statements_s"] <= figures["full_refresh_s"]
        for query in ("floor", *BI_QUERIES):
            latency = figures[f"query_{query}"]
            assert 0 < latency["median_ms"] <= latency["p95_ms"], query
    comparison = "\n".join(spark_comparison([on_duckdb], [on_spark]))
    assert f"dbt sent {on_spark['dbt_statements']} SQL statements for its {on_spark['dbt_nodes']} nodes on Spark" in (
        comparison
    )
    slower = on_spark["full_refresh_s"] > on_duckdb["full_refresh_s"]
    assert ("Spark was slower at every size measured" in comparison) == slower


def through_beeline(jdbc_url: str, sql: str) -> list[list[str]]:
    """The rows of `sql` as Hive's JDBC client (shipped with pyspark) returns them from a Thrift server."""
    beeline = spark_home() / "bin" / "beeline"
    answered = subprocess.run(
        [str(beeline), "-u", jdbc_url, "-n", "analyst", "--silent=true", "--showHeader=false"]
        + ["--outputformat=csv2", "-e", sql],
        env={**os.environ, "SPARK_HOME": str(spark_home())},
        capture_output=True,
        text=True,
    )
    assert answered.returncode == 0, answered.stderr[-3000:]
    # beeline writes its prompt before the first row when its output is not a terminal, even when silent.
    output = re.sub(r"^\d+: jdbc:hive2://\S+> ", "", answered.stdout, flags=re.MULTILINE)
    return [row for row in csv.reader(output.splitlines()) if row]


def test_a_rollback_on_spark_publishes_the_previous_figures_again_and_keeps_the_history(on_the_cluster):
    """The cluster's publication (the synthetic set, without the repository's figures) rolled back: the local
    session's publication is published again, and the recorded history keeps the figures' closing by the cluster's
    run and their reopening by the rollback. Last in this file: it changes the shared publication."""
    root = on_the_cluster["root"]
    first, second = sorted(path for path in spark_dir(root).iterdir() if path.is_dir())

    rolled_back = orchestration("rollback", root, WAREHOUSE_ENGINE="spark")

    assert rolled_back.returncode == 0, rolled_back.stderr[-5000:]
    publication = published_folder(spark_dir(root))
    assert publication.name.split("-", 1)[1].startswith("rollback-")
    assert not first.exists() and not second.exists()  # restored from, and withdrawn
    with connect(publication / READER_CATALOG) as reader:
        value = "select value_reported from marts.fct_indicator_observation where observation_id = ?"
        assert reader.execute(value, ["ndrs25-ai-core-value-2025"]).fetchone() == (1.2,)
        versions = reader.execute(
            "select value_reported, recorded_until is null, coalesce(recorded_until_run_id like 'rollback-%', false) "
            "from marts.fct_indicator_observation_history where observation_id = ? order by recorded_from",
            ["ndrs25-ai-core-value-2025"],
        ).fetchall()
        # published by the local session until the cluster's run left it out, then published again by the rollback
        assert versions == [(1.2, False, False), (1.2, True, False)]
        log = reader.sql("select action from audit.publish_log order by published_at").fetchall()
        assert log == [("publish",), ("publish",), ("rollback",)]
