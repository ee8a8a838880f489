"""The dbt project as Dagster sees it."""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# Under `dagster dev` the manifest is rebuilt from the current SQL; elsewhere `make` has built it (dbt parse).
dbt_project.prepare_if_dev()
