"""The daily schedule, the seed-file sensor and the failed-run sensor, evaluated with Dagster's test utilities."""

import json
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.automation.definitions import build_definitions
from orchestration.automation.sensors import seed_files_changed
from orchestration.warehouse.engine import START_FROM_TAG
from orchestration.warehouse.files import csv_checksums
from tests.conftest import copy_seeds, make_warehouse, record_failure, refresh


@pytest.fixture()
def seeds_and_defs(tmp_path):
    seeds = copy_seeds(tmp_path / "seeds")
    warehouse = make_warehouse(tmp_path, seeds_dir=seeds)
    return seeds, warehouse, build_definitions(warehouse)


@pytest.fixture()
def published_seeds_and_defs(published_before):
    """The same over a copy of the built warehouse, published once from the seeds."""
    return Path(published_before.seeds_dir), published_before, build_definitions(published_before)


def evaluate_sensor(defs: dg.Definitions, warehouse, cursor: str | None) -> dg.SensorResult:
    with dg.build_sensor_context(cursor=cursor, definitions=defs, resources={"warehouse": warehouse}) as context:
        return seed_files_changed(context)


def test_the_daily_schedule_requests_a_full_refresh(seeds_and_defs):
    _, _, defs = seeds_and_defs
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "Asia/Shanghai")

    result = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 23, 6)))

    [request] = result.run_requests
    assert schedule.job_name == "refresh_warehouse"
    job = defs.resolve_job_def("refresh_warehouse")
    assert job.tags[START_FROM_TAG] == "empty"
    assert request.asset_selection is None  # the job's own selection: every asset


def test_an_unchanged_seed_folder_requests_nothing(seeds_and_defs):
    seeds, warehouse, defs = seeds_and_defs
    cursor = json.dumps(csv_checksums(seeds))

    result = evaluate_sensor(defs, warehouse, cursor)

    assert result.run_requests == [] and result.skip_reason.skip_message == "no seed file changed"


def test_one_changed_file_requests_exactly_its_downstream_assets(seeds_and_defs):
    seeds, warehouse, defs = seeds_and_defs
    cursor = json.dumps(csv_checksums(seeds))
    rules = seeds / "consistency_rules.csv"
    rules.write_text(rules.read_text().replace(",warn,", ",error,", 1))

    result = evaluate_sensor(defs, warehouse, cursor)

    [request] = result.run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    expected = {
        "raw/consistency_rules",
        "staging/stg_seeds__consistency_rules",
        "intermediate/int_consistency_share_of_total",
        "intermediate/int_consistency_part_within_whole",
        "intermediate/int_consistency_growth_consistency",
        "intermediate/int_consistency_level_within_growth_path",
        "intermediate/int_consistency_cumulative_within_rate_bounds",
        "intermediate/int_consistency_cross_source_agreement",
        "intermediate/int_consistency_ordering",
        "intermediate/int_consistency_reported_before_publication",
        "marts/fct_consistency_check",
        "marts/fct_consistency_check_observation",
        "intermediate/int_conflict_claims",
        "marts/mart_conflict",
        "marts/mart_indicator_series",
        # has_conflict: a figure's flag follows the rules it takes part in
        "marts/fct_indicator_observation",
        "marts/mart_latest_indicator_value",
        "marts/mart_computing_power",
        "marts/mart_indicator_revision",
        "marts/fct_indicator_observation_history",
        "published_warehouse",
        "data_page",
    }
    assert selected == expected
    assert request.tags["warehouse/changed_files"] == "consistency_rules.csv"
    assert START_FROM_TAG not in request.tags  # starts from a copy of the published warehouse
    assert json.loads(result.cursor)["consistency_rules.csv"] == csv_checksums(seeds)["consistency_rules.csv"]


def test_a_changed_file_checks_again_the_contracts_that_read_its_codes(seeds_and_defs):
    """A line dropped from indicators.csv fails at the contract of the observations that use it, though
    observations.csv itself is not reloaded or rebuilt."""
    seeds, warehouse, defs = seeds_and_defs
    cursor = json.dumps(csv_checksums(seeds))
    indicators = seeds / "indicators.csv"
    indicators.write_text(indicators.read_text().replace("Installed intelligent", "Installed AI", 1))

    [request] = evaluate_sensor(defs, warehouse, cursor).run_requests

    checks = {key.to_user_string() for key in request.asset_check_keys}
    assert {"raw/indicators:input_contract", "raw/observations:input_contract"} <= checks
    assert "raw/geographies:input_contract" not in checks  # reads no indicator
    assert dg.AssetKey(["raw", "observations"]) not in request.asset_selection


