"""The warehouse measured against its floors, side by side in one run, on one seed set of benchmarks.generate.

For each seed set it measures, on this machine:
  - loading: the raw asset's loader against DuckDB reading the same CSV into a table on its own (auto-detected);
  - input-contract validation (Great Expectations, in batches) per million rows;
  - a full refresh (`python -m orchestration refresh`, a real process: load, checks, dbt, publish) against a plain
    `dbt build` on the already-loaded raw tables, and against the models' compiled SQL run directly in DuckDB;
  - a no-op refresh and a one-file-changed refresh (`refresh --changed`);
  - the peak resident memory of the full refresh (the whole process tree: Python, dbt and DuckDB);
  - the latency of typical BI queries on the published marts (median and p95 of repeated runs), and of `select 1`,
    the floor of any query;
  - dbt's nodes (models and tests) in the refresh, and the SQL statements it sent for them: how many, and the
    seconds of each.

`measure_one_refresh` measures one refresh on either engine: on Apache Spark in local mode (WAREHOUSE_ENGINE=spark) for
the report's column beside DuckDB's.
"""

from __future__ import annotations

import graphlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from orchestration import engines
from orchestration.engines.duckdb import run_environment
from orchestration.ingest.loading import load_seed_file
from orchestration.ingest.seed_tables import seed_tables
from orchestration.ingest.validation import check_seed_table
from orchestration.warehouse import settings
from orchestration.warehouse.dbt import REFRESH_BUILD_ARGS
from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, REPO_ROOT

PYTHON = sys.executable
QUERY_REPEATS = 30
LOAD_REPEATS = 3  # the load figures are medians
RATIO_REPEATS = 3  # the full refresh and the plain dbt build, up to 1M rows
DBT_STEP = "dbt build, with Dagster's handling of its events"  # the refresh's dbt step, in its profile
BI_QUERIES = {
    "time series of one indicator": (
        "select period_end, source_id, value_canonical from marts.fct_indicator_observation "
        "where indicator_code = $indicator and geography_code = $geography order by period_end, source_id"
    ),
    "latest value per indicator": (REPO_ROOT / "queries" / "latest_value_per_indicator.sql").read_text(),
    "consistency findings": (REPO_ROOT / "queries" / "consistency_findings.sql").read_text(),
}
FLOOR_QUERY = "select 1"  # what any query costs on an engine, whatever it reads


