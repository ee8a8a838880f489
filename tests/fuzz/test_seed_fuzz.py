"""The seed files fuzzed (mutations.py): whatever breaks a file, the run publishes, or it fails naming the file (and
the line, where the break has one) and leaves the published warehouse byte for byte as it was, with no working file
left behind.

Two depths, one property. `test_a_broken_seed_file_is_refused_naming_it_or_loads` loads the mutated folder and checks
the input contracts in process, as a refresh's first steps do (a fraction of a second an example), for many examples.
`test_a_run_on_a_broken_seed_file_publishes_or_changes_nothing` runs the refresh of the changed file in process on a
copy of a published warehouse (seconds an example), for the examples kept because they once found a defect and a few
more. `make fuzz N=... SEED=...` runs both for as many examples as asked, printing each and a summary, and writes each
falsifying mutation to fuzz-failures/ (README there)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings

from orchestration.automation.changes import seed_changes
from orchestration.definitions import build_definitions
from orchestration.ingest.loading import SeedFileError, load_seed_file
from orchestration.ingest.seed_tables import seed_tables
from orchestration.ingest.validation import check_seed_table, import_great_expectations
from orchestration.publish.publishing import published_checksums
from orchestration.warehouse.resource import UNPUBLISHED_PREFIX, WarehouseResource
from tests.conftest import REPO_SEEDS, copy_of, failure_text, make_warehouse
from tests.fuzz import report
from tests.fuzz.mutations import Mutation, dropped, inserted, mutations, original, write

pytestmark = pytest.mark.fuzz

# Contract-level examples in `make test`; `make fuzz` sets FUZZ_EXAMPLES (and FUZZ_RUNS for the run-level ones).
CONTRACT_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
RUN_EXAMPLES = int(os.environ.get("FUZZ_RUNS", "3"))
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}  # the run's own lines: one a mutation is enough
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Each published a new warehouse once (a catalog file was not upstream of publishing).
COMMA_IN_A_CATALOG = inserted("unit_spellings.csv", "trillion RMB", 2, b",")
NEWLINE_IN_A_CATALOG = inserted("indicator_aliases.csv", "intelligent computing capacity,", 21, b"\n")
# Crashed the header check with an unnamed csv error (lines ending in \r alone).
OLD_MAC_LINE_ENDINGS = Mutation("consistency_rules.csv", "cr", original("consistency_rules.csv").replace(b"\n", b"\r"))
# Stopped DuckDB's CSV reader with an error that named no line (a bare \r inside a line).
CARRIAGE_RETURN_IN_A_LINE = inserted("geographies.csv", "\nCN", 2, b"\r")
# Named no line: a row of empty fields was taken for a blank line when rows were matched to lines.
# Blamed observations.csv alone for a quantity kind that indicators.csv had wrong (a quote slipped into it).
QUOTE_IN_A_QUANTITY_KIND = inserted("indicators.csv", "over the period,token_count", 18, b'"')
ROW_OF_EMPTY_FIELDS = Mutation("observation_quotes.csv", "empty row", original("observation_quotes.csv") + b",,,\n", 2)


def named(mutation: Mutation, message: str) -> list[str]:
    """What the failure message lacks of what it must say: the file, and a line where the mutation touched one."""
    missing = []
    if mutation.file_name not in message:
        missing.append(f"the file {mutation.file_name}")
    if mutation.line is not None and not re.search(r"\bline \d+", message):
        missing.append("a line")
    return missing


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    import_great_expectations()
    return tmp_path_factory.mktemp("fuzzed-seeds")


def contract_errors(folder: Path, changed: str) -> list[str]:
    """Every seed file of `folder` loaded into a new in-memory DuckDB, then the input contracts of the changed file
    and of the files that read its codes checked, as a refresh does: the errors, one a file."""
    tables = seed_tables()
    errors = []
    with duckdb.connect() as connection:
        for table in tables:
            try:
                load_seed_file(connection, table, folder / table.file_name)
            except SeedFileError as error:
                errors.append(str(error))
        if errors:
            return errors
        changed_table = changed.removesuffix(".csv")
        for table in tables:
            if table.name == changed_table or changed_table in table.referenced_tables:
                outcome = check_seed_table(connection, table, folder / table.file_name)
                if not outcome.passed:
                    errors.append(outcome.summary())
    return errors


@settings(FUZZ, max_examples=CONTRACT_EXAMPLES)
@given(mutation=mutations())
@example(mutation=COMMA_IN_A_CATALOG)
@example(mutation=NEWLINE_IN_A_CATALOG)
@example(mutation=OLD_MAC_LINE_ENDINGS)
@example(mutation=CARRIAGE_RETURN_IN_A_LINE)
@example(mutation=ROW_OF_EMPTY_FIELDS)
@example(mutation=QUOTE_IN_A_QUANTITY_KIND)
def test_a_broken_seed_file_is_refused_naming_it_or_loads(seeds, mutation):
    shutil.copytree(REPO_SEEDS, seeds, dirs_exist_ok=True)
    write(mutation, seeds)

    with report.reproducible("contracts", mutation):
        errors = contract_errors(seeds, mutation.file_name)
        message = "\n".join(errors)
        report.example("contracts", mutation, "refused" if errors else "accepted", message)
        if errors:
            assert not named(mutation, message), f"refused without naming {named(mutation, message)}:\n{message}"


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
        if left or warehouse.working_folder().exists():
            changes.append(f"working files left behind: {left or [warehouse.working_folder().name]}")
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
        changes = seed_changes(run / "seeds", published_checksums(warehouse))  # as `refresh --changed` selects
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
