"""One run history: `make dev` started for real on the project instance a command-line refresh recorded its run in
(the session's built warehouse, tests/conftest.py), and the Dagster UI's server answering GraphQL with that run, its
logs, the marts' materializations, the check results and the marts' freshness."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import copy_of, free_port

RUN_QUERY = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      jobName
      status
      assetMaterializations { assetKey { path } }
      eventConnection(limit: 5000) { events { __typename ... on MessageEvent { message } } }
    }
  }
  assetNodes { assetKey { path } groupName }
}
"""

ASSET_QUERY = """
{
  assetOrError(assetKey: {path: ["marts", "fct_indicator_observation"]}) {
    ... on Asset {
      assetMaterializations(limit: 1) { runId metadataEntries { label } }
      definition { freshnessStatusInfo { freshnessStatus } }
    }
  }
  assetCheckExecutions(assetKey: {path: ["raw", "observations"]}, checkName: "input_contract", limit: 1) {
    runId
    status
  }
  runsOrError { ... on Runs { results { runId } } }
}
"""


def post_graphql(port: int, query: str, **variables) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(error.read().decode()[:3000]) from error
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


@pytest.fixture()
def dagster_dev(built, tmp_path):
    """`make dev` on a copy of the built warehouse and of the instance that recorded its refresh; yields (port, env)."""
    copy_of(built, tmp_path, with_history=True)
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "WAREHOUSE_PATH": str(tmp_path / "data" / "warehouse.duckdb"),
    }
    log = (tmp_path / "dagster_dev.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "dev", f"DAGSTER_HOME={env['DAGSTER_HOME']}", f"DAGSTER_PORT={port}"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # make, dagster dev, its webserver, daemon and code server: one process group
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                assert server.poll() is None, (tmp_path / "dagster_dev.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "make dev did not answer within 180 s"
                time.sleep(1)
        yield port, env
    finally:
        os.killpg(server.pid, signal.SIGINT)  # dagster dev shuts its processes down on an interrupt
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_a_command_line_refresh_is_in_the_history_the_ui_of_make_dev_shows(dagster_dev, tmp_path):
    port, env = dagster_dev
    assert Path(env["WAREHOUSE_PATH"]).exists()
    assert not (tmp_path / "data" / ".runs" / "lock").exists()

    run_ids = [run["runId"] for run in post_graphql(port, ASSET_QUERY)["runsOrError"]["results"]]
    assert len(run_ids) == 1, "the command line's run is the one run in the instance"
    [run_id] = run_ids
    data = post_graphql(port, RUN_QUERY, runId=run_id)
    run = data["runOrError"]
    assert (run["jobName"], run["status"]) == ("refresh_warehouse", "SUCCESS")
    materialized = {"/".join(m["assetKey"]["path"]) for m in run["assetMaterializations"]}
    assert {"raw/observations", "marts/fct_indicator_observation", "published_warehouse", "data_page"} <= materialized
    messages = [event.get("message", "") for event in run["eventConnection"]["events"]]
    assert any(message.startswith("published ") for message in messages), "the run's own log lines are kept"
    assets = {"/".join(node["assetKey"]["path"]): node["groupName"] for node in data["assetNodes"]}
    assert assets["marts/fct_consistency_check"] == "consistency"

    # The freshness daemon of `make dev` evaluates the marts' freshness from the command line's materializations.
    deadline = time.monotonic() + 120
    while True:
        data = post_graphql(port, ASSET_QUERY)
        freshness = data["assetOrError"]["definition"]["freshnessStatusInfo"]["freshnessStatus"]
        if freshness == "HEALTHY" or time.monotonic() > deadline:
            break
        time.sleep(3)
    [latest] = data["assetOrError"]["assetMaterializations"]
    assert latest["runId"] == run_id
    assert "dagster/row_count" in {entry["label"] for entry in latest["metadataEntries"]}
    assert data["assetCheckExecutions"] == [{"runId": run_id, "status": "SUCCEEDED"}]
    assert freshness == "HEALTHY"
