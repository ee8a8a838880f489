"""How dbt resources appear in Dagster: keyed and grouped by warehouse layer."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

LAYERS = ("staging", "intermediate", "marts")


class LayerTranslator(DagsterDbtTranslator):
    """Keys assets <schema>/<name> (raw/observations, marts/dim_source) and groups models by their folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folder = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else None
        return folder if folder in LAYERS else None
