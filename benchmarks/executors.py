"""Wall time of one full refresh with Dagster's in-process and multiprocess executors, side by side.

    .venv/bin/python -m benchmarks.executors

The multiprocess run uses one step at a time (the steps write one DuckDB file) and a resource without the run-wide
lock and working-file lifecycle, which assume one process per run; it measures what the step subprocesses cost.
"""

import os
import tempfile
import time
from pathlib import Path

import dagster as dg

from orchestration.automation.definitions import build_definitions
from orchestration.consistency.quality_report import QualityReport
from orchestration.engines.duckdb import DuckDBEngine
from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.settings import REPO_ROOT


class _StepLocalWarehouse(WarehouseResource):
    def setup_for_execution(self, context) -> None:
        return None

    def teardown_after_execution(self, context) -> None:
        return None


def _warehouse(root: Path, resource=WarehouseResource) -> WarehouseResource:
    return resource(
        engine=DuckDBEngine(),
        report=QualityReport(),
        seeds_dir=str(REPO_ROOT / "seeds"),
        published_path=str(root / "warehouse.duckdb"),
        work_dir=str(root / ".runs"),
    )


def multiprocess_job():
    root = Path(os.environ["EXECUTOR_BENCHMARK_ROOT"])  # the step subprocesses rebuild the job from here
    executor = dg.multiprocess_executor.configured({"max_concurrent": 1})
    defs = build_definitions(_warehouse(root, _StepLocalWarehouse), executor=executor)
    return defs.resolve_job_def("refresh_warehouse")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, dg.DagsterInstance.local_temp(folder) as instance:
        root = Path(folder)
        timings = {}
        for _ in range(2):  # the first of each warms caches (dbt's partial parse, imports)
            started = time.perf_counter()
            in_process = build_definitions(_warehouse(root / "in_process")).resolve_job_def("refresh_warehouse")
            assert in_process.execute_in_process(instance=instance).success
            timings["in_process"] = time.perf_counter() - started

            started = time.perf_counter()
            os.environ["EXECUTOR_BENCHMARK_ROOT"] = str(root / "multiprocess")
            result = dg.execute_job(dg.reconstructable(multiprocess_job), instance=instance)
            assert result.success
            timings["multiprocess"] = time.perf_counter() - started
    for name, seconds in timings.items():
        print(f"{name:>13}: {seconds:6.1f} s")


if __name__ == "__main__":
    main()
