"""dbt run through Dagster stays offline: no `dbt --version` (which asks pypi.org), under `dagster dev` too."""

import shutil
import subprocess

import pytest

from orchestration.warehouse.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tests.conftest import fresh_checkout, proxy_settings


@pytest.mark.slow
def test_dagster_dev_reparses_the_project_without_reaching_the_network(proxy_trap, tmp_path):
    # In a copy of the repository: a parse rewrites target/manifest.json, which the other tests' processes read.
    checkout = fresh_checkout(tmp_path / "checkout")
    manifest = checkout / "dbt_project" / "target" / "manifest.json"
    manifest.parent.mkdir()
    shutil.copy2(DBT_PROJECT_DIR / "target" / "manifest.json", manifest)
    proxy, attempts = proxy_trap
    before = manifest.stat().st_mtime_ns
    completed = subprocess.run(
        [str(DBT_EXECUTABLE.with_name("python")), "-c", "import orchestration.warehouse.dbt"],
        cwd=checkout,
        env={"PATH": "/usr/bin:/bin", "DAGSTER_IS_DEV_CLI": "1", **proxy_settings(proxy)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert manifest.stat().st_mtime_ns > before, "under `dagster dev` the manifest is rebuilt from the SQL"
    assert attempts == [], "dbt or dagster-dbt tried to reach the network"
