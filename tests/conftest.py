"""Shared fixtures: temporary warehouses built by real Dagster runs of the real assets, dbt and DuckDB."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import filelock
import pytest

from benchmarks.report import SUITE_TIMES
from orchestration import engines
from orchestration.automation import failures
from orchestration.automation.definitions import build_definitions
from orchestration.automation.sensors import record_failed_runs
from orchestration.warehouse.engine import START_FROM_TAG
from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.settings import REPO_ROOT

REPO_SEEDS = REPO_ROOT / "seeds"
# Suites that start a program beyond Python, DuckDB and PostgreSQL: `make test` runs them too and reports their time
# on lines of their own, apart from the core suite's.
SUITES_APART = {"superset": "Superset", "browser": "Chromium", "spark": "Spark"}
STARTED = pytest.StashKey[float]()


# Fixtures that build a warehouse with dbt or start a server: a test using one is in the slow tier.
SLOW_FIXTURES = {"built", "built_warehouse", "warehouse_sql", "published_before", "browser", "postgres"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tiers: a test that starts dbt, Spark, PostgreSQL, a browser or the command line's refresh (directly or
    through a fixture) is `slow`; `make test-fast` runs the others (`-m "not slow"`)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES or any(item.get_closest_marker(name) for name in SUITES_APART):
            item.add_marker(pytest.mark.slow)
    # The longest groups first, so that a worker starts them while the other takes the rest; then the fast tier, so
    # that the first worker to need the session's warehouse builds it while the other is still busy.
    items.sort(
        key=lambda item: (
            not any(item.get_closest_marker(name) for name in ("spark", "superset")),
            item.get_closest_marker("slow") is not None,
        )
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[STARTED] = time.monotonic()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """Test time per suite (set-up, test and tear-down, summed over the workers), the core suite first, and the wall
    time of the whole run. A whole passing run (`make test`) also writes them to SUITE_TIMES, where `make bench`
    reads them."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller sums its reports
        return
    seconds: Counter[str] = Counter()
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                suite = next((name for name in SUITES_APART if name in report.keywords), "core")
                seconds[suite] += report.duration
    if not seconds:
        return
    wall = time.monotonic() - config.stash[STARTED]
    workers = len(getattr(config.option, "tx", None) or []) or 1  # pytest-xdist's workers, one per core
    whole = config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword
    if whole and not config.option.markexpr and exitstatus == pytest.ExitCode.OK:
        SUITE_TIMES.parent.mkdir(exist_ok=True)
        measured = datetime.now(UTC).isoformat(timespec="seconds")
        times = {"measured": measured, "wall_seconds": wall, "workers": workers, "seconds": seconds}
        SUITE_TIMES.write_text(json.dumps(times, indent=1))
    terminalreporter.section("time per suite")
    for suite in ["core", *SUITES_APART]:
        if suite in seconds:
            label = "core" if suite == "core" else f"{suite} (needs {SUITES_APART[suite]})"
            terminalreporter.write_line(f"{label}: {_minutes(seconds[suite])} of test time")
    terminalreporter.write_line(f"the whole run: {_minutes(wall)} on {workers} worker{'s' * (workers > 1)}")


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes:.0f} min {rest:.1f} s"


def make_warehouse(
    root: Path, seeds_dir: Path = REPO_SEEDS, engine: str | None = None, **settings
) -> WarehouseResource:
    return engines.warehouse(
        engine,
        seeds_dir=str(seeds_dir),
        published_path=str(root / "data" / "warehouse.duckdb"),
        work_dir=str(root / "data" / ".runs"),
        **settings,
    )


def refresh(warehouse: WarehouseResource, **kwargs) -> dg.ExecuteInProcessResult:
    """A run of the refresh_warehouse job on `warehouse`, in process."""
    job = build_definitions(warehouse).resolve_job_def("refresh_warehouse")
    return job.execute_in_process(raise_on_error=False, **kwargs)


def republish(warehouse: WarehouseResource, **kwargs) -> dg.ExecuteInProcessResult:
    """A run that publishes again after rebuilding one small mart, in process, as a run for a changed seed file does:
    a working copy of the published warehouse, dbt building marts.dim_unit (and its tests) in it, publishing (the
    versions kept, the atomic rename) and the data page. About 8 s where a whole rebuild takes about 16."""
    selection = {dg.AssetKey(["marts", "dim_unit"]), dg.AssetKey("published_warehouse"), dg.AssetKey("data_page")}
    job = build_definitions(warehouse).resolve_implicit_global_asset_job_def().get_subset(asset_selection=selection)
    return job.execute_in_process(raise_on_error=False, tags={START_FROM_TAG: "published"}, **kwargs)


def record_failure(result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance, warehouse: WarehouseResource):
    """The record_failed_runs sensor evaluated on a failed run, as the daemon would after it."""
    failure = next(event for event in result.all_events if event.event_type == dg.DagsterEventType.RUN_FAILURE)
    with dg.build_run_status_sensor_context(
        sensor_name="record_failed_runs",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources={"warehouse": warehouse},
    ) as context:
        record_failed_runs(context.for_run_failure())


