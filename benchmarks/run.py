"""`make bench`: the warehouse measured at each size of `make bench-data`, written to docs/benchmarks.md.

.venv/bin/python -m benchmarks.run 10k 1m 10m
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import SIZES
from benchmarks.measure import measure
from benchmarks.report import SUITE_TIMES, write_report
from orchestration.warehouse.settings import REPO_ROOT


def main(argv: list[str]) -> None:
    sizes = argv or list(SIZES)
    results = []
    for size in sizes:
        seeds = REPO_ROOT / "data" / "bench" / size / "seeds"
        if not seeds.exists():
            raise SystemExit(f"no seed set {seeds}; run `make bench-data` first")
        with tempfile.TemporaryDirectory(dir=REPO_ROOT / "data" / "bench") as work:
            print(f"measuring {size} ...", flush=True)
            results.append(measure(size, seeds, Path(work)))
            print(json.dumps(results[-1], indent=1), flush=True)
    report = Path(os.environ.get("BENCHMARK_REPORT") or REPO_ROOT / "docs" / "benchmarks.md")
    suite_times = json.loads(SUITE_TIMES.read_text()) if SUITE_TIMES.exists() else None
    if suite_times is None:
        print(f"no {SUITE_TIMES}: run `make test` first for the test suite's times", flush=True)
    write_report(results, report, suite_times)
    print(f"wrote {report}")


if __name__ == "__main__":
    main(sys.argv[1:])
