"""Superset for real: `make serve` and `make superset` started as a newcomer would, then Superset's REST API logged
into, SQL Lab run on both registered databases, a write refused, and the starter dashboards' charts answering."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import dagster as dg
import pytest
import requests

from orchestration.serving import superset
from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import free_port

pytestmark = pytest.mark.superset

CAPACITY_2024 = (
    "select total_capacity_eflops from marts.mart_computing_power "
    "where as_of_date = date '2024-12-31' and geography_code = 'CN' and basis_code = 'nda_survey'"
)


def make(target: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", target], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def running(built_warehouse):
    """`make serve` then `make superset` on a copy of the built warehouse; yields (api session, base URL, env)."""
    try:
        superset.install()
    except subprocess.CalledProcessError as error:
        pytest.skip(f"Apache Superset cannot be installed here (pip failed: {error})")
    # `make serve` may run PostgreSQL as the postgres system user, which must reach the folder: not under pytest's
    # private temporary folder.
    root = Path(tempfile.mkdtemp(prefix="superset-", dir="/tmp"))
    root.chmod(0o755)
    (root / "data").mkdir()
    shutil.copyfile(built_warehouse, root / "data" / "warehouse.duckdb")
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(root / "data" / "warehouse.duckdb"),
        "SERVING_PORT": str(free_port()),
        "SUPERSET_PORT": str(free_port()),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    try:
        served = make("serve", env)
        assert served.returncode == 0, served.stderr[-3000:]
        assert f"port      {env['SERVING_PORT']}" in served.stdout  # how a BI tool connects, as the server says it
        started = make("superset", env)
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-3000:]
        base = f"http://127.0.0.1:{env['SUPERSET_PORT']}"
        over = "over the published DuckDB file (read-only) and the PostgreSQL copy"
        assert f"Superset is running on {base} {over}" in started.stdout
        password = superset.Superset(root / "data" / "superset").credentials()["ADMIN_PASSWORD"]
        assert f"password  {password}" in started.stdout
        api = requests.Session()
        login = api.post(
            f"{base}/api/v1/security/login",
            json={"username": "admin", "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        assert login.status_code == 200, login.text
        api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        api.headers["X-CSRFToken"] = api.get(f"{base}/api/v1/security/csrf_token/", timeout=60).json()["result"]
        api.headers["Referer"] = base
        yield api, base, env
    finally:
        make("superset-stop", env)
        make("serve-stop", env)
        shutil.rmtree(root, ignore_errors=True)


def databases(api, base) -> dict[str, int]:
    answer = api.get(f"{base}/api/v1/database/", timeout=60).json()
    return {database["database_name"]: database["id"] for database in answer["result"]}


def sql_lab(api, base, database_id: int, sql: str) -> requests.Response:
    return api.post(
        f"{base}/api/v1/sqllab/execute/",
        json={"database_id": database_id, "sql": sql, "runAsync": False, "schema": "marts"},
        timeout=120,
    )


def test_superset_listens_on_loopback_only(running):
    _, _, env = running
    port = f"{int(env['SUPERSET_PORT']):04X}"
    listening = [
        line.split()[1]
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        for line in Path(table).read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{port}") and line.split()[3] == "0A"  # 0A: LISTEN
    ]
    assert listening == [f"0100007F:{port}"]


def test_sql_lab_answers_on_both_databases(running):
    api, base, _ = running
    registered = databases(api, base)
    assert set(registered) == {"warehouse (DuckDB, read-only)", "warehouse (DuckDB, read-only) (PostgreSQL copy)"}
    for name, database_id in registered.items():
        answer = sql_lab(api, base, database_id, CAPACITY_2024)
        assert answer.status_code == 200, (name, answer.text)
        assert answer.json()["data"] == [{"total_capacity_eflops": 280.0}], name


def test_a_write_through_the_duckdb_connection_fails(running, tmp_path):
    api, base, _ = running
    duckdb_id = databases(api, base)["warehouse (DuckDB, read-only)"]
    target = tmp_path / "leak.csv"

    refused_by_superset = sql_lab(api, base, duckdb_id, "create table marts.scratch as select 1 as x")
    refused_by_duckdb = sql_lab(api, base, duckdb_id, f"copy (select 1) to '{target}'")  # not DML to Superset

    assert refused_by_superset.status_code != 200 and "DML" in refused_by_superset.text
    assert refused_by_duckdb.status_code != 200
    assert "disabled by configuration" in refused_by_duckdb.text
    assert not target.exists()


def test_the_starter_dashboards_charts_return_data(running):
    api, base, _ = running
    dashboards = api.get(f"{base}/api/v1/dashboard/", timeout=60).json()["result"]
    titles = {dashboard["dashboard_title"]: dashboard["id"] for dashboard in dashboards}
    assert set(titles) == {"China AI computing power: starter", "China AI computing power: starter (PostgreSQL copy)"}
    for title, dashboard_id in titles.items():
        charts = api.get(f"{base}/api/v1/dashboard/{dashboard_id}/charts", timeout=60).json()["result"]
        rows = {}
        for chart in charts:
            answer = api.get(f"{base}/api/v1/chart/{chart['id']}/data/", timeout=120)
            assert answer.status_code == 200, (title, chart["slice_name"], answer.text[:2000])
            rows[chart["slice_name"]] = answer.json()["result"][0]["data"]
        capacity = rows["Computing capacity over time"]
        assert {row["Total computing capacity (EFLOPS)"] for row in capacity} >= {280.0}, title
        assert {row["Intelligent computing capacity (EFLOPS)"] for row in capacity} >= {90.0, 788.0}, title
        assert rows["Consistency findings"][0]["status"] == "fail", "failures come first"


def test_the_serving_copy_of_make_serve_is_a_run_in_the_project_instance(running):
    _, _, env = running
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        [run] = instance.get_runs()
    assert (run.job_name, run.status) == ("copy_to_serving_database", dg.DagsterRunStatus.SUCCESS)


def test_superset_pages_may_load_nothing_from_another_host(running):
    api, base, _ = running
    page = api.get(f"{base}/superset/dashboard/ai-computing-starter/", timeout=60)
    assert page.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    # Superset's pages draw a usage pixel from scarf.sh; only this policy keeps the browser from asking for it.
    assert policy["default-src"] == "'self'"
    for directive in ("img-src", "connect-src", "font-src", "style-src"):
        assert "http" not in policy[directive], (directive, policy[directive])
