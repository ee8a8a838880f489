"""A full refresh of the repository's seeds into a temporary warehouse, queried as an analyst would."""

import csv
import json
import os
import subprocess

import duckdb
import pytest

from orchestration.engines.duckdb import run_environment
from orchestration.warehouse.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, REPO_ROOT

# The sources of the two texts the first seeds were read from (the two articles and the reports they cite).
SOURCE_TEXTS = ("ndrs_2025", "ccpc_2025", "nda_computing_2024")
# Every figure of the two source documents: (indicator, value as reported, unit as reported, qualifier, period end).
# "Inference data overtook training data" gives no number for training: it is a consistency rule, not a figure.
SOURCE_FIGURES = [
    ("ai_core_industry_value", 1.2, "trillion_CNY", "more_than", "2025-12-31"),
    ("ai_inference_data_volume", 101.34, "EB", "exact", "2025-12-31"),
    ("ai_daily_token_calls", 1, "trillion_tokens_per_day", "more_than", "2025-01-01"),
    ("ai_daily_token_calls", 100, "trillion_tokens_per_day", "exact", "2025-12-31"),
    ("ai_token_calls_cumulative", 21100, "trillion_tokens", "about", "2025-12-31"),
    ("intelligent_computing_capacity", 1.59, "million_PFLOPS", "exact", "2025-12-31"),
    ("high_quality_datasets", 110000, "count", "more_than", "2025-12-31"),
    ("hub_share_of_new_computing", 80, "percent", "more_than", "2025-12-31"),
    ("info_services_fai_growth_yoy", 28.4, "percent", "exact", "2025-12-31"),
    ("digital_economy_core_gdp_share", 10.5, "percent", "more_than", "2025-12-31"),
    ("intelligent_computing_growth_yoy", 40, "percent", "more_than", "2025-12-31"),
    ("total_computing_growth_yoy", 30, "percent", "about", "2025-08-22"),
    ("intelligent_computing_capacity", 788, "EFLOPS", "exact", "2025-06-30"),
    ("intelligent_computing_capacity", 90, "EFLOPS", "exact", "2024-12-31"),
    ("total_computing_capacity", 280, "EFLOPS", "exact", "2024-12-31"),
    ("intelligent_computing_share", 32, "percent", "exact", "2024-12-31"),
    ("innovative_computing_projects", 23000, "count", "more_than", "2025-08-22"),
    ("provincial_platforms_integrated", 10, "count", "exact", "2025-08-22"),
    ("operator_computing_investment_growth", 20, "percent", "more_than", "2025-08-22"),
    ("ai_gdp_contribution", 11, "trillion_CNY", "more_than", "2035-12-31"),
]


def seed_figure_count() -> int:
    with (REPO_ROOT / "seeds" / "observations.csv").open(encoding="utf-8", newline="") as rows:
        return sum(1 for _ in csv.DictReader(rows))


def test_total_computing_capacity_2024_is_280_eflops_in_the_nda_survey(warehouse_sql):
    assert warehouse_sql(
        "select value_canonical, canonical_unit, period_end::varchar, basis_code from marts.fct_indicator_observation "
        "where indicator_code = 'total_computing_capacity' and source_id = 'nda_computing_2024'"
    ) == [(280.0, "EFLOPS", "2024-12-31", "nda_survey")]


def test_1_59_million_pflops_is_1590_eflops(warehouse_sql):
    assert warehouse_sql(
        "select value_reported, unit_reported, value_canonical, canonical_unit "
        "from marts.fct_indicator_observation where source_id = 'ndrs_2025' "
        "and indicator_code = 'intelligent_computing_capacity'"
    ) == [(1.59, "million_PFLOPS", pytest.approx(1590.0), "EFLOPS")]


@pytest.mark.parametrize(("indicator", "value", "unit", "qualifier", "period_end"), SOURCE_FIGURES)
def test_every_figure_of_the_source_documents_is_in_the_warehouse(
    warehouse_sql, indicator, value, unit, qualifier, period_end
):
    rows = warehouse_sql(
        "select count(*) from marts.fct_indicator_observation where indicator_code = ? and value_reported = ? "
        "and unit_reported = ? and qualifier = ? and period_end = ?::date and list_contains(?, source_id)",
        [indicator, value, unit, qualifier, period_end, list(SOURCE_TEXTS)],
    )
    assert rows == [(1,)]


def test_the_source_texts_give_exactly_their_figures_and_the_warehouse_every_seed_row(warehouse_sql):
    assert warehouse_sql(
        "select count(*) from marts.fct_indicator_observation where list_contains(?, source_id)", [list(SOURCE_TEXTS)]
    ) == [(len(SOURCE_FIGURES),)]
    assert warehouse_sql("select count(*) from marts.fct_indicator_observation") == [(seed_figure_count(),)]


def test_every_observation_joins_its_indicator_source_geography_unit_and_dates(warehouse_sql):
    joined = warehouse_sql(
        """
        select count(*)
        from marts.fct_indicator_observation as fact
        inner join marts.dim_indicator using (indicator_code)
        inner join marts.dim_source using (source_id)
        inner join marts.dim_geography using (geography_code)
        inner join marts.dim_unit on fact.unit_reported = dim_unit.unit_code
        inner join marts.dim_date as start_day on fact.period_start = start_day.date_day
        inner join marts.dim_date as end_day on fact.period_end = end_day.date_day
        where dim_indicator.canonical_unit = fact.canonical_unit
        """
    )
    assert joined == [(seed_figure_count(),)]