def measure(size: str, seeds: Path, work: Path, ratio_repeats: int = RATIO_REPEATS) -> dict:
    """Every figure for one seed set; `work` is a scratch folder."""
    figures: dict = {"size": size, "rows": _count_rows(seeds / "observations.csv")}
    figures.update(_loading(seeds, work / "loading"))

    warehouse = bench_warehouse(work, "duckdb")
    env = refresh_environment(seeds, work, warehouse)
    published = warehouse.engine.reader_path(warehouse.paths)
    # The refresh and the plain dbt build alternate; their ratio is a target, and one run of each is noisy.
    repeats = ratio_repeats if figures["rows"] <= 1_000_000 else 1
    refreshes, builds = [], []
    dbt_folder = work / "dbt"
    dbt_folder.mkdir()
    for attempt in range(repeats):
        timings = work / f"refresh_timings_{attempt}.json"
        wall_s, peak_mib = _timed_process([PYTHON, "-m", "orchestration", "refresh", "--timings", str(timings)], env)
        refreshes.append(
            (
                wall_s,
                peak_mib,
                json.loads(timings.read_text()),
                _dbt_run(warehouse.engine.dbt_target_path(warehouse.paths)),
            )
        )
        builds.append(_plain_dbt_build(published, dbt_folder))
    wall_s, _, timings, dbt_run = sorted(refreshes, key=lambda refresh: refresh[0])[len(refreshes) // 2]
    figures["full_refresh_s"] = wall_s  # the median run, reported with its own profile and dbt's figures
    figures["full_refresh_profile_s"] = _step_profile(timings, wall_s)
    figures.update(dbt_run)
    figures["full_refresh_peak_rss_mib"] = max(refresh[1] for refresh in refreshes)
    figures["dbt_build_s"] = statistics.median(build["seconds"] for build in builds)
    figures["dbt_outside_nodes_s"] = statistics.median(build["outside_nodes"] for build in builds)
    figures["consistency_s"] = statistics.median(build["consistency"] for build in builds)
    figures["ratio_repeats"] = repeats
    figures["noop_refresh_s"], _ = _timed_process([PYTHON, "-m", "orchestration", "refresh", "--changed"], env)
    changed_seeds = work / "changed_seeds"
    shutil.copytree(seeds, changed_seeds)
    sources = changed_seeds / "sources.csv"
    sources.write_text(sources.read_text().replace("yearbook 1", "yearbook one", 1))
    figures["one_file_changed_refresh_s"], _ = _timed_process(
        [PYTHON, "-m", "orchestration", "refresh", "--changed"], {**env, "SEEDS_DIR": str(changed_seeds)}
    )
    figures["one_file_changed"] = "sources.csv"

    figures["direct_sql_s"] = _direct_sql(published, work / "direct")
    with duckdb.connect(str(published), read_only=True) as connection:
        figures.update(_query_latency(lambda sql, parameters: connection.execute(sql, parameters).fetchall()))
    return figures


def measure_one_refresh(size: str, seeds: Path, work: Path, engine: str, **environment: str) -> dict:
    """One full refresh on `engine` (on Spark in local mode: SPARK_MASTER, every core by default; on a cluster with
    SPARK_REMOTE in `environment`, which the refresh gets beside its own) with the figures `measure` takes of it, and
    the BI queries on its publication: through DuckDB, or through Spark SQL in a local session of its own. `make
    bench` takes Spark's column from it."""
    warehouse = bench_warehouse(work, engine)
    timings = work / "refresh_timings.json"
    wall_s, peak_mib = _timed_process(
        [PYTHON, "-m", "orchestration", "refresh", "--timings", str(timings)],
        {**refresh_environment(seeds, work, warehouse), **environment},
    )
    figures = {
        "size": size,
        "engine": engine,
        "rows": _count_rows(seeds / "observations.csv"),
        "full_refresh_s": wall_s,
        "full_refresh_profile_s": _step_profile(json.loads(timings.read_text()), wall_s),
        "full_refresh_peak_rss_mib": peak_mib,  # on Spark with the session's JVM: a child of the process
        **_dbt_run(warehouse.engine.dbt_target_path(warehouse.paths)),
    }
    if engine == "duckdb":
        with duckdb.connect(str(warehouse.engine.reader_path(warehouse.paths)), read_only=True) as connection:
            figures.update(_query_latency(lambda sql, parameters: connection.execute(sql, parameters).fetchall()))
        return figures

    from orchestration.engines.spark import tables as spark_tables
    from orchestration.engines.spark.session import local_session

    session = local_session(work / "spark-catalog", settings.SPARK_MASTER())
    try:
        spark_tables.declare(session, warehouse.engine.publication(warehouse.paths))
        # Spark's named parameters are :name where DuckDB's are $name.
        figures.update(
            _query_latency(lambda sql, parameters: session.sql(sql.replace("$", ":"), args=parameters).collect())
        )
    finally:
        session.stop()  # its JVM goes with it: the next measurement has the machine to itself
    return figures


def bench_warehouse(work: Path, engine: str) -> WarehouseResource:
    """The warehouse a benchmark's refreshes build under `work`, for its paths."""
    return engines.warehouse(
        engine, published_path=str(work / "data" / "warehouse.duckdb"), work_dir=str(work / "runs")
    )


def refresh_environment(seeds: Path, work: Path, warehouse: WarehouseResource) -> dict[str, str]:
    """The settings of a refresh of `seeds` into `warehouse`."""
    return {
        **os.environ,
        "SEEDS_DIR": str(seeds),
        "WAREHOUSE_ENGINE": warehouse.engine.name,
        "WAREHOUSE_PATH": warehouse.published_path,
        "WORK_DIR": warehouse.work_dir,
        "DAGSTER_HOME": str(work / "dagster_home"),  # benchmark runs stay out of the project's run history
        "PYTHONPATH": str(REPO_ROOT),
    }


def _count_rows(path: Path) -> int:
    with duckdb.connect() as connection:
        return connection.execute("select count(*) from read_csv(?)", [str(path)]).fetchone()[0]


def _loading(seeds: Path, folder: Path) -> dict:
    folder.mkdir(parents=True)
    tables = {table.name: table for table in seed_tables()}
    observations = seeds / "observations.csv"

    # Alternated and repeated: each side reads the same file with both cores, and one reading is noisy at 10M.
    duckdb_alone_runs, loader_runs = [], []
    with (
        duckdb.connect(str(folder / "duckdb_alone.duckdb")) as alone,
        duckdb.connect(str(folder / "loader.duckdb")) as connection,
    ):
        for name in ("units", "indicators", "geographies", "sources", "bases", "bodies"):
            load_seed_file(connection, tables[name], seeds / f"{name}.csv")
        for _ in range(LOAD_REPEATS):
            started = time.perf_counter()
            alone.execute("create or replace table observations as select * from read_csv(?)", [str(observations)])
            duckdb_alone_runs.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = load_seed_file(connection, tables["observations"], observations)
            loader_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        outcome = check_seed_table(connection, tables["observations"], observations)
        contracts = time.perf_counter() - started
    duckdb_alone, loader = statistics.median(duckdb_alone_runs), statistics.median(loader_runs)
    assert outcome.passed, outcome.summary()
    return {
        "load_loader_s": loader,
        "load_duckdb_alone_s": duckdb_alone,
        "load_ratio": duckdb_alone / loader,
        "load_rows_per_s": result.row_count / loader,
        "contracts_s": contracts,
        "contracts_s_per_million": contracts / result.row_count * 1e6,
    }


def _timed_process(command: list[str], env: dict) -> tuple[float, float]:
    """Wall time and peak resident memory (MiB) of a process and all its descendants, sampled every 50 ms."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    output = process.communicate()[0].decode(errors="replace")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-4000:]}")
    return elapsed, peak / 2**20


def _step_profile(timings: dict[str, float], wall_s: float) -> dict[str, float]:
    """Where the full refresh's time went: its steps, grouped, and the rest."""
    groups: dict[str, float] = {}
    for step, seconds in timings.items():
        if step == "run":
            continue
        if step.endswith("_input_contract"):
            group = "input contracts (Great Expectations)"
        elif step.startswith("raw__"):
            group = "loading seed files"
        elif step == "dbt_models":
            group = DBT_STEP
        elif step == "published_warehouse":
            group = "publishing"
        elif step == "data_page":
            group = "data page (charts of the published warehouse)"
        else:
            group = "consistency checks"
        groups[group] = groups.get(group, 0) + seconds
    in_run = timings["run"]
    groups["Dagster between steps"] = in_run - sum(groups.values())
    groups["process start and end (imports, definitions)"] = wall_s - in_run
    return groups


def _tree_rss(pid: int) -> int:
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def _plain_dbt_build(published: Path, folder: Path) -> dict[str, float]:
    """`dbt build` of what a refresh builds (the models and data tests) on a copy of the warehouse, whose raw tables
    are already loaded, as a developer would run it again and again: the same file, dbt's parsed project kept
    (partial parsing). Returns its seconds, the part dbt spent before and after its nodes (start, parse), and the
    consistency models' and tests' share (from run_results.json)."""
    copy, target = folder / published.name, folder / "target"
    shutil.copyfile(published, copy)
    env = {**os.environ, **run_environment(copy)}
    options = ["--quiet", "--profiles-dir", ".", "--target-path", str(target)]
    if not (target / "partial_parse.msgpack").exists():
        subprocess.run([str(DBT_EXECUTABLE), "parse", *options], cwd=DBT_PROJECT_DIR, env=env, check=True)
    started = time.perf_counter()
    subprocess.run([str(DBT_EXECUTABLE), *REFRESH_BUILD_ARGS, *options], cwd=DBT_PROJECT_DIR, env=env, check=True)
    seconds = time.perf_counter() - started
    run_results = json.loads((target / "run_results.json").read_text())
    return {
        "seconds": seconds,
        "outside_nodes": seconds - run_results["elapsed_time"],
        # Consistency models and tests: the rule types, their union, the findings and the bridge.
        "consistency": sum(
            result["execution_time"]
            for result in run_results["results"]
            if "consistency" in result["unique_id"].split(".")[2]
        ),
    }


def _direct_sql(published: Path, folder: Path) -> float:
    """The models' compiled SQL run directly in DuckDB, in dependency order (no dbt, no tests)."""
    folder.mkdir(parents=True)
    copy = folder / published.name
    shutil.copyfile(published, copy)
    target = folder / "target"
    subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "compile",
            "--quiet",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **run_environment(copy)},
        check=True,
    )
    manifest = json.loads((target / "manifest.json").read_text())
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    graph = {
        uid: [parent for parent in node["depends_on"]["nodes"] if parent in models] for uid, node in models.items()
    }
    order = list(graphlib.TopologicalSorter(graph).static_order())
    with duckdb.connect(str(copy)) as connection:
        started = time.perf_counter()
        for uid in order:
            node = models[uid]
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            connection.execute(
                f'create or replace {kind} "{node["schema"]}"."{node["name"]}" as {node["compiled_code"]}'
            )
        return time.perf_counter() - started


