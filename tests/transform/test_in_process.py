"""dbt run inside the process (orchestration/transform/in_process.py, what `make watch` uses) against dbt run as a
process of its own (dagster-dbt's way): the same refresh of the same edit gives the same materializations, the same
check results and the same marts."""

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.automation.definitions import build_definitions
from orchestration.automation.refreshing import Refreshed, refresh_once
from orchestration.transform.in_process import in_process_dbt
from tests.conftest import copy_of, copy_seeds, make_warehouse

pytestmark = pytest.mark.slow
# Columns that name the run or the moment that published a row: they differ between any two runs.
RUN_COLUMNS = ("run_id", "recorded_from", "recorded_until", "published_at")


def _refreshed_after_an_edit(built: Path, root: Path, dbt) -> tuple[Refreshed, dict[str, dict], Path]:
    """A copy of the built warehouse, one figure edited, refreshed as `refresh --changed` does; what the run did, the
    metadata of each asset it materialized, and the published file."""
    copy_of(built, root)
    seeds = copy_seeds(root / "seeds")
    observations = seeds / "observations.csv"
    observations.write_text(observations.read_text().replace(",1.2,trillion_CNY,", ",1.25,trillion_CNY,", 1))
    warehouse = make_warehouse(root, seeds_dir=seeds)
    with dg.DagsterInstance.ephemeral() as instance:
        done = refresh_once(build_definitions(warehouse, dbt=dbt), instance, changed_only=True)
        materialized = {
            record.asset_key.to_user_string(): dict(record.asset_materialization.metadata)
            for record in instance.get_records_for_run(
                done.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
        }
    return done, materialized, root / "data" / "warehouse.duckdb"


@pytest.fixture(scope="module")
def both_ways(built, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dbt_both_ways")
    return (
        _refreshed_after_an_edit(built, folder / "process", None),
        _refreshed_after_an_edit(built, folder / "in_process", in_process_dbt()),
    )


def test_both_ways_materialize_the_same_assets_with_the_same_tables(both_ways):
    (process, by_process, _), (in_process, by_in_process, _) = both_ways

    assert process.success and in_process.success, process.messages + in_process.messages
    assert "marts/mart_conflict" in by_process
    assert set(by_in_process) == set(by_process)
    for asset, metadata in by_process.items():
        assert set(by_in_process[asset]) == set(metadata), asset
        for key in ("dagster/row_count", "dagster/column_schema"):
            assert by_in_process[asset].get(key) == metadata.get(key), (asset, key)


def test_both_ways_evaluate_the_same_checks_with_the_same_outcomes(both_ways):
    (process, _, _), (in_process, _, _) = both_ways

    assert len(process.records) > 90
    assert sorted(in_process.records, key=repr) == sorted(process.records, key=repr)


def test_both_ways_publish_the_same_marts(both_ways):
    (_, _, by_process), (_, _, by_in_process) = both_ways

    with duckdb.connect() as connection:
        connection.execute(f"attach '{by_process}' as process (read_only)")
        connection.execute(f"attach '{by_in_process}' as in_process (read_only)")
        tables = connection.execute(
            "select table_name from duckdb_tables() where database_name = 'process' and schema_name = 'marts'"
        ).fetchall()
        assert len(tables) > 10
        for (table,) in tables:
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from duckdb_columns() where database_name = 'process' and schema_name = "
                    "'marts' and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if not name.endswith(RUN_COLUMNS)
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            for one, other in (("process", "in_process"), ("in_process", "process")):
                missing = connection.execute(
                    f"select count(*) from (select {listed} from {one}.marts.{table} "
                    f"except all select {listed} from {other}.marts.{table})"
                ).fetchone()[0]
                assert missing == 0, f"{table}: {missing} row(s) of {one} not in {other}"
