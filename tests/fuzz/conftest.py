"""The seed fuzzer's shared fixture, and the session's summary after pytest's own (with `make fuzz`, which runs these
tests on one process, -n 0)."""

from pathlib import Path

import pytest

from orchestration.ingest.validation import import_great_expectations
from tests.fuzz import report


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    """A folder for the mutated seed files of a contract-level property, with Great Expectations imported."""
    import_great_expectations()
    return tmp_path_factory.mktemp("fuzzed-seeds")


def pytest_terminal_summary(terminalreporter) -> None:
    lines = report.summary()
    if lines:
        terminalreporter.section("seed fuzzing")
        for line in lines:
            terminalreporter.write_line(line)
