"""Write-audit-publish: readers are never blocked, kills and failures leave the published warehouse intact."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.warehouse.files import read_jsonl
from orchestration.warehouse.lock import RefreshLockedError, acquire_refresh_lock
from orchestration.warehouse.resource import UNPUBLISHED_PREFIX
from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import REPO_SEEDS, copy_of, copy_seeds, make_warehouse, refresh, republish

PYTHON = sys.executable

READER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
for line in sys.stdin:
    if line.strip() == "reconnect":
        connection.close()
        connection = duckdb.connect(sys.argv[1], read_only=True)
    print(connection.execute(line if line.strip() != "reconnect" else "select 'reconnected'").fetchone()[0], flush=True)
"""

PLATFORMS = (
    "select value_reported from marts.fct_indicator_observation where observation_id = 'ccpc25-provincial-platforms'"
)


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def set_platforms(seeds: Path, count: int) -> None:
    path = seeds / "observations.csv"
    lines = path.read_text().splitlines()
    lines = [
        ",".join(f.split(",")[:8] + [str(count)] + f.split(",")[9:])
        if f.startswith("ccpc25-provincial-platforms")
        else f
        for f in lines
    ]
    path.write_text("\n".join(lines) + "\n")


def cli_env(root: Path, seeds: Path, **extra) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "WAREHOUSE_PATH": str(root / "data" / "warehouse.duckdb"),
        "SEEDS_DIR": str(seeds),
        "DAGSTER_HOME": str(root / "dagster_home"),  # the runs are recorded there, never in the repository's instance
        **extra,
    }


@pytest.fixture(scope="module")
def published_twice(built, tmp_path_factory) -> Path:
    """A folder with seeds and a warehouse published twice from them: 10 platforms (the built warehouse), then 11."""
    root = copy_of(built, tmp_path_factory.mktemp("published_twice"))
    seeds = copy_seeds(root / "seeds")
    set_platforms(seeds, 11)
    assert refresh(make_warehouse(root, seeds_dir=seeds)).success
    return root


@pytest.fixture()
def two_versions(published_twice, tmp_path):
    """A copy of `published_twice` to change, and the digest of its first published version."""
    root = tmp_path / "copy"
    shutil.copytree(published_twice, root)
    warehouse = make_warehouse(root, seeds_dir=root / "seeds")
    return warehouse, digest(warehouse.engine.kept_versions(warehouse.paths)[0])


