"""dbt without Dagster: on a fresh checkout, after the one documented command (`make dbt-dev`), `dbt build`,
`dbt compile` and sqlfluff work in dbt_project/ against dbt's development file, and never touch a published
warehouse."""

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse.settings import DBT_EXECUTABLE
from tests.conftest import fresh_checkout

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_PATH", "SEEDS_DIR", "WORK_DIR")}
    completed = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, f"{' '.join(command)}:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
    return completed


def test_dbt_builds_compiles_and_lints_standalone_after_one_command(tmp_path):
    checkout = fresh_checkout(tmp_path / "checkout")
    venv = DBT_EXECUTABLE.parent
    project = checkout / "dbt_project"
    assert not (project / "target").exists()

    # What `make dbt-dev` runs (make would also create the venv and parse the project first).
    loaded = run([str(venv / "python"), "-m", "orchestration", "dev-warehouse"], cwd=checkout)
    figures = len((checkout / "seeds" / "observations.csv").read_text().strip().splitlines()) - 1  # the header
    assert f"raw.observations: {figures} rows from observations.csv" in loaded.stdout

    run([str(venv / "dbt"), "build", "--quiet", "--profiles-dir", "."], cwd=project)
    run([str(venv / "dbt"), "compile", "--quiet", "--profiles-dir", "."], cwd=project)
    run([str(venv / "sqlfluff"), "lint", "models/marts/dim_date.sql", "models/staging"], cwd=project)

    with duckdb.connect(str(project / "target" / "dev" / "warehouse.duckdb"), read_only=True) as connection:
        [(total,)] = connection.execute(
            "select value_canonical from marts.fct_indicator_observation "
            "where indicator_code = 'total_computing_capacity' and period_end = '2024-12-31' "
            "and source_id = 'nda_computing_2024'"
        ).fetchall()
    assert total == 280.0
    assert not (checkout / "data").exists(), "the standalone dbt path created or touched a published warehouse"
