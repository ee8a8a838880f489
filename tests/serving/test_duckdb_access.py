"""Analysts on DuckDB: the locked-down connection, SQLAlchemy, the CLI, the example queries and the exports."""

import datetime
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from orchestration.serving import connect, sqlalchemy_engine
from orchestration.serving.exports import export_marts
from orchestration.warehouse.settings import REPO_ROOT

QUERIES = sorted((REPO_ROOT / "queries").glob("*.sql"))
PUBLISHED_AS_OF = "2026-11-20 23:59:59"  # the moment queries/published_as_of.sql asks about

ESCAPES = [
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/hostname')",
    "copy marts.dim_unit to '{tmp}/stolen.csv'",
    "export database '{tmp}/everything'",
    "attach '{tmp}/other.duckdb' as other",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "reset lock_configuration",
    "set threads = 1",
    "create table marts.planted (x integer)",
    "insert into marts.dim_unit values ('x', 'x', 'x', 'x', 1)",
    "delete from marts.fct_indicator_observation",
    "drop table marts.dim_date",
    "create schema planted",
]


@pytest.mark.parametrize("statement", ESCAPES)
def test_every_escape_from_the_locked_down_connection_fails(built_warehouse, tmp_path, statement):
    with connect(built_warehouse) as connection:
        with pytest.raises(duckdb.Error):
            connection.execute(statement.format(tmp=tmp_path))
        assert connection.execute("select count(*) from marts.dim_indicator").fetchone()[0] > 0
    assert list(tmp_path.iterdir()) == []


def test_a_notebook_gets_a_dataframe_in_two_lines(built_warehouse):
    connection = connect(built_warehouse)
    frame = connection.sql("select * from marts.mart_computing_power order by as_of_date").df()
    connection.close()
    dates = list(frame["as_of_date"].astype(str))
    assert dates == sorted(dates) and "2024-12-31" in dates
    nda_2024 = frame[
        (frame.as_of_date.astype(str) == "2024-12-31")
        & (frame.geography_code == "CN")
        & (frame.basis_code == "nda_survey")
    ]
    assert list(nda_2024.total_capacity_eflops) == [280.0]


def test_a_hostile_file_name_is_never_sql(built_warehouse, tmp_path):
    folder = tmp_path / 'it\'s "odd"; drop table marts.dim_date; --'
    folder.mkdir()
    copy = folder / "warehouse.duckdb"
    copy.write_bytes(built_warehouse.read_bytes())
    with connect(copy) as connection:
        assert connection.execute("select count(*) from marts.dim_date").fetchone()[0] > 4000
    assert {path.name for path in export_marts(copy, folder / "exports")} >= {"dim_date.csv", "dim_date.parquet"}


def test_sqlalchemy_reflects_the_marts_with_their_types(built_warehouse):
    engine = sqlalchemy_engine(built_warehouse)
    inspector = sqlalchemy.inspect(engine)
    schemas = inspector.get_schema_names()
    tables = set(inspector.get_table_names(schema="marts"))
    columns = {c["name"]: type(c["type"]) for c in inspector.get_columns("fct_indicator_observation", schema="marts")}
    engine.dispose()  # DuckDB allows one configuration per file and process; the pool would hold a connection
    assert "warehouse.marts" in schemas
    assert {"fct_indicator_observation", "dim_date", "fct_consistency_check"} <= tables
    assert issubclass(columns["value_canonical"], sqlalchemy.Float)
    assert issubclass(columns["period_end"], sqlalchemy.Date)
    assert issubclass(columns["is_forecast"], sqlalchemy.Boolean)
    assert issubclass(columns["observation_id"], sqlalchemy.String)


def test_the_duckdb_cli_opens_the_published_file_read_only(built_warehouse):
    cli = Path(sys.executable).with_name("duckdb")
    completed = subprocess.run(
        [
            str(cli),
            "-readonly",
            "-csv",
            str(built_warehouse),
            "-c",
            "select value_canonical from marts.fct_indicator_observation "
            "where indicator_code = 'total_computing_capacity' and source_id = 'nda_computing_2024'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["value_canonical", "280.0"]
    version = subprocess.run([str(cli), "-version"], capture_output=True, text=True, check=True).stdout
    assert duckdb.__version__ in version  # the CLI and the library that writes the file are the same version


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_the_example_queries_run(built_warehouse, query):
    sql = query.read_text()
    if query.stem == "published_as_of":  # asked about now: the built warehouse was published minutes ago
        sql = sql.replace(PUBLISHED_AS_OF, datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"))
    with connect(built_warehouse) as connection:
        result = connection.execute(sql)
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    assert rows, f"{query.name} returned nothing"
    if query.stem == "latest_value_per_indicator":
        latest = {row[0]: row for row in rows}
        assert latest["intelligent_computing_capacity"][3] == pytest.approx(1590)
        assert "forecast" not in columns
    if query.stem == "consistency_findings":
        assert rows[0][2] == "fail" and "intelligent_growth_2025" in {row[0] for row in rows}
    if query.stem == "known_as_of":
        # On 2026-01-01 the survey of 2025 (published 2026-04-29) was not out: in FP16, 788 EFLOPS (June 2025) was
        # the latest; in the NDA survey, 90 EFLOPS (2024).
        known = {(row[0], row[1]): row for row in rows}
        assert known[("intelligent_computing_capacity", "fp16")][3] == pytest.approx(788)
        assert known[("intelligent_computing_capacity", "nda_survey")][3] == pytest.approx(90)
        assert all(row[7] <= datetime.date(2026, 1, 1) for row in rows)
    if query.stem == "intelligent_computing_by_basis":
        by_basis = {(row[0], str(row[1])): row[2] for row in rows}
        assert by_basis[("NDA survey", "2024-12-31")] == pytest.approx(90)
        assert by_basis[("FP16 (half precision)", "2025-06-30")] == pytest.approx(788)
        assert by_basis[("FP16 (half precision)", "2025-12-31")] == pytest.approx(1590)
    if query.stem == "conflicts":
        assert columns[:2] == ["conflict_id", "sentence"] and "intelligent_growth_2025#1" in {row[0] for row in rows}


def test_exports_hold_every_mart_row_for_row(built_warehouse, tmp_path):
    written = export_marts(built_warehouse, tmp_path)
    with connect(built_warehouse) as warehouse, duckdb.connect() as reader:
        marts = [
            r[0]
            for r in warehouse.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        assert {p.name for p in written} == {f"{t}{s}" for t in marts for s in (".parquet", ".csv")}
        for table in marts:
            expected = warehouse.execute(f"select count(*) from marts.{table}").fetchone()[0]
            for suffix in (".parquet", ".csv"):
                path = str(tmp_path / f"{table}{suffix}")
                assert reader.execute("select count(*) from query_table(?)", [path]).fetchone()[0] == expected