def _dbt_run(target: Path) -> dict:
    """dbt's work in the latest refresh, from its artefacts in `target`: its nodes (models and tests, one after
    another on one thread) from run_results.json, and the SQL statements it sent the engine for them from dbt.log
    (its events of that invocation): how many of each, their seconds together and the median of one."""
    run_results = json.loads((target / "run_results.json").read_text())
    nodes = [result["execution_time"] for result in run_results["results"]]
    invocation = run_results["metadata"]["invocation_id"]
    statements = []
    for log in sorted(target.glob("dbt.log*"), reverse=True):  # dbt.log.1 before dbt.log: dbt rotates its log
        for line in log.read_text().splitlines():
            event = json.loads(line)
            if event["info"]["name"] == "SQLQueryStatus" and event["info"]["invocation_id"] == invocation:
                statements.append(event["data"]["elapsed"])
    return {
        "dbt_nodes": len(nodes),
        "dbt_nodes_s": sum(nodes),
        "dbt_node_median_s": statistics.median(nodes),
        "dbt_statements": len(statements),
        "dbt_statements_s": sum(statements),
        "dbt_statement_median_s": statistics.median(statements),
    }


def _query_latency(run: Callable[[str, dict | None], list]) -> dict:
    """Median and p95 of each BI query and of the floor query, `run(sql, parameters)` fetching every row."""
    [(indicator, geography)] = run(
        "select indicator_code, geography_code from marts.fct_indicator_observation "
        "group by indicator_code, geography_code order by count(*) desc, 1, 2 limit 1",
        None,
    )
    figures = {}
    for name, query in {**BI_QUERIES, "floor": FLOOR_QUERY}.items():
        parameters = {"indicator": indicator, "geography": geography} if "$indicator" in query else None
        timings = []
        for _ in range(QUERY_REPEATS + 1):
            started = time.perf_counter()
            run(query, parameters)
            timings.append((time.perf_counter() - started) * 1000)
        timings = sorted(timings[1:])  # the first run warms the cache
        figures[f"query_{name}"] = {
            "median_ms": statistics.median(timings),
            "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        }
    return figures


def machine() -> str:
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB memory, {platform.machine()}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}"
    )
