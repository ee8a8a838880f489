"""`make bench`: the warehouse measured at each size of `make bench-data`, written to docs/benchmarks.md, with the same
refresh on Spark in local mode at the sizes of SPARK_SIZES beside DuckDB's.

.venv/bin/python -m benchmarks.run 10k 1m 10m

With each, a figure edited until published, on the repository's seeds and at 10k (benchmarks/editing.py).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.editing import measure_edits
from benchmarks.generate import SIZES
from benchmarks.measure import measure, measure_one_refresh
from benchmarks.report import SUITE_TIMES, write_report
from orchestration.ingest.seed_tables import seed_tables
from orchestration.warehouse.settings import REPO_ROOT

# Spark in local mode takes minutes a refresh from 10k on (docs/benchmarks.md): the largest set is left to DuckDB.
SPARK_SIZES = ("10k", "1m")


def main(argv: list[str]) -> None:
    sizes = argv or list(SIZES)
    for size in sizes:
        seeds = REPO_ROOT / "data" / "bench" / size / "seeds"
        if not seeds.exists():
            raise SystemExit(f"no seed set data/bench/{size}/seeds; run `make bench-data` first")
        missing = [table.file_name for table in seed_tables() if not (seeds / table.file_name).exists()]
        if missing:
            raise SystemExit(f"data/bench/{size}/seeds lacks {', '.join(missing)}: run `make bench-data` again")
    if any(size in SPARK_SIZES for size in sizes) and shutil.which("java") is None:
        raise SystemExit("the Spark column needs a Java runtime: install Debian's openjdk-17-jre-headless")
    results, spark_results = [], []
    for size in sizes:
        seeds = REPO_ROOT / "data" / "bench" / size / "seeds"
        with tempfile.TemporaryDirectory(dir=REPO_ROOT / "data" / "bench") as work:
            print(f"measuring {size} on DuckDB ...", flush=True)
            results.append(measure(size, seeds, Path(work)))
            print(json.dumps(results[-1], indent=1), flush=True)
        if size in SPARK_SIZES:
            with tempfile.TemporaryDirectory(dir=REPO_ROOT / "data" / "bench") as work:
                print(f"measuring {size} on Spark ...", flush=True)
                spark_results.append(measure_one_refresh(size, seeds, Path(work), "spark"))
                print(json.dumps(spark_results[-1], indent=1), flush=True)
    editing = []
    for seed_set, seeds in [("repository", REPO_ROOT / "seeds")] + [
        (size, REPO_ROOT / "data" / "bench" / size / "seeds") for size in sizes if size == "10k"
    ]:
        with tempfile.TemporaryDirectory(dir=REPO_ROOT / "data" / "bench") as work:
            print(f"measuring an edited figure on the {seed_set} seeds ...", flush=True)
            editing.append({"seed_set": seed_set, **measure_edits(seeds, Path(work))})
    report = Path(os.environ.get("BENCHMARK_REPORT") or REPO_ROOT / "docs" / "benchmarks.md")
    suite_times = json.loads(SUITE_TIMES.read_text()) if SUITE_TIMES.exists() else None
    if suite_times is None:
        print(f"no {SUITE_TIMES}: run `make test` first for the test suite's times", flush=True)
    write_report(results, report, suite_times, spark_results, editing)
    print(f"wrote {report}")


if __name__ == "__main__":
    main(sys.argv[1:])