def test_a_new_seed_file_requests_all_of_its_downstream(seeds_and_defs):
    seeds, warehouse, defs = seeds_and_defs
    cursor = {name: checksum for name, checksum in csv_checksums(seeds).items() if name != "observations.csv"}

    result = evaluate_sensor(defs, warehouse, json.dumps(cursor))

    [request] = result.run_requests
    graph = defs.resolve_asset_graph()
    downstream = dg.AssetSelection.assets(dg.AssetKey(["raw", "observations"])).downstream().resolve(graph)
    assert set(request.asset_selection) == downstream
    assert dg.AssetKey(["marts", "fct_indicator_observation"]) in downstream


def test_a_deleted_file_is_reported_and_requests_nothing(seeds_and_defs):
    seeds, warehouse, defs = seeds_and_defs
    cursor = json.dumps(csv_checksums(seeds))
    (seeds / "geographies.csv").unlink()

    result = evaluate_sensor(defs, warehouse, cursor)

    assert result.run_requests == []
    assert "deleted seed file(s): geographies.csv" in result.skip_reason.skip_message


def test_the_first_evaluation_compares_with_what_was_published(published_seeds_and_defs):
    seeds, warehouse, defs = published_seeds_and_defs
    assert evaluate_sensor(defs, warehouse, cursor=None).run_requests == []

    units = seeds / "units.csv"
    units.write_text(units.read_text().replace("exaFLOPS", "exaFLOPS (EFLOPS)"))
    [request] = evaluate_sensor(defs, warehouse, cursor=None).run_requests
    assert dg.AssetKey(["raw", "units"]) in request.asset_selection


def test_a_sensor_run_rebuilds_only_its_downstream_and_publishes_a_whole_warehouse(published_seeds_and_defs):
    seeds, warehouse, defs = published_seeds_and_defs
    cursor = json.dumps(csv_checksums(seeds))
    geographies = seeds / "geographies.csv"
    renamed = geographies.read_text().replace("CN,China,country,", "CN,People's Republic of China,country,")
    geographies.write_text(renamed)
    [request] = evaluate_sensor(defs, warehouse, cursor).run_requests

    result = (
        defs.resolve_implicit_global_asset_job_def()
        .get_subset(asset_selection=set(request.asset_selection))
        .execute_in_process(tags=request.tags, raise_on_error=False)
    )

    assert result.success
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert "raw/geographies" in materialized and "marts/dim_geography" in materialized
    assert "raw/observations" not in materialized and "marts/fct_indicator_observation" not in materialized
    [dimension] = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path == ["marts", "dim_geography"]
    ]
    metadata = dimension.materialization.metadata
    rows = len(geographies.read_text().strip().splitlines()) - 1  # the header
    assert metadata["dagster/row_count"].value == rows
    assert [c.name for c in metadata["dagster/column_schema"].schema.columns][:2] == ["geography_code", "name"]
    [raw] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "geographies"]]
    assert raw.materialization.metadata["dagster/row_count"].value == rows
    assert len(raw.materialization.metadata["sha256"].value) == 64
    with duckdb.connect(warehouse.published_path, read_only=True) as connection:
        assert connection.execute("select name from marts.dim_geography where geography_code = 'CN'").fetchone() == (
            "People's Republic of China",
        )
        figures = len((seeds / "observations.csv").read_text().strip().splitlines()) - 1  # the header
        assert connection.execute("select count(*) from marts.fct_indicator_observation").fetchone()[0] == figures
        assert connection.execute("select count(*) from audit.publish_log").fetchone() == (2,)


@pytest.mark.slow
def test_a_failed_run_is_recorded_for_the_operator(seeds_and_defs):
    seeds, warehouse, _ = seeds_and_defs
    observations = seeds / "observations.csv"
    observations.write_text(observations.read_text().replace(",280,EFLOPS,", ",-280,EFLOPS,"))
    instance = dg.DagsterInstance.ephemeral()
    result = refresh(warehouse, instance=instance)
    assert not result.success
    record_failure(result, instance, warehouse)

    [entry] = [json.loads(line) for line in Path(warehouse.published_path).with_name("failed_runs.jsonl").open()]
    assert entry["run_id"] == result.run_id and entry["job"] == "refresh_warehouse"
    assert entry["failing_steps"] == ["raw__observations_input_contract"]
    assert entry["machine_fault"] is None  # bad data, not the machine
    assert entry["failed_at"]
