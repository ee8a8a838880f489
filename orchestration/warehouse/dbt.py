"""The dbt project as every stage sees it: where it is, its manifest (the seed files' contract and the models'
descriptions), the asset key of each of its nodes, and the dbt CLI resource that runs it offline."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock
from packaging import version

from orchestration.warehouse.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# What a refresh builds: models and data tests, not unit tests. Unit tests check the models' logic on fixed inputs,
# so their outcome cannot change with the data; `make test` runs them (tests/test_end_to_end.py), as dbt recommends
# for unit tests, and every refresh is spared their cost.
REFRESH_BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """`variables` set in this process while the block runs (DbtCliResource passes the process's environment to
    dbt), and put back as they were afterwards."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class OfflineDbtCliResource(DbtCliResource):
    """Runs dbt exactly as DbtCliResource does, minus two things it does before every dbt command:

    - `dbt --version`, to learn the CLI's version: that command asks pypi.org for the latest release, a network call
      at run time (and ~2 s). The dbt executable is the one installed beside dbt-core in this venv, so the installed
      package's version is the CLI's.
    - an in-process dbt adapter (~3 s of imports and project loading), which only serves `fetch_column_metadata` and
      `fetch_row_counts`. The dbt assets describe their tables themselves once dbt has exited and let go of the file.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_cli() -> OfflineDbtCliResource:
    return OfflineDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))


def manifest() -> dict:
    """The project's manifest (dbt parse writes it; `make` runs that before anything else)."""
    return json.loads(dbt_project.manifest_path.read_text())


def asset_key(dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
    """A dbt node's asset key: <schema>/<name> (raw/observations, marts/dim_source)."""
    return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])


def model_keys(schema: str) -> list[dg.AssetKey]:
    """The asset keys of every model built in one schema, from the manifest."""
    nodes = manifest()["nodes"].values()
    return sorted(
        (asset_key(node) for node in nodes if node["resource_type"] == "model" and node["schema"] == schema),
        key=lambda key: key.to_user_string(),
    )


def prepare_manifest() -> None:
    """Build the manifest where it is missing (a fresh checkout), and under `dagster dev` rebuild it from the current
    SQL at each load, so that edits show on reload; elsewhere `make` keeps it current (dbt parse). This is
    DbtProject.prepare_if_dev(), run through the offline dbt CLI resource: dagster-dbt's own asks pypi.org for dbt's
    version first."""
    if dbt_project.manifest_path.exists() and not dbt_project.preparer.using_dagster_dev():
        return
    # The code server and a run worker can load the definitions at the same moment.
    dbt_project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(dbt_project.manifest_path.with_suffix(".lock"), timeout=120):
        dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


prepare_manifest()
