"""The Dagster UI's server, started for real, answers GraphQL with the asset graph and the latest run."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import make_warehouse, refresh

QUERY = """
{
  assetNodes { assetKey { path } groupName }
  runsOrError(limit: 1) { ... on Runs { results { runId status jobName } } }
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


@pytest.fixture()
def dagster_home(tmp_path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / ".dagster_home" / "dagster.yaml").read_text())
    return home


def test_the_webserver_serves_the_asset_graph_and_the_latest_run(dagster_home, tmp_path):
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        result = refresh(make_warehouse(tmp_path), instance=instance)
    assert result.success

    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "WAREHOUSE_PATH": str(tmp_path / "ui" / "warehouse.duckdb")}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            "orchestration.definitions",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read()[-3000:]
                assert time.monotonic() < deadline, "the webserver did not start within 120 s"
                time.sleep(1)

        data = post_graphql(port, QUERY)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assets = {"/".join(node["assetKey"]["path"]): node["groupName"] for node in data["assetNodes"]}
    assert assets["raw/observations"] == "sources"
    assert assets["marts/fct_indicator_observation"] == "marts"
    assert assets["marts/fct_consistency_check"] == "consistency"
    assert assets["published_warehouse"] == "publish"
    [latest] = data["runsOrError"]["results"]
    assert latest == {"runId": result.run_id, "status": "SUCCESS", "jobName": "refresh_warehouse"}
