"""The Dagster definitions load, validate (in Python and with `dg`), and show the lineage from every seed file to
every mart."""

import json
import os
import subprocess

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.warehouse.settings import DBT_EXECUTABLE, REPO_ROOT
from tests.conftest import REPO_SEEDS, proxy_settings


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)


def test_every_mart_descends_from_the_seed_files_it_reads():
    graph = defs.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert dg.AssetKey(["marts", "fct_indicator_observation"]) in marts
    assert dg.AssetKey(["marts", "mart_computing_power"]) in marts

    ancestors = set()
    frontier = [dg.AssetKey(["marts", "fct_indicator_observation"])]
    while frontier:
        parents = graph.get(frontier.pop()).parent_keys
        frontier.extend(parents - ancestors)
        ancestors |= parents
    assert {dg.AssetKey(["raw", name]) for name in ("observations", "units", "indicators")} <= ancestors
    assert dg.AssetKey(["intermediate", "int_observations_bounded"]) in ancestors


def test_assets_are_grouped_by_layer():
    graph = defs.resolve_asset_graph()
    groups = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups[dg.AssetKey(["raw", "observations"])] == "sources"
    assert groups[dg.AssetKey(["staging", "stg_seeds__observations"])] == "staging"
    assert groups[dg.AssetKey(["intermediate", "int_observations_normalised"])] == "intermediate"
    assert groups[dg.AssetKey(["marts", "dim_indicator"])] == "marts"


def test_published_warehouse_waits_for_every_mart_and_every_seed_file():
    graph = defs.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    loads = {dg.AssetKey(["raw", seed.stem]) for seed in REPO_SEEDS.glob("*.csv")}
    assert graph.get(dg.AssetKey("published_warehouse")).parent_keys == marts | loads


@pytest.mark.parametrize("seed", sorted(path.name for path in REPO_SEEDS.glob("*.csv")))
def test_every_seed_file_is_loaded_and_checked_upstream_of_the_publication(seed):
    """A broken seed file, whatever reads it (a mart, the proposals' catalogs, nothing yet), stops the run before it
    publishes: its load fails, or its blocking input contract does."""
    graph = defs.resolve_asset_graph()
    load = dg.AssetKey(["raw", seed.removesuffix(".csv")])
    assert load in graph.get_all_asset_keys(), f"seeds/{seed} has no load asset"
    contract = dg.AssetCheckKey(load, "input_contract")
    assert graph.get_check_spec(contract).blocking, f"the input contract of seeds/{seed} does not block"
    assert dg.AssetKey("published_warehouse") in dg.AssetSelection.assets(load).downstream().resolve(graph)


def test_the_data_page_follows_every_publication():
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey("data_page")).parent_keys == {dg.AssetKey("published_warehouse")}
    assert dg.AssetKey("data_page") in defs.resolve_job_def("refresh_warehouse").asset_layer.executable_asset_keys


@pytest.mark.slow
def test_dg_checks_and_lists_the_code_location_without_reaching_the_network(proxy_trap):
    proxy, attempts = proxy_trap
    dg_cli = str(DBT_EXECUTABLE.with_name("dg"))
    environment = {**os.environ, **proxy_settings(proxy), "DAGSTER_DISABLE_TELEMETRY": "1"}

    checked = subprocess.run(
        [dg_cli, "check", "defs"], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]

    listed = subprocess.run(
        [dg_cli, "list", "defs", "--json"], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr[-3000:]
    definitions = json.loads(listed.stdout)
    assets = {asset["asset_key"] for asset in definitions["assets"]}
    assert {"raw/observations", "marts/fct_consistency_check", "published_warehouse"} <= assets
    assert {job["name"] for job in definitions["jobs"]} >= {"refresh_warehouse"}
    assert attempts == [], "dg tried to reach the network"