def test_a_reader_keeps_its_version_through_a_refresh_and_sees_the_new_one_after_reconnecting(two_versions):
    warehouse, _ = two_versions
    reader = subprocess.Popen(
        [PYTHON, "-c", READER, warehouse.published_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:

        def ask(line: str) -> str:
            reader.stdin.write(line + "\n")
            reader.stdin.flush()
            return reader.stdout.readline().strip()

        assert ask(PLATFORMS) == "11.0"
        set_platforms(Path(warehouse.seeds_dir), 12)
        result = refresh(warehouse)  # the reader's connection stays open all along
        assert result.success
        assert ask(PLATFORMS) == "11.0"  # still the version it opened
        assert ask("reconnect") == "reconnected"
        assert ask(PLATFORMS) == "12.0"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0


def test_the_published_file_stands_alone_and_records_its_publication(two_versions):
    warehouse, _ = two_versions
    published = Path(warehouse.published_path)
    assert not published.with_name(published.name + ".wal").exists()
    with duckdb.connect(str(published), read_only=True) as connection:
        log = connection.execute(
            "select action, code_version, json_extract_string(seed_checksums, '$.\"observations.csv\"'), "
            "checks_passed, checks_failed from audit.publish_log order by published_at"
        ).fetchall()
    assert [row[0] for row in log] == ["publish", "publish"]
    assert log[-1][2] == digest(Path(warehouse.seeds_dir) / "observations.csv")
    assert log[-1][1] and log[-1][3] > 50 and log[-1][4] == 0


def test_rollback_restores_the_previous_version_and_keeps_the_history(two_versions):
    warehouse, _ = two_versions
    assert len(warehouse.engine.kept_versions(warehouse.paths)) == 1

    warehouse.engine.restore_kept_version(warehouse.paths)

    with duckdb.connect(warehouse.published_path, read_only=True) as connection:
        assert connection.execute(PLATFORMS).fetchone() == (10.0,)
        versions = connection.execute(
            "select value_reported, recorded_until is null, recorded_until_run_id like 'rollback-%', "
            "first_published_run_id like 'rollback-%' from marts.fct_indicator_observation_history "
            "where observation_id = 'ccpc25-provincial-platforms' order by recorded_from"
        ).fetchall()
        log = connection.execute("select action from audit.publish_log order by published_at").fetchall()
    # 10 until the second run, 11 until the rollback, 10 again since: the rollback is a publication of its own
    assert versions == [(10.0, False, False, False), (11.0, False, True, False), (10.0, True, None, True)]
    assert log == [("publish",), ("publish",), ("rollback",)]
    assert warehouse.engine.kept_versions(warehouse.paths) == []
    with pytest.raises(FileNotFoundError, match="nothing to roll back to"):
        warehouse.engine.restore_kept_version(warehouse.paths)


def test_the_rollback_command_rewrites_the_data_page_for_the_restored_version(two_versions):
    warehouse, _ = two_versions
    root = Path(warehouse.published_path).parent.parent
    platforms_csv = warehouse.paths.site_dir / "data" / "provincial_platforms_integrated.csv"
    assert ",11.0," in platforms_csv.read_text()  # written by the second refresh

    home = root / "dagster_home"
    rolled_back = subprocess.run(
        [PYTHON, "-m", "orchestration", "rollback"],
        cwd=REPO_ROOT,
        env=cli_env(root, Path(warehouse.seeds_dir)),
        capture_output=True,
        text=True,
        check=False,
    )

    assert rolled_back.returncode == 0, rolled_back.stderr
    assert f"Data page: {warehouse.paths.site_dir / 'index.html'}" in rolled_back.stdout
    assert ",10.0," in platforms_csv.read_text()
    assert "(rollback)" in (warehouse.paths.site_dir / "index.html").read_text()

    # The rollback is a run in the project's instance, and a materialization of what it rewrote.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        published = instance.get_latest_materialization_event(dg.AssetKey("published_warehouse"))
        page = instance.get_latest_materialization_event(dg.AssetKey("data_page"))
    assert (run.job_name, run.status) == ("rollback_warehouse", dg.DagsterRunStatus.SUCCESS)
    assert published.run_id == page.run_id == run.run_id
    assert published.asset_materialization.metadata["action"].value == "rollback"


@pytest.mark.slow
def test_the_rollback_command_says_plainly_when_nothing_is_kept(tmp_path):
    rolled_back = subprocess.run(
        [PYTHON, "-m", "orchestration", "rollback"],
        cwd=REPO_ROOT,
        env=cli_env(tmp_path, REPO_SEEDS),
        capture_output=True,
        text=True,
        check=False,
    )
    assert rolled_back.returncode == 1
    assert "nothing to roll back to" in rolled_back.stderr
    assert "Traceback" not in rolled_back.stderr


def test_only_the_configured_number_of_versions_is_kept(two_versions):
    warehouse, _ = two_versions
    warehouse = make_warehouse(Path(warehouse.published_path).parent.parent, keep_versions=1)
    assert len(warehouse.engine.kept_versions(warehouse.paths)) == 1
    for _ in range(2):
        assert republish(warehouse).success
    # four publications, the newest published: one previous version kept
    assert (
        len(warehouse.engine.kept_versions(warehouse.paths)) == 1
        and len(read_jsonl(warehouse.paths.publish_log_path)) == 4
    )


def test_a_failed_run_keeps_its_working_file_under_a_clear_name(published_before):
    path = Path(published_before.seeds_dir) / "observations.csv"
    path.write_text(path.read_text().replace(",280,EFLOPS,", ",300,EFLOPS,"))

    assert not refresh(published_before).success

    kept = [p for p in Path(published_before.work_dir).iterdir() if p.name.startswith(UNPUBLISHED_PREFIX)]
    assert len(kept) == 1 and not published_before.paths.working_folder.exists()
    assert (kept[0] / "warehouse.duckdb").exists() and (kept[0] / "run_results.json").exists()
    assert "intelligent_share_of_total_2024" in (kept[0] / "quality_report.md").read_text()

    edit = path.read_text().replace(",300,EFLOPS,", ",-300,EFLOPS,")  # failing again, at its input contract
    path.write_text(edit)
    assert not refresh(published_before).success  # only the newest keeps what it built
    runs = Path(published_before.work_dir)
    older, newest = sorted(p for p in runs.iterdir() if p.name.startswith(UNPUBLISHED_PREFIX))
    assert older == kept[0] and not list(older.glob("*.duckdb*")) and (older / "quality_report.md").exists()
    assert (newest / "warehouse.duckdb").exists()


def test_a_refresh_killed_mid_build_leaves_the_warehouse_intact_and_the_next_run_cleans_up(published_before):
    root = Path(published_before.published_path).parent.parent
    env = cli_env(root, Path(published_before.seeds_dir))
    before = digest(published_before.published_path)
    runs = Path(published_before.work_dir)
    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        history_before = set(
            connection.execute(
                "select version_id, recorded_from from marts.fct_indicator_observation_history"
            ).fetchall()
        )

    refresh_process = subprocess.Popen(
        [PYTHON, "-m", "orchestration", "refresh"],
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Wait until dbt is building in the working file, then kill the whole process group.
    deadline = time.monotonic() + 120
    while not _dbt_running(refresh_process) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)
    os.killpg(refresh_process.pid, signal.SIGKILL)
    refresh_process.wait(timeout=30)
    assert refresh_process.returncode == -signal.SIGKILL
    working_folder = published_before.paths.working_folder
    assert working_folder.is_dir(), "the killed run should have left its working folder"

    assert digest(published_before.published_path) == before
    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        assert connection.execute("select count(*) from marts.fct_indicator_observation").fetchone()[0] > 0

    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        [killed] = instance.get_runs()
        assert killed.status == dg.DagsterRunStatus.STARTED  # its process died before it could say otherwise
        assert refresh(published_before, instance=instance).success
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
    assert not working_folder.exists()
    assert not [p for p in runs.iterdir() if p.name.startswith(UNPUBLISHED_PREFIX)]  # a killed run is not kept
    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        history_after = set(
            connection.execute(
                "select version_id, recorded_from from marts.fct_indicator_observation_history"
            ).fetchall()
        )
    assert history_before and history_before <= history_after  # the killed run lost no history


def _dbt_running(process: subprocess.Popen) -> bool:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if not children.exists():
        return False
    for child in children.read_text().split():
        cmdline = Path(f"/proc/{child}/cmdline")
        if cmdline.exists() and b"dbt" in cmdline.read_bytes():
            return True
    return False


def test_two_refreshes_started_together_both_publish_one_after_the_other(built, tmp_path):
    """Each rebuilds what a changed seed file reaches (the names of the geographies) in a copy of the built
    warehouse: the second waits for the first's lock, then publishes after it."""
    copy_of(built, tmp_path)
    seeds = copy_seeds(tmp_path / "seeds")
    geographies = seeds / "geographies.csv"
    geographies.write_text(geographies.read_text().replace("CN,China,", "CN,People's Republic of China,"))
    env = cli_env(tmp_path, seeds)
    processes = [
        subprocess.Popen(
            [PYTHON, "-m", "orchestration", "refresh", "--changed"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=600)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from audit.publish_log").fetchone() == (3,)  # the built one first


@pytest.mark.slow
def test_commands_opening_a_new_run_history_together_all_open_it(tmp_path):
    """Opening a new Dagster instance folder creates its SQLite tables; without the opening lock, three commands at
    once failed with "table ... already exists" in 4 trials out of 12 on this machine."""
    opening = "from orchestration.automation.instance import project_instance; project_instance()"
    for trial in range(6):
        env = {**os.environ, "DAGSTER_HOME": str(tmp_path / f"dagster_home_{trial}")}
        processes = [
            subprocess.Popen([PYTHON, "-c", opening], cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        errors = [process.communicate(timeout=120)[1] for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], "\n".join(errors)[-3000:]


def test_a_refresh_that_cannot_get_the_lock_in_time_is_refused_clearly(tmp_path):
    held = acquire_refresh_lock(tmp_path, "run-one", timeout_seconds=0)
    try:
        with pytest.raises(RefreshLockedError, match=r"another refresh \(run run-one, pid \d+.*was refused"):
            acquire_refresh_lock(tmp_path, "run-two", timeout_seconds=0.6)
    finally:
        held.release()
    acquire_refresh_lock(tmp_path, "run-three", timeout_seconds=0).release()
