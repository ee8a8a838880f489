"""dagster-dbt's dbt CLI resource, kept offline and without work this warehouse does not use."""

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


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
