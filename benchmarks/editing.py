"""A curator's edit timed until it is published: one figure of observations.csv saved, then either `refresh --changed`
run after the save (the command line's way) or `make watch` already running (the watcher's way). The two alternate,
each in a folder of its own (seeds, published warehouse, run history), so that both see the same machine.

.venv/bin/python -m benchmarks.editing seeds/            # the repository's seeds, 5 edits each way
.venv/bin/python -m benchmarks.editing data/bench/10k/seeds 3
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.measure import PYTHON, bench_warehouse, machine, refresh_environment
from orchestration.warehouse.settings import DBT_PROJECT_DIR

EDITS = 5  # each way; the figures are medians
WAIT_S = 900


def measure_edits(seeds: Path, work: Path, edits: int = EDITS) -> dict:
    """Seconds from a save of one figure to its publication, each way, median of `edits`."""
    command_line, watcher = _published_copy(seeds, work / "command_line"), _published_copy(seeds, work / "watcher")
    watching = Watching(watcher)
    try:
        by_command, by_watcher = [], []
        for edit in range(edits):
            started = _edit(command_line["SEEDS_DIR"], edit)
            subprocess.run(
                [PYTHON, "-m", "orchestration", "refresh", "--changed"],
                env=command_line,
                check=True,
                capture_output=True,
            )
            by_command.append(time.monotonic() - started)
            started = _edit(watcher["SEEDS_DIR"], edit)
            line = watching.published()
            by_watcher.append(time.monotonic() - started)
            print(
                f"edit {edit + 1}: refresh --changed {by_command[-1]:.1f} s; make watch {by_watcher[-1]:.1f} s "
                f"({line})",
                flush=True,
            )
    finally:
        watching.stop()
    floor = dbt_in_process(Path(watcher["WAREHOUSE_PATH"]), work / "in_process", edits)
    return {
        "edit_rows": _rows(seeds),
        "edit_dbt_in_process_s": floor,
        "edits": edits,
        "edit_refresh_changed_s": statistics.median(by_command),
        "edit_watch_s": statistics.median(by_watcher),
        "edit_refresh_changed_all_s": by_command,
        "edit_watch_all_s": by_watcher,
    }


def dbt_in_process(published: Path, folder: Path, builds: int = EDITS) -> float:
    """The floor of any refresh that has dbt build what an edit of observations.csv reaches: dbt's own build of those
    nodes (models and data tests), run in this process by dbt's programmatic runner with the project parsed once, as
    warm as dbt gets, with nothing of Dagster around it. Median seconds of `builds`, after one to warm up."""
    from dbt.cli.main import dbtRunner

    working = folder / "warehouse.duckdb"  # the name the models' catalog has
    folder.mkdir(parents=True)
    shutil.copyfile(published, working)
    arguments = ["--profiles-dir", ".", "--target-path", str(folder / "target"), "--quiet", "--log-level-file", "none"]
    saved = {name: os.environ.get(name) for name in ("WAREHOUSE_WORKING_FILE", "WAREHOUSE_RUN_ID")}
    os.environ.update({"WAREHOUSE_WORKING_FILE": str(working), "WAREHOUSE_RUN_ID": "bench-in-process"})
    here = Path.cwd()
    os.chdir(DBT_PROJECT_DIR)
    try:
        runner = dbtRunner(manifest=dbtRunner().invoke(["parse", *arguments]).result)
        seconds = []
        for _ in range(builds + 1):
            started = time.monotonic()
            built = runner.invoke(
                ["build", "--select", "stg_seeds__observations+", "--exclude-resource-type", "unit_test", *arguments]
            )
            seconds.append(time.monotonic() - started)
            if not built.success:
                raise RuntimeError(f"dbt build in process failed: {built.exception}")
    finally:
        os.chdir(here)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return statistics.median(seconds[1:])


def _published_copy(seeds: Path, folder: Path) -> dict[str, str]:
    """A copy of `seeds` under `folder`, published once; the environment of a refresh of it."""
    shutil.copytree(seeds, folder / "seeds")
    env = refresh_environment(folder / "seeds", folder, bench_warehouse(folder, "duckdb"))
    subprocess.run([PYTHON, "-m", "orchestration", "refresh"], env=env, check=True, capture_output=True)
    return env


def _edit(seeds: str, edit: int) -> float:
    """One figure's value changed (the first row's, to a value of its own each time); when it was saved."""
    observations = Path(seeds) / "observations.csv"
    header, first, rest = observations.read_text().split("\n", 2)
    fields = first.split(",")
    column = header.split(",").index("value")
    fields[column] = f"{float(fields[column]) * (1.01 if edit % 2 == 0 else 1 / 1.01):.6g}"
    observations.write_text("\n".join([header, ",".join(fields), rest]))
    return time.monotonic()


def _rows(seeds: Path) -> int:
    with (seeds / "observations.csv").open() as lines:
        return sum(1 for _ in lines) - 1


class Watching:
    """`python -m orchestration watch` with the settings `env`, started in a process group of its own as a terminal
    starts it, its lines read as they come (the benchmark's and tests/automation/test_watch.py's)."""

    def __init__(self, env: dict[str, str], cwd: Path | None = None):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "orchestration", "watch"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []  # every line read so far
        threading.Thread(
            target=lambda: [self.lines.put(line.rstrip("\n")) for line in self.process.stdout], daemon=True
        ).start()
        self.expect("Watching")

    def published(self) -> str:
        """The line of the next refresh, which must have published."""
        line = self.expect(": ")
        if "published in" not in line:
            raise RuntimeError(f"the watcher did not publish the edit: {line}")
        return line

    def expect(self, fragment: str) -> str:
        """The next line that holds `fragment` (the lines before it are kept in `said`)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise RuntimeError("the watcher ended:\n" + "\n".join(self.said[-40:])) from None
                continue
            self.said.append(line)
            if fragment in line:
                return line
        raise RuntimeError(f"no line with {fragment!r} from the watcher in {WAIT_S} s:\n" + "\n".join(self.said[-40:]))

    def interrupt(self) -> int:
        """Ctrl-C as a terminal sends it, to the whole process group; the watcher's exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=WAIT_S)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.interrupt()


def main(argv: list[str]) -> None:
    seeds = Path(argv[0] if argv else "seeds").resolve()
    edits = int(argv[1]) if len(argv) > 1 else EDITS
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(measure_edits(seeds, Path(work), edits), indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
