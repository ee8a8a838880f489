"""`python -m orchestration watch` (`make watch`), the real command over a copy of the built warehouse and its seeds:
each save republishes, a bad save publishes nothing and says why, quick saves make one refresh, Ctrl-C leaves nothing
behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from benchmarks.editing import Watching
from orchestration.warehouse.lock import acquire_refresh_lock
from orchestration.warehouse.settings import REPO_ROOT
from tests.conftest import copy_of, copy_seeds

pytestmark = pytest.mark.slow
FIGURE = "ndrs25-ai-core-value-2025"  # 1.2 trillion yuan, the first row of observations.csv
ROW = f"{FIGURE},ai_core_industry_value,CN,ndrs_2025,2025-01-01,2025-12-31,flow,true,1.2,"


class Watcher(Watching):
    """The watch command over a folder with seeds, a published warehouse and a run history."""

    def __init__(self, root: Path):
        self.root, self.seeds = root, root / "seeds"
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/root"),
            "WAREHOUSE_PATH": str(root / "data" / "warehouse.duckdb"),
            "SEEDS_DIR": str(self.seeds),
            "DAGSTER_HOME": str(root / "dagster_home"),  # never the repository's run history
        }
        super().__init__(env, cwd=REPO_ROOT)

    def edit(self, value: str) -> None:
        observations = self.seeds / "observations.csv"
        text = observations.read_text()
        start = text.index(f"{FIGURE},")
        end = text.index("\n", start)
        fields = text[start:end].split(",")
        fields[8] = value
        observations.write_text(text[:start] + ",".join(fields) + text[end:])

    def published_value(self) -> float:
        with duckdb.connect(str(self.root / "data" / "warehouse.duckdb"), read_only=True) as connection:
            query = "select value_reported from marts.fct_indicator_observation where observation_id = ?"
            return connection.execute(query, [FIGURE]).fetchone()[0]

    def publications(self) -> int:
        with duckdb.connect(str(self.root / "data" / "warehouse.duckdb"), read_only=True) as connection:
            return connection.execute("select count(*) from audit.publish_log").fetchone()[0]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _alive_in_group(group: int) -> list[str]:
    """The command lines of the processes of a process group still running (a zombie has ended)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while read
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return alive


def _watched_copy(built: Path, folder: Path) -> Path:
    root = copy_of(built, folder, with_history=True)
    copy_seeds(root / "seeds")
    return root


@pytest.fixture(scope="module")
def watcher(built, tmp_path_factory):
    running = Watcher(_watched_copy(built, tmp_path_factory.mktemp("watched")))
    yield running
    running.kill()


def test_a_saved_edit_is_republished_and_recorded(watcher):
    assert (ROW in (watcher.seeds / "observations.csv").read_text()) and watcher.published_value() == 1.2
    before = watcher.publications()

    watcher.edit("1.25")
    line = watcher.expect("observations.csv:")

    assert "published in" in line and "0 failed" in line, line
    assert watcher.published_value() == 1.25
    assert watcher.publications() == before + 1
    with duckdb.connect(str(watcher.root / "data" / "warehouse.duckdb"), read_only=True) as connection:
        query = "select run_id from audit.publish_log order by published_at desc limit 1"
        [run_id] = connection.execute(query).fetchone()
    with dg.DagsterInstance.from_config(str(watcher.root / "dagster_home")) as history:
        run = history.get_run_by_id(run_id)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags["warehouse/changed_files"] == "observations.csv"


def test_a_bad_edit_publishes_nothing_and_says_why_then_a_good_one_publishes(watcher):
    published, before = watcher.published_value(), watcher.publications()

    watcher.edit("1.2.3")
    line = watcher.expect("observations.csv:")

    assert "not published" in line and "value" in line and "1.2.3" in line, line
    assert (watcher.published_value(), watcher.publications()) == (published, before)

    watcher.edit("1.3")
    line = watcher.expect("observations.csv:")
    assert "published in" in line, line
    assert (watcher.published_value(), watcher.publications()) == (1.3, before + 1)


def test_quick_saves_make_one_refresh(watcher):
    before = watcher.publications()

    for value in ("1.31", "1.32", "1.33"):  # within a few milliseconds, as an editor's saves come
        watcher.edit(value)
    watcher.expect("observations.csv:")
    watcher.edit("1.34")  # a later save, to see that nothing else came between
    last = watcher.expect("observations.csv:")

    assert "published in" in last
    assert watcher.published_value() == 1.34
    assert watcher.publications() == before + 2
    assert sum(": published in" in line for line in watcher.said[-2:]) == 2


def test_ctrl_c_during_a_refresh_stops_the_watcher_leaving_no_process_or_lock(built, tmp_path):
    running = Watcher(_watched_copy(built, tmp_path))
    try:
        running.edit("1.4")
        time.sleep(3)  # the refresh is under way
        code = running.interrupt()
        output = "\n".join(running.said)
    finally:
        running.kill()

    assert code == 0, output
    assert "Traceback" not in output
    deadline = time.monotonic() + 30  # multiprocessing's resource tracker ends once it sees its parent gone
    while _alive_in_group(running.process.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _alive_in_group(running.process.pid) == []
    held = acquire_refresh_lock(tmp_path / "data" / ".runs", "after-the-watcher", timeout_seconds=0)
    held.release()
    assert running.published_value() in (1.2, 1.4)  # the old warehouse or the new one, whole
