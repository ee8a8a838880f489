"""The dbt project as Dagster sees it."""

from dagster_dbt import DbtProject
from filelock import FileLock

from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from orchestration.transform.dbt_cli import OfflineDbtCliResource

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def parse_under_dagster_dev() -> None:
    """Under `dagster dev`, rebuild the manifest from the current SQL at each load, so that edits show on reload;
    elsewhere `make` has built it (dbt parse). This is DbtProject.prepare_if_dev(), run through the offline dbt CLI
    resource: dagster-dbt's own asks pypi.org for dbt's version first."""
    if not dbt_project.preparer.using_dagster_dev():
        return
    # The code server and a run worker can load the definitions at the same moment.
    with FileLock(dbt_project.manifest_path.with_suffix(".lock"), timeout=120):
        dbt = OfflineDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))
        dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


parse_under_dagster_dev()
