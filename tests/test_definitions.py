"""The Dagster definitions load, validate, and show the lineage from every seed file to every mart."""

import dagster as dg

from orchestration.definitions import defs


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