def copy_seeds(destination: Path) -> Path:
    shutil.copytree(REPO_SEEDS, destination)
    return destination


def fresh_checkout(destination: Path) -> Path:
    """The files git tracks or would track (not ignored), as they are in the working tree: no built artefact."""
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        if (REPO_ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, destination / name)
    return destination


def free_port() -> int:
    """A loopback port nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def mount(tmp_path):
    """mount(name, size, under=tmp_path): a new tmpfs of that size at under/name, unmounted after the test. Small
    filesystems are real faults of the machine: one without room, read-only, or filled during a run."""
    points: list[Path] = []

    def make(name: str, size: str, under: Path = tmp_path) -> Path:
        if os.geteuid() != 0:
            pytest.skip("making a small filesystem needs root (a tmpfs mount); CI runs the tests as root")
        point = under / name
        point.mkdir()
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True, text=True
        )
        if mounted.returncode != 0:
            pytest.skip(f"this machine refuses a tmpfs mount: {mounted.stderr.strip()}")
        points.append(point)
        return point

    yield make
    for point in reversed(points):
        subprocess.run(["umount", "--lazy", str(point)], check=False)


def remount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


def shared(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, build) -> Path:
    """The folder `build(folder)` fills, built once per test session however many pytest-xdist workers ask for it:
    the first asks builds it under a lock, the others wait and read it. A test that changes it works on a copy."""
    base = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # the workers' temporary folders are siblings in the session's own folder
        base = base.parent
    folder = base / name
    with filelock.FileLock(str(base / f"{name}.lock")):
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


def _refresh_by_command_line(root: Path) -> None:
    """`make run` on the repository's seeds, from a folder outside the repository, with every HTTP(S) connection
    sent to a local listener that records it."""
    with trapped_proxy() as (proxy, attempts):
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration", "refresh"],
            cwd=root,
            env={
                "PATH": "/usr/bin:/bin",
                "WAREHOUSE_PATH": str(root / "data" / "warehouse.duckdb"),
                "DAGSTER_HOME": str(root / "dagster_home"),  # never the repository's run history
                **proxy_settings(proxy),
            },
            capture_output=True,
            text=True,
            check=False,
        )
    (root / "refresh.out").write_text(completed.stdout)
    (root / "network_attempts.json").write_text(json.dumps([attempt.decode(errors="replace") for attempt in attempts]))
    assert completed.returncode == 0, completed.stderr[-3000:]


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id) -> Path:
    """A folder where the command line refreshed the repository's seeds once for the whole session: data/ holds the
    published warehouse and everything beside it, dagster_home/ the run history, refresh.out what the command
    printed, network_attempts.json every connection it tried."""
    return shared(tmp_path_factory, worker_id, "built", _refresh_by_command_line)


@pytest.fixture(scope="session")
def built_warehouse(built) -> Path:
    """The published warehouse file of `built`, for tests that only read it."""
    return built / "data" / "warehouse.duckdb"


@pytest.fixture()
def warehouse_sql(built_warehouse):
    """Run a query on the built warehouse, read-only, and return its rows."""
    connection = duckdb.connect(str(built_warehouse), read_only=True)

    def run(query: str, parameters=None) -> list[tuple]:
        return connection.execute(query, parameters or []).fetchall()

    yield run
    connection.close()


def copy_of(built: Path, destination: Path, with_history: bool = False) -> Path:
    """A copy of a built folder's warehouse (data/: the published file, its logs, report and data page), and with
    `with_history` of the run history its refresh was recorded in, to change."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("data", "dagster_home") if with_history else ("data",):
        if (built / name).exists():
            shutil.copytree(built / name, destination / name, symlinks=True)
    return destination


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """Everything a failed run says about why: failed check descriptions and what each failed step said."""
    parts = [
        evaluation.description or ""
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    return "\n".join([*parts, *failures.step_messages(result.all_events)])


@pytest.fixture()
def published_before(built, tmp_path) -> WarehouseResource:
    """A warehouse resource over a copy of the built warehouse (published once before, with its publish log), and a
    copy of the seeds to edit."""
    copy_of(built, tmp_path)
    return make_warehouse(tmp_path, seeds_dir=copy_seeds(tmp_path / "seeds"))


@contextmanager
def trapped_proxy():
    """A local listener to point HTTP(S)_PROXY at: every connection a process tries through a proxy lands here."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    attempts: list[bytes] = []
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    attempts.append(connection.recv(200))  # e.g. b"CONNECT pypi.org:443 HTTP/1.1..."
                except OSError:
                    attempts.append(b"(connected, sent nothing)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", attempts
    finally:
        stopping.set()
        thread.join()
        listener.close()


@pytest.fixture()
def proxy_trap():
    """trapped_proxy() for one test: (proxy address, the attempts recorded)."""
    with trapped_proxy() as trap:
        yield trap


def proxy_settings(proxy: str) -> dict[str, str]:
    """Environment variables that send a process's HTTP(S) connections through `proxy`."""
    return {name: proxy for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
