"""The benchmark's seed generator and harness: deterministic, valid input, and a small run that keeps them working."""

import json

import duckdb
import pytest

from benchmarks.editing import measure_edits
from benchmarks.generate import generate
from benchmarks.measure import BI_QUERIES, measure
from benchmarks.report import editing_table, write_report
from orchestration.ingest.loading import load_seed_file
from orchestration.ingest.seed_tables import seed_tables_from_manifest
from orchestration.ingest.validation import check_seed_table
from orchestration.warehouse.dbt import dbt_project
from orchestration.warehouse.files import file_sha256
from tests.conftest import REPO_SEEDS


@pytest.fixture(scope="module")
def seeds_10k(tmp_path_factory):
    return generate("10k", tmp_path_factory.mktemp("bench"))


def test_the_generator_is_deterministic(seeds_10k, tmp_path):
    again = generate("10k", tmp_path)
    files = sorted(path.name for path in seeds_10k.iterdir())
    assert files == sorted(path.name for path in again.iterdir())
    assert {name: file_sha256(seeds_10k / name) for name in files} == {
        name: file_sha256(again / name) for name in files
    }


def test_the_generated_seeds_pass_the_input_contracts(seeds_10k):
    tables = seed_tables_from_manifest(json.loads(dbt_project.manifest_path.read_text()))
    with duckdb.connect() as connection:
        catalogs = ["units", "indicators", "geographies", "sources", "bases", "bodies"]
        order = [*catalogs, "observations", "consistency_rules"]
        by_name = {table.name: table for table in tables}
        for name in order:
            assert load_seed_file(connection, by_name[name], seeds_10k / f"{name}.csv").row_count > 0
        for name in order:
            outcome = check_seed_table(connection, by_name[name], seeds_10k / f"{name}.csv")
            assert outcome.passed, outcome.summary()
        assert connection.execute("select count(*) from raw.observations").fetchone() == (10_000,)
        provinces = connection.execute("select count(*) from raw.geographies where level = 'province'").fetchone()
        assert provinces == (31,)


@pytest.mark.slow
def test_a_small_benchmark_run_measures_every_figure(seeds_10k, tmp_path):
    figures = measure("10k", seeds_10k, tmp_path / "work", ratio_repeats=1)  # the harness, not the figures

    for key in (
        "load_loader_s",
        "load_duckdb_alone_s",
        "contracts_s_per_million",
        "full_refresh_s",
        "dbt_build_s",
        "direct_sql_s",
        "noop_refresh_s",
        "one_file_changed_refresh_s",
        "full_refresh_peak_rss_mib",
        "consistency_s",
        "dbt_nodes",
        "dbt_statements",
        "dbt_statements_s",
    ):
        assert figures[key] > 0, key
    assert figures["rows"] == 10_000
    manifest = json.loads(dbt_project.manifest_path.read_text())
    built = [node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "test", "operation")]
    assert figures["dbt_nodes"] == len(built)  # a full refresh's nodes, not those of the one-file-changed refresh
    for name in (*BI_QUERIES, "floor"):
        latency = figures[f"query_{name}"]
        assert 0 < latency["median_ms"] <= latency["p95_ms"]

    report = tmp_path / "benchmarks.md"
    write_report([figures], report)
    text = report.read_text()
    assert "| full refresh / dbt build |" in text and "10k (10,000 rows)" in text
    assert "On Apache Spark" not in text  # measured only by `make bench`, with Spark installed


@pytest.mark.slow
def test_an_edited_figure_is_timed_both_ways_until_published(tmp_path):
    figures = measure_edits(REPO_SEEDS, tmp_path / "work", edits=1)  # the harness, not the figures

    assert figures["edits"] == 1 and figures["edit_rows"] > 200
    for key in ("edit_refresh_changed_s", "edit_watch_s", "edit_dbt_in_process_s"):
        assert figures[key] > 0, key
    assert figures["edit_dbt_in_process_s"] < figures["edit_refresh_changed_s"]
    lines = editing_table([{"seed_set": "repository", **figures}])
    [row] = [line for line in lines if line.startswith("| repository |")]
    assert f"| {figures['edit_watch_s']:.1f} | ≤ 2 s |" in row
