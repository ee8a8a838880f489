"""How dbt resources appear in Dagster: keyed and grouped by warehouse layer, owned, and with freshness for marts."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

from orchestration.warehouse.dbt import asset_key
from orchestration.warehouse.settings import OWNERS

LAYERS = ("staging", "intermediate", "marts")
# The daily refresh runs every 24 hours; a mart older than this has missed more than one.
MART_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=36), warn_window=timedelta(hours=26))


class LayerTranslator(DagsterDbtTranslator):
    """Keys assets <schema>/<name> (raw/observations, marts/dim_source); groups them by folder, or by the model's
    `meta.dagster.group` (the consistency models are in the `consistency` group)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        group = (dbt_resource_props.get("meta") or {}).get("dagster", {}).get("group")
        if group:
            return group
        folder = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else None
        return folder if folder in LAYERS else None

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "layer": dbt_resource_props["schema"]}

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == "marts":
            spec = spec.replace_attributes(freshness_policy=MART_FRESHNESS)
        return spec
