"""The project's Dagster instance, where every run is recorded whatever started it (the command line, the watcher,
`make dev`'s schedules and sensors)."""

from __future__ import annotations

import shutil

import dagster as dg
import filelock
from dagster._core.instance.ref import InstanceRef  # the one way to open an instance with a setting overridden

from orchestration.warehouse import settings

# Dagster mirrors a step's standard output into the run history through two helper processes per stream (`tail` and
# an orphan watcher), started and stopped at every step: the watcher's runs, whose dbt output goes nowhere, go without.
WITHOUT_STEP_OUTPUT = {
    "compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager", "class": "NoOpComputeLogManager"}
}


def project_instance(step_output: bool = True) -> dg.DagsterInstance:
    """The project's Dagster instance (DAGSTER_HOME, `.dagster_home` by default), the one `make dev` shows: every run
    started here is recorded there with its logs, materializations and check results (and, with `step_output`, what
    each step printed). Its SQLite storage takes several processes at once (`make dev`'s webserver and daemon, and
    this command)."""

    home = settings.DAGSTER_HOME()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():  # a new instance folder starts with the project's settings
        shutil.copyfile(settings.REPO_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # Opening an instance creates its SQLite tables when they are missing, and two commands opening a new folder at
    # once would both create them (one failing with "table snapshots already exists"): they open it one at a time.
    with filelock.FileLock(home / ".open.lock"):
        reference = InstanceRef.from_dir(str(home), overrides=None if step_output else WITHOUT_STEP_OUTPUT)
        return dg.DagsterInstance.from_ref(reference)
