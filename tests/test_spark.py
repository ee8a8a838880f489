"""The dbt project on Apache Spark (a real local session, from the optional `spark` extra): the repository's seed
files loaded by Spark's CSV reader with their declared schema, the same models built by dbt-spark, and every mart
compared row by row with DuckDB's."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loading import SeedFileError
from orchestration.ingest.loading import load_seed_file as load_duckdb
from orchestration.ingest.seed_tables import seed_tables
from orchestration.ingest.spark_loading import load_seed_file
from orchestration.warehouse.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, REPO_ROOT
from orchestration.warehouse.spark_session import local_session
from tests.conftest import REPO_SEEDS, copy_seeds, free_port

pytestmark = [pytest.mark.spark, pytest.mark.slow]
# Written by a run's publication, not by the models: the Spark build here is not a published run.
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
    spark = local_session(tmp_path_factory.mktemp("spark-session"), master="local[2]")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def spark_raw(session, tmp_path_factory) -> Path:
    """The repository's seed files loaded by Spark, as Parquet; returns their folder."""
    raw = tmp_path_factory.mktemp("spark-raw")
    for table in seed_tables():
        load_seed_file(session, table, REPO_SEEDS / table.file_name, raw)
    return raw


def dbt_build(target: str, root: Path, **settings: str) -> None:
    """dbt build of the whole project on a Spark target, from the Parquet files of the seed files."""
    completed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "build",
            "--target",
            target,
            "--profiles-dir",
            ".",
            "--target-path",
            str(root / "target"),  # the DuckDB target keeps its parsed project in target/
            "--log-path",
            str(root / "logs"),
            "--exclude-resource-type",
            "unit_test",
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-5000:]


@pytest.fixture(scope="module")
def spark_marts(spark_raw, tmp_path_factory) -> Path:
    """The marts built in a local Spark session; returns the folder of their Parquet files."""
    root = tmp_path_factory.mktemp("spark")
    warehouse = root / "warehouse"
    dbt_build("spark", root, SPARK_RAW_DIR=str(spark_raw), SPARK_WAREHOUSE_DIR=str(warehouse), SPARK_MASTER="local[2]")
    return warehouse / "marts.db"


def same(left, right) -> bool:
    """Equal values, floats within noise of the last digits (two engines sum and divide in their own order)."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    return left == right


def assert_the_marts_equal_duckdbs(spark_marts: Path, duckdb_warehouse: Path) -> None:
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
            expected = sorted(duck.execute(f"select {compared} from marts.{mart}").fetchall(), key=order)
            built = sorted(duck.execute(f"select {compared} from {spark_relation}").fetchall(), key=order)
            assert len(built) == len(expected), mart
            for spark_row, duckdb_row in zip(built, expected, strict=True):
                assert all(map(same, spark_row, duckdb_row)), (mart, spark_row, duckdb_row)


def test_every_mart_built_on_spark_equals_duckdbs_row_for_row(spark_marts, built_warehouse):
    assert_the_marts_equal_duckdbs(spark_marts, built_warehouse)


def test_the_same_models_build_on_the_local_cluster_through_spark_connect(spark_raw, built_warehouse, tmp_path):
    """`make spark-cluster` starts a standalone master, a worker and a Spark Connect server on loopback; dbt builds
    on it with its `spark_connect` target, as it would on a real cluster; `make spark-cluster-stop` stops it."""
    settings = {
        "WAREHOUSE_PATH": str(tmp_path / "data" / "warehouse.duckdb"),
        "SPARK_MASTER_PORT": str(free_port()),
        "SPARK_CONNECT_PORT": str(free_port()),
    }

    def command(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(DBT_EXECUTABLE.with_name("python")), "-m", "orchestration", name],
            cwd=REPO_ROOT,
            env={**os.environ, **settings},
            capture_output=True,
            text=True,
        )

    cluster = tmp_path / "data" / "spark-cluster"
    started = command("spark-cluster")
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        remote = f"sc://127.0.0.1:{settings['SPARK_CONNECT_PORT']}"
        assert remote in started.stdout
        dbt_build("spark_connect", tmp_path, SPARK_REMOTE=remote, SPARK_RAW_DIR=str(spark_raw))
        assert_the_marts_equal_duckdbs(cluster / "warehouse" / "marts.db", built_warehouse)
    finally:
        stopped = command("spark-cluster-stop")
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    for name in ("master", "worker", "connect"):
        assert not (cluster / f"{name}.pid").exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(settings["SPARK_CONNECT_PORT"]))) != 0, "Spark Connect still listens"


def test_on_spark_the_share_rule_holds_and_the_growth_conflict_is_reported(spark_marts):
    checks = f"read_parquet('{spark_marts}/fct_consistency_check/*.parquet')"
    statuses: dict[str, set[str]] = {}
    for rule, status in duckdb.sql(f"select rule_id, status from {checks}").fetchall():
        statuses.setdefault(rule, set()).add(status)
    assert statuses["intelligent_share_of_total_2024"] == {"pass"}
    assert "fail" in statuses["intelligent_growth_2025"]


def test_a_seed_file_with_a_wrong_header_fails_on_spark_with_duckdbs_named_error(session, tmp_path):
    seeds = copy_seeds(tmp_path / "seeds")
    units = seeds / "units.csv"
    header, *rows = units.read_text().splitlines()
    units.write_text("\n".join([header.replace("unit_code", "unit"), *rows]) + "\n")
    [table] = [table for table in seed_tables() if table.name == "units"]
    with duckdb.connect() as connection, pytest.raises(SeedFileError) as on_duckdb:
        load_duckdb(connection, table, units)

    with pytest.raises(SeedFileError) as on_spark:
        load_seed_file(session, table, units, tmp_path / "raw")

    assert str(on_spark.value) == str(on_duckdb.value)
    assert "units.csv, line 1 (header): missing column(s) unit_code" in str(on_spark.value)
    assert not (tmp_path / "raw" / "units").exists()
