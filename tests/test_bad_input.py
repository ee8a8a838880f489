"""Bad seed input fails the run at the raw layer, says where and why, and leaves the published warehouse as it was."""

import hashlib
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import failure_text, refresh


def edit_line(path: Path, line_number: int, old: str, new: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    assert old in lines[line_number - 1], f"fixture expects {old!r} on line {line_number} of {path.name}"
    lines[line_number - 1] = lines[line_number - 1].replace(old, new, 1)
    path.write_text("".join(lines))


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# (seed file, observation id or key on the line to edit, old text, new text, words the error must contain)
BAD_EDITS = {
    "unparsable number": (
        "observations.csv",
        "nda24-total-capacity-2024",
        ",280,",
        ",280 EFLOPS,",
        ["observations.csv", "line {line}", "column value", "'280 EFLOPS'", "plain number"],
    ),
    "unknown unit": (
        "observations.csv",
        "nda24-total-capacity-2024",
        ",EFLOPS,",
        ",YFLOPS,",
        ["observations.csv", "line {line}", "column unit_code", "'YFLOPS'", "units.csv"],
    ),
    "unknown indicator": (
        "observations.csv",
        "nda24-total-capacity-2024",
        "total_computing_capacity",
        "total_compute",
        ["observations.csv", "line {line}", "column indicator_code", "'total_compute'", "indicators.csv"],
    ),
    "duplicate key": (
        "observations.csv",
        "ccpc25-provincial-platforms",
        "ccpc25-provincial-platforms",
        "ccpc25-innovative-projects",
        ["observations.csv", "line {line}", "column observation_id", "'ccpc25-innovative-projects'", "unique"],
    ),
    "negative capacity": (
        "observations.csv",
        "nda24-total-capacity-2024",
        ",280,",
        ",-280,",
        ["observations.csv", "line {line}", "column value", "-280", "smallest possible"],
    ),
    "share over 100 percent": (
        "observations.csv",
        "nda24-intelligent-share-2024",
        ",32,",
        ",132,",
        ["observations.csv", "line {line}", "column value", "132", "largest possible"],
    ),
    "period ending before it starts": (
        "observations.csv",
        "ndrs25-info-fai-growth-2025",
        "2025-01-01,2025-12-31",
        "2025-12-31,2025-01-01",
        ["observations.csv", "line {line}", "column period_end", "before period_start"],
    ),
    "source read before it was published": (
        "sources.csv",
        "ndrs_2025",
        ",2026-12-03,",
        ",2026-04-01,",
        ["sources.csv", "line {line}", "column accessed_on", "before published_on"],
    ),
    "quoting an unknown source": (
        "sources.csv",
        "ccpc_2025",
        ",nda_computing_2024,",
        ",nda_2024,",
        ["sources.csv", "line {line}", "column quotes_source_id", "'nda_2024'", "sources.csv"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_bad_value_fails_at_raw_layer_and_publishes_nothing(published_before, case):
    file_name, key, old, new, expected_words = BAD_EDITS[case]
    seed = Path(published_before.seeds_dir) / file_name
    line = line_of(seed, key)
    edit_line(seed, line, old, new)
    before = digest(published_before.published_path)

    result = refresh(published_before)

    assert not result.success
    message = failure_text(result)
    for word in expected_words:
        assert word.format(line=line) in message, message
    assert "dbt_models" not in _executed(result)
    assert dg.AssetKey(["marts", "fct_indicator_observation"]) not in _materialized(result)
    assert digest(published_before.published_path) == before


@pytest.mark.parametrize(
    ("case", "content", "expected_words"),
    [
        ("missing column", None, ["observations.csv", "line 1 (header)", "missing column(s) unit_code"]),
        ("empty file", b"", ["observations.csv", "the file is empty", "expected a header line"]),
        (
            "invalid UTF-8",
            "latin-1",
            ["observations.csv", "line {line}: not valid UTF-8", "1 line(s) could not be read"],
        ),
    ],
)
def test_unreadable_file_fails_at_raw_layer_and_publishes_nothing(published_before, case, content, expected_words):
    seed = Path(published_before.seeds_dir) / "observations.csv"
    line = len(seed.read_text().splitlines()) + 1  # a line added at the end
    if content is None:
        lines = [line.split(",") for line in seed.read_text().splitlines()]
        seed.write_text("\n".join(",".join(fields[:9] + fields[10:]) for fields in lines) + "\n")
    elif content == "latin-1":
        seed.write_bytes(seed.read_bytes() + "x,café\n".encode("latin-1"))
    else:
        seed.write_bytes(content)
    before = digest(published_before.published_path)

    result = refresh(published_before)

    assert not result.success
    message = failure_text(result)
    for word in expected_words:
        assert word.format(line=line) in message, message
    assert dg.AssetKey(["raw", "observations"]) not in _materialized(result)
    assert digest(published_before.published_path) == before


def test_a_broken_error_rule_blocks_publication_and_names_the_rule(published_before):
    seed = Path(published_before.seeds_dir) / "observations.csv"
    edit_line(seed, line_of(seed, "nda24-total-capacity-2024"), ",280,", ",300,")
    before = digest(published_before.published_path)

    result = refresh(published_before)

    assert not result.success
    message = failure_text(result)
    assert "intelligent_share_of_total_2024" in message
    assert "300 EFLOPS (nda_computing_2024" in message and "90 EFLOPS (ccpc_2025" in message
    assert dg.AssetKey("published_warehouse") not in _materialized(result)
    assert dg.AssetKey("data_page") not in _materialized(result)
    assert digest(published_before.published_path) == before
    report = Path(published_before.published_path).with_name("quality_report.md").read_text()
    assert "Nothing was published" in report and "intelligent_share_of_total_2024" in report


def _materialized(result: dg.ExecuteInProcessResult) -> set:
    return {event.asset_key for event in result.get_asset_materialization_events()}


def _executed(result: dg.ExecuteInProcessResult) -> set:
    return {event.step_key for event in result.all_events if event.is_step_start}
