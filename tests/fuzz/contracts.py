"""The contract-level property of the seed fuzzer: whatever breaks a seed file, every file loads and the input
contracts of the changed file and of the files that read its codes hold, or the failure names the file (and the line,
where the break has one). Checked in process, as a refresh's first steps do: a fraction of a second an example.

`property_on(files)` is the property as a test over mutations of some of the seed files; the suite runs it once for
each half of them (test_contracts_first_half.py, test_contracts_second_half.py), so that the two run on two workers.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, example, given, settings

from orchestration.ingest.loading import SeedFileError, load_seed_file
from orchestration.ingest.seed_tables import seed_tables
from orchestration.ingest.validation import check_seed_table
from tests.conftest import REPO_SEEDS
from tests.fuzz import report
from tests.fuzz.mutations import Mutation, inserted, mutations, original, write

# Examples of each half in `make test`; `make fuzz` sets FUZZ_EXAMPLES (and FUZZ_RUNS for the run-level ones).
CONTRACT_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Each published a new warehouse once (a catalog file was not upstream of publishing).
COMMA_IN_A_CATALOG = inserted("unit_spellings.csv", "trillion RMB", 2, b",")
NEWLINE_IN_A_CATALOG = inserted("indicator_aliases.csv", "intelligent computing capacity,", 21, b"\n")
# Crashed the header check with an unnamed csv error (lines ending in \r alone).
OLD_MAC_LINE_ENDINGS = Mutation("consistency_rules.csv", "cr", original("consistency_rules.csv").replace(b"\n", b"\r"))
# Stopped DuckDB's CSV reader with an error that named no line (a bare \r inside a line).
CARRIAGE_RETURN_IN_A_LINE = inserted("geographies.csv", "\nCN", 2, b"\r")
# Named no line: a row of empty fields was taken for a blank line when rows were matched to lines.
ROW_OF_EMPTY_FIELDS = Mutation("observation_quotes.csv", "empty row", original("observation_quotes.csv") + b",,,\n", 2)
# Blamed observations.csv alone for a quantity kind that indicators.csv had wrong (a quote slipped into it).
QUOTE_IN_A_QUANTITY_KIND = inserted("indicators.csv", "over the period,token_count", 18, b'"')
KEPT = [
    COMMA_IN_A_CATALOG,
    NEWLINE_IN_A_CATALOG,
    OLD_MAC_LINE_ENDINGS,
    CARRIAGE_RETURN_IN_A_LINE,
    ROW_OF_EMPTY_FIELDS,
    QUOTE_IN_A_QUANTITY_KIND,
]


def named(mutation: Mutation, message: str) -> list[str]:
    """What the failure message lacks of what it must say: the file, and a line where the mutation touched one."""
    missing = []
    if mutation.file_name not in message:
        missing.append(f"the file {mutation.file_name}")
    if mutation.line is not None and not re.search(r"\bline \d+", message):
        missing.append("a line")
    return missing


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


def property_on(files: list[str]) -> Callable:
    """The property as a test over mutations of `files`, with the kept mutations of those files as its examples;
    the test takes the `seeds` fixture (a folder of its own)."""

    @settings(FUZZ, max_examples=CONTRACT_EXAMPLES)
    @given(mutation=mutations(files))
    def test(seeds, mutation):
        shutil.copytree(REPO_SEEDS, seeds, dirs_exist_ok=True)
        write(mutation, seeds)

        with report.reproducible("contracts", mutation):
            errors = contract_errors(seeds, mutation.file_name)
            message = "\n".join(errors)
            report.example("contracts", mutation, "refused" if errors else "accepted", message)
            if errors:
                assert not named(mutation, message), f"refused without naming {named(mutation, message)}:\n{message}"

    for kept in KEPT:
        if kept.file_name in files:
            test = example(mutation=kept)(test)
    return test