def test_qualifiers_become_bounds(warehouse_sql):
    bounds = dict(
        (row[0], row[1:])
        for row in warehouse_sql(
            "select observation_id, lower_bound_canonical, upper_bound_canonical from marts.fct_indicator_observation"
        )
    )
    assert bounds["nda24-total-capacity-2024"] == (279.5, 280.5)
    assert bounds["ndrs25-datasets-2025"] == (110000.0, None)
    assert bounds["ndrs25-hub-share-2025"] == (80.0, 100.0)


def test_computing_power_mart_shows_the_2024_share_on_one_basis(warehouse_sql):
    row = warehouse_sql(
        "select intelligent_capacity_eflops, total_capacity_eflops, reported_intelligent_share_percent, "
        "implied_intelligent_share_percent, intelligent_capacity_source_id, total_capacity_source_id "
        "from marts.mart_computing_power where as_of_date = '2024-12-31' and geography_code = 'CN' "
        "and basis_code = 'nda_survey'"
    )
    assert row == [(90.0, 280.0, 32.0, pytest.approx(32.142857), "ccpc_2025", "nda_computing_2024")]
    # IDC's 725.3 EFLOPS (FP16) is never set against the NDA survey's 280 EFLOPS: no row mixes two bases.
    assert warehouse_sql(
        "select count(*) from marts.mart_computing_power where intelligent_capacity_eflops > total_capacity_eflops"
    ) == [(0,)]


def test_total_computing_capacity_and_daily_token_calls_are_series_with_their_growth_checked(warehouse_sql):
    total = warehouse_sql(
        "select year(period_end), value_canonical from marts.mart_indicator_series "
        "where indicator_code = 'total_computing_capacity' and geography_code = 'CN' and basis_code = 'unspecified' "
        "order by period_end"
    )
    assert (2022, 180.0) in total and (2023, 230.0) in total and (2024, 280.0) in total
    calls = warehouse_sql(
        "select period_end::varchar, value_canonical from marts.mart_indicator_series "
        "where indicator_code = 'ai_daily_token_calls' and geography_code = 'CN' order by period_end"
    )
    assert calls[0] == ("2024-01-31", 1e11) and calls[-1] == ("2026-03-31", 1.4e14)
    # The stated rates are tested against the levels: 9.4 % (first half of 2023) holds, 27.8 % (2023) holds on
    # 180 -> 230 EFLOPS, 16.5 % (2024) is a conflict with 230 -> 280 EFLOPS.
    statuses = dict(
        warehouse_sql(
            "select figures.value_reported, list_sort(list_distinct(list(checks.status)))"
            " from marts.fct_consistency_check as checks"
            " inner join marts.fct_consistency_check_observation as bridge using (check_id)"
            " inner join marts.fct_indicator_observation as figures using (observation_id)"
            " where bridge.role = 'growth' and figures.indicator_code like 'total_computing_growth%'"
            " and figures.value_reported in (9.4, 27.8, 16.5) group by all"
        )
    )
    assert statuses[9.4] == ["pass"]
    assert "pass" in statuses[27.8] and "fail" in statuses[16.5]


def test_schemas_are_exactly_the_layers_and_the_audit_area(warehouse_sql):
    schemas = {row[0] for row in warehouse_sql("select distinct table_schema from information_schema.tables")}
    assert schemas == {"raw", "staging", "intermediate", "marts", "audit"}


def test_published_file_is_complete_without_a_wal(built_warehouse):
    assert not built_warehouse.with_name(built_warehouse.name + ".wal").exists()


def test_the_dbt_unit_tests_pass(built_warehouse, tmp_path):
    # dbt unit tests need the upstream relations to exist: run them on a copy of the built warehouse.
    scratch = tmp_path / built_warehouse.name
    scratch.write_bytes(built_warehouse.read_bytes())
    completed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **run_environment(scratch)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    unit_test_count = len(manifest["unit_tests"])
    hooks = sum(node["resource_type"] == "operation" for node in manifest["nodes"].values())  # on-run-start
    assert unit_test_count >= 8 and f"PASS={unit_test_count + hooks} " in completed.stdout


def test_the_command_line_refresh_publishes_to_warehouse_path_without_reaching_the_network(built):
    """The session's warehouse was built by `python -m orchestration refresh`, run from a folder outside the
    repository with every HTTP(S) connection sent to a local listener (tests/conftest.py)."""
    assert f"Published {built / 'data' / 'warehouse.duckdb'}" in (built / "refresh.out").read_text()
    with duckdb.connect(str(built / "data" / "warehouse.duckdb"), read_only=True) as connection:
        indicators = connection.execute("select count(*) from marts.dim_indicator").fetchone()[0]
    assert indicators == len((REPO_ROOT / "seeds" / "indicators.csv").read_text().strip().splitlines()) - 1
    attempts = json.loads((built / "network_attempts.json").read_text())
    assert attempts == [], "the refresh (or dbt, or a library under it) tried to reach the network"
