"""The seed files fuzzed (mutations.py) as a refresh runs them: whatever breaks a file, the run publishes, or it fails
naming the file (and the line, where the break has one) and leaves the published warehouse byte for byte as it was,
with no working file left behind.

The fuzzer's two depths, one property. contracts.py loads the mutated folder and checks the input contracts in
process (a fraction of a second an example), for many examples. Here, the refresh of the changed file runs in process
on a copy of a published warehouse (seconds an example), for the examples kept because they once found a defect and a
few more. `make fuzz N=... SEED=...` runs both for as many examples as asked, printing each and a summary, and writes
each falsifying mutation to fuzz-failures/ (README there)."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import example, given, settings

from orchestration.automation.changes import seed_changes
from orchestration.automation.definitions import build_definitions
from orchestration.publish.publishing import published_checksums
from orchestration.warehouse.resource import UNPUBLISHED_PREFIX, WarehouseResource
from tests.conftest import REPO_SEEDS, copy_of, failure_text, make_warehouse
from tests.fuzz import report
from tests.fuzz.contracts import COMMA_IN_A_CATALOG, FUZZ, NEWLINE_IN_A_CATALOG, named
from tests.fuzz.mutations import Mutation, dropped, mutations, original, write

pytestmark = pytest.mark.fuzz

# Run-level examples in `make test` beside the kept ones; `make fuzz` sets FUZZ_RUNS.
RUN_EXAMPLES = int(os.environ.get("FUZZ_RUNS", "3"))
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}  # the run's own lines: one a mutation is enough


@pytest.fixture(scope="module")
def published(built, tmp_path_factory):
    """A pristine copy of the built warehouse, and a folder where each example runs on a copy of it."""
    root = tmp_path_factory.mktemp("fuzzed-runs")
    pristine = copy_of(built, root / "pristine")
    run = root / "run"
    warehouse = make_warehouse(run, seeds_dir=run / "seeds")
    return pristine, run, warehouse, build_definitions(warehouse)


def listing(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


@dataclass(frozen=True)
class Snapshot:
    """What a failed run must leave as it was: the published file's bytes, the files beside it, the runs' folder."""

    published: str
    beside: set[str]
    runs: set[str]

    @classmethod
    def of(cls, warehouse: WarehouseResource) -> Snapshot:
        published = Path(warehouse.published_path)
        digest = hashlib.sha256(published.read_bytes()).hexdigest()
        return cls(digest, listing(published.parent), listing(Path(warehouse.work_dir)))

    def changes(self, warehouse: WarehouseResource) -> list[str]:
        now = Snapshot.of(warehouse)
        changes = []
        if now.published != self.published:
            changes.append("the published warehouse changed")
        if now.beside != self.beside:
            changes.append(f"files beside the published warehouse changed: {sorted(now.beside ^ self.beside)}")
        # A failed run keeps its working file under a clear name; nothing else it made may stay.
        left = sorted(name for name in now.runs - self.runs if not name.startswith(UNPUBLISHED_PREFIX))
        if left or warehouse.paths.working_folder.exists():
            changes.append(f"working files left behind: {left or [warehouse.paths.working_folder.name]}")
        return changes


# Failed in dbt with no file named: `refresh --changed` did not check again the contract of the observations that
# use the dropped indicator.
INDICATOR_DROPPED = dropped("indicators.csv", 2)
# Failed in dbt with no file named: with one figure left, a rule whose figures were all missing listed '' as its
# figures, and fct_consistency_check_observation got a figure without a role.
ONE_FIGURE_LEFT = Mutation(
    "observations.csv", "truncated", b"".join(original("observations.csv").splitlines(keepends=True)[:2]), 2
)


@settings(FUZZ, max_examples=RUN_EXAMPLES)
@given(mutation=mutations())
@example(mutation=COMMA_IN_A_CATALOG)
@example(mutation=NEWLINE_IN_A_CATALOG)
@example(mutation=INDICATOR_DROPPED)
@example(mutation=ONE_FIGURE_LEFT)
def test_a_run_on_a_broken_seed_file_publishes_or_changes_nothing(published, mutation):
    pristine, run, warehouse, definitions = published
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(pristine, run, symlinks=True)
    shutil.copytree(REPO_SEEDS, run / "seeds")
    write(mutation, run / "seeds")
    before = Snapshot.of(warehouse)

    with report.reproducible("runs", mutation):
        changes = seed_changes(
            run / "seeds", published_checksums(warehouse.paths, warehouse.engine)
        )  # as `refresh --changed` selects
        graph = definitions.resolve_asset_graph()
        job = definitions.resolve_implicit_global_asset_job_def().get_subset(
            asset_selection=set(changes.downstream(graph)), asset_check_selection=set(changes.checks(graph))
        )
        result = job.execute_in_process(raise_on_error=False, run_config=QUIET)

        published_now = any(event.step_key == "published_warehouse" for event in result.get_step_success_events())
        message = "" if result.success else failure_text(result)
        report.example("runs", mutation, "published" if result.success else "refused", message)
        if result.success:
            assert published_now, "the run succeeded without publishing"
        else:
            problems = [f"does not name {what}" for what in named(mutation, message)] + before.changes(warehouse)
            if published_now:
                problems.append("published, then failed")
            assert not problems, "; ".join(problems) + f":\n{message}"
