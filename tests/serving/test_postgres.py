"""The PostgreSQL serving copy, against a real PostgreSQL server started by the tests."""

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import sqlalchemy

from orchestration.automation.definitions import build_definitions
from orchestration.serving import connect
from orchestration.serving.assets import ServingDatabaseResource
from orchestration.serving.local_postgres import LOADER_ROLE, READER_ROLE, SERVER_USER, LocalPostgres
from orchestration.serving.postgres import Descriptions, copy_marts
from orchestration.warehouse.dbt import dbt_project
from orchestration.warehouse.settings import DBT_EXECUTABLE, REPO_ROOT
from tests.conftest import free_port, make_warehouse, remount

DESCRIPTIONS = Descriptions.from_manifest(json.loads(dbt_project.manifest_path.read_text()))
# What the same values look like once they have crossed over.
DUCKDB_TO_POSTGRES = {
    "VARCHAR": "text",
    "DOUBLE": "double precision",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "TIMESTAMP": "timestamp without time zone",
}


@pytest.fixture(scope="module")
def postgres():
    # The server may run as the postgres system user, which must be able to reach its folder: not under pytest's
    # private temporary folder.
    folder = Path(tempfile.mkdtemp(prefix="serving-postgres-", dir="/tmp"))
    folder.chmod(0o755)
    server = LocalPostgres(folder / "postgres", port=free_port())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def served(postgres, built_warehouse):
    copied = copy_marts(built_warehouse, postgres.url(LOADER_ROLE), DESCRIPTIONS, READER_ROLE)
    return postgres, copied


def duckdb_tables(path) -> dict[str, list[tuple]]:
    with connect(path) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            table: connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            for table in tables
        }


def test_the_copy_matches_duckdb_row_for_row_and_type_for_type(served, built_warehouse):
    postgres, copied = served
    expected = duckdb_tables(built_warehouse)
    assert set(copied) == set(expected)
    with connect(built_warehouse) as duck, psycopg.connect(postgres.url(READER_ROLE)) as pg:
        for table, columns in expected.items():
            pg_columns = pg.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = %s order by ordinal_position",
                [table],
            ).fetchall()
            assert pg_columns == [(name, DUCKDB_TO_POSTGRES[data_type]) for name, data_type in columns], table
            names = ", ".join(f'"{name}"' for name, _ in columns)
            duck_rows = sorted(duck.execute(f"select {names} from marts.{table}").fetchall(), key=repr)
            pg_rows = sorted(pg.execute(f"select {names} from marts.{table}").fetchall(), key=repr)
            assert pg_rows == duck_rows, table


def test_dbt_descriptions_become_comments(served):
    postgres, _ = served
    with psycopg.connect(postgres.url(READER_ROLE)) as pg:
        table_comment = pg.execute("select obj_description('marts.fct_indicator_observation'::regclass)").fetchone()[0]
        column_comment = pg.execute(
            "select col_description('marts.fct_indicator_observation'::regclass, ordinal_position) "
            "from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'fct_indicator_observation' and column_name = 'value_canonical'"
        ).fetchone()[0]
    assert table_comment.startswith("One row per reported figure")
    assert column_comment == DESCRIPTIONS.columns["fct_indicator_observation"]["value_canonical"]


@pytest.mark.parametrize(
    "statement",
    [
        "insert into marts.dim_unit values ('x', 'x', 'x', 'x', 1)",
        "update marts.fct_indicator_observation set value_canonical = 0",
        "delete from marts.dim_date",
        "create table marts.planted (x integer)",
        "create table public.planted (x integer)",
        "create schema planted",
        "drop table marts.dim_source",
        "set transaction read write; insert into marts.dim_unit values ('x', 'x', 'x', 'x', 1)",
    ],
)
def test_the_bi_role_cannot_write(served, statement):
    postgres, _ = served
    with psycopg.connect(postgres.url(READER_ROLE)) as pg, pytest.raises(psycopg.Error):
        pg.execute(statement)


def test_the_bi_role_reads_only_the_serving_schema(served):
    postgres, _ = served
    with psycopg.connect(postgres.url(LOADER_ROLE), autocommit=True) as loader:
        loader.execute("create schema if not exists internal")
        loader.execute("create table if not exists internal.secret as select 'hidden' as word")
    with psycopg.connect(postgres.url(READER_ROLE)) as pg, pytest.raises(psycopg.errors.InsufficientPrivilege):
        pg.execute("select * from internal.secret")


