"""The Dagster definitions load, validate (in Python and with `dg`), and show the lineage from every seed file to
every mart."""

import json
import os
import subprocess

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.warehouse.settings import DBT_EXECUTABLE, REPO_ROOT
from tests.conftest import proxy_settings


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


def test_published_warehouse_waits_for_every_mart():
    graph = defs.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert graph.get(dg.AssetKey("published_warehouse")).parent_keys == marts


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
