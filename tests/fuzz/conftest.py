"""The fuzz session's summary, after pytest's own (with `make fuzz`, which runs these tests on one process, -n 0)."""

from tests.fuzz import report


def pytest_terminal_summary(terminalreporter) -> None:
    lines = report.summary()
    if lines:
        terminalreporter.section("seed fuzzing")
        for line in lines:
            terminalreporter.write_line(line)