def test_psql_as_a_real_client_lists_and_queries_the_marts(served):
    postgres, _ = served
    psql = shutil.which("psql")
    listing = subprocess.run(
        [psql, postgres.url(READER_ROLE), "-c", r"\dt marts.*"], capture_output=True, text=True, check=True
    ).stdout
    assert "fct_indicator_observation" in listing and "dim_date" in listing
    value = subprocess.run(
        [
            psql,
            postgres.url(READER_ROLE),
            "-At",
            "-c",
            "select value_canonical from marts.fct_indicator_observation "
            "where indicator_code = 'total_computing_capacity' and source_id = 'nda_computing_2024'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert value == "280"


def test_sqlalchemy_reflects_the_postgres_copy(served):
    postgres, _ = served
    engine = sqlalchemy.create_engine(postgres.url(READER_ROLE).replace("postgresql://", "postgresql+psycopg://"))
    inspector = sqlalchemy.inspect(engine)
    columns = {c["name"]: type(c["type"]) for c in inspector.get_columns("fct_indicator_observation", schema="marts")}
    assert "fct_indicator_observation" in inspector.get_table_names(schema="marts")
    assert issubclass(columns["period_end"], sqlalchemy.Date)
    assert issubclass(columns["value_canonical"], sqlalchemy.Float)
    engine.dispose()


def test_the_swap_is_atomic_under_a_concurrent_reader(served, built_warehouse):
    postgres, copied = served
    problems, counts_seen = [], []
    stop = threading.Event()

    def read_continuously():
        with psycopg.connect(postgres.url(READER_ROLE), autocommit=True) as pg:
            while not stop.is_set():
                try:
                    counts_seen.append(
                        pg.execute(
                            "select (select count(*) from marts.fct_indicator_observation), "
                            "(select count(*) from marts.dim_date)"
                        ).fetchone()
                    )
                except psycopg.Error as error:
                    problems.append(str(error))

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for _ in range(3):
            copy_marts(built_warehouse, postgres.url(LOADER_ROLE), DESCRIPTIONS, READER_ROLE)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert problems == []
    assert len(counts_seen) > 10
    assert set(counts_seen) == {(copied["fct_indicator_observation"], copied["dim_date"])}


def test_the_dagster_asset_keeps_the_copy_after_each_refresh(postgres, tmp_path):
    warehouse = make_warehouse(tmp_path)
    serving = ServingDatabaseResource(url=postgres.url(LOADER_ROLE), reader_role=READER_ROLE)
    defs = build_definitions(warehouse, serving_database=serving)

    result = defs.resolve_job_def("refresh_warehouse").execute_in_process()

    assert result.success
    assert dg.AssetKey("postgres_serving_copy") in {e.asset_key for e in result.get_asset_materialization_events()}
    with psycopg.connect(postgres.url(READER_ROLE)) as pg:
        assert pg.execute("select count(*) from marts.fct_consistency_check").fetchone()[0] >= 5


def test_a_server_stopped_mid_copy_leaves_bi_users_on_the_previous_copy_and_the_next_copy_succeeds(
    built_warehouse, tmp_path
):
    """A real fault: the serving server shut down while the refresh's copy waits on a lock, after publishing."""
    folder = Path(tempfile.mkdtemp(prefix="serving-postgres-fault-", dir="/tmp"))
    folder.chmod(0o755)
    server = LocalPostgres(folder / "postgres", port=free_port())
    server.start()
    try:
        published = tmp_path / "data" / "warehouse.duckdb"
        published.parent.mkdir()
        shutil.copyfile(built_warehouse, published)
        before = copy_marts(published, server.url(LOADER_ROLE), DESCRIPTIONS, READER_ROLE)
        environment = {
            "PATH": "/usr/bin:/bin",
            "WAREHOUSE_PATH": str(published),
            "SEEDS_DIR": str(REPO_ROOT / "seeds"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "SERVING_DATABASE_URL": server.url(LOADER_ROLE),
        }
        # Plain connections, closed by hand: the server goes away under them, and a `with` block would commit.
        blocker = psycopg.connect(server.url(LOADER_ROLE))
        watcher = psycopg.connect(server.url(LOADER_ROLE), autocommit=True)  # a fresh view of the server each time
        try:
            blocker.execute("create schema if not exists marts_loading")
            blocker.execute("create table marts_loading.blocker (x integer)")
            blocker.commit()
            blocker.execute("lock table marts_loading.blocker in access exclusive mode")  # the copy will wait here
            output = (tmp_path / "refresh.out").open("w+"), (tmp_path / "refresh.err").open("w+")
            refresh = subprocess.Popen(
                [str(DBT_EXECUTABLE.with_name("python")), "-m", "orchestration", "refresh"],
                cwd=REPO_ROOT,
                env=environment,
                stdout=output[0],
                stderr=output[1],
                text=True,
            )
            waiting = (
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'drop schema%'"
            )
            for _ in range(1200):
                if watcher.execute(waiting).fetchone()[0]:
                    break
                assert refresh.poll() is None, (tmp_path / "refresh.err").read_text()[-3000:]
                threading.Event().wait(0.1)
            server.stop()
        finally:
            blocker.close()
            watcher.close()
        refresh.wait(timeout=300)
        stdout, stderr = (tmp_path / "refresh.out").read_text(), (tmp_path / "refresh.err").read_text()

        assert refresh.returncode == 1, stdout[-2000:] + stderr[-2000:]
        assert "Stack Trace" not in stderr and "Traceback" not in stderr
        assert f"The warehouse was published ({published})" in stderr
        last = stderr.strip().splitlines()[-1]
        assert last.startswith("Machine fault: the PostgreSQL serving database could not be reached, or closed"), last
        assert "BI users keep the previous copy" in last
        server.start()
        with psycopg.connect(server.url(READER_ROLE)) as pg:  # BI users see the previous copy, whole
            for table, rows in before.items():
                assert pg.execute(f"select count(*) from marts.{table}").fetchone()[0] == rows, table
        again = subprocess.run(
            [str(DBT_EXECUTABLE.with_name("python")), "-m", "orchestration", "refresh"],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert again.returncode == 0, again.stderr[-3000:]  # its last step is the copy, which succeeded
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_server_disk_that_fills_during_the_copy_leaves_bi_users_on_the_previous_copy(built_warehouse, mount):
    """A real fault: the serving database keeps its new tables on a filesystem too small for the copy (a tablespace on
    a small tmpfs), so PostgreSQL runs out of disk space part-way through `make serve`'s copy."""
    folder = Path(tempfile.mkdtemp(prefix="serving-postgres-full-", dir="/tmp"))
    folder.chmod(0o755)  # the server, running as the postgres user, reaches its tablespace through it
    small = mount("tablespace", "64k", under=folder)
    published = folder / "data" / "warehouse.duckdb"
    published.parent.mkdir()
    shutil.copyfile(built_warehouse, published)
    server = LocalPostgres(published.parent / "postgres", port=free_port())
    environment = {
        "PATH": os.environ["PATH"],  # `serve` starts the server as the postgres user with runuser, in sbin
        "WAREHOUSE_PATH": str(published),
        "DAGSTER_HOME": str(folder / "dagster_home"),
        "SERVING_PORT": str(server.port),
    }

    def serve() -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(DBT_EXECUTABLE.with_name("python")), "-m", "orchestration", "serve"],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )

    def rows_bi_users_see() -> dict[str, int]:
        with psycopg.connect(server.url(READER_ROLE)) as pg:
            tables = pg.execute("select tablename from pg_tables where schemaname = 'marts'").fetchall()
            return {table: pg.execute(f"select count(*) from marts.{table}").fetchone()[0] for (table,) in tables}

    try:
        first = serve()
        assert first.returncode == 0, first.stderr[-3000:]
        before = rows_bi_users_see()
        owner = pwd.getpwnam(SERVER_USER)
        os.chown(small, owner.pw_uid, owner.pw_gid)
        admin = f"host={server.socket_dir} port={server.port} user={SERVER_USER} dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f"create tablespace small_disk location '{small}'")
            pg.execute(f"grant create on tablespace small_disk to {LOADER_ROLE}")
            pg.execute("alter database warehouse set default_tablespace = small_disk")

        full = serve()

        assert full.returncode == 1, full.stdout[-2000:] + full.stderr[-2000:]
        assert "Traceback" not in full.stderr and "Stack Trace" not in full.stderr
        last = full.stderr.strip().splitlines()[-1]
        assert last.startswith("Machine fault: the PostgreSQL serving database ran out of disk space"), last
        assert "BI users keep the previous copy" in last and "Free space on the database server" in last
        assert rows_bi_users_see() == before
        # The aborted copy's tables are gone; PostgreSQL keeps an emptied first file of each until its next
        # checkpoint.
        left = [path for path in small.rglob("*") if path.is_file() and path.stat().st_size > 0]
        assert left == [], "the failed copy left its tables on the full disk"
        remount(small, "size=64m")
        again = serve()
        assert again.returncode == 0, again.stderr[-3000:]
        assert rows_bi_users_see() == before  # the same published warehouse, copied whole this time
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_no_password_is_committed(postgres):
    tracked = subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    ).stdout.split()
    assert not any(name.endswith("credentials.env") for name in tracked)
    assert os.stat(postgres.credentials_file).st_mode & 0o077 == 0  # readable by its owner only
