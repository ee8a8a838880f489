"""dbt run through Dagster stays offline: no `dbt --version` (which asks pypi.org), under `dagster dev` too."""

import subprocess

from orchestration.warehouse.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, REPO_ROOT
from tests.conftest import proxy_settings


def test_dagster_dev_reparses_the_project_without_reaching_the_network(proxy_trap):
    proxy, attempts = proxy_trap
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    before = manifest.stat().st_mtime_ns
    completed = subprocess.run(
        [str(DBT_EXECUTABLE.with_name("python")), "-c", "import orchestration.warehouse.dbt"],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "DAGSTER_IS_DEV_CLI": "1", **proxy_settings(proxy)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert manifest.stat().st_mtime_ns > before, "under `dagster dev` the manifest is rebuilt from the SQL"
    assert attempts == [], "dbt or dagster-dbt tried to reach the network"
