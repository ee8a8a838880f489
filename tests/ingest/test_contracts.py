"""Input contracts checked directly on raw tables: their wording, and the mapping of rows to file lines."""

import json

import duckdb
import pytest

from orchestration.ingest.loading import load_seed_file
from orchestration.ingest.seed_tables import seed_tables_from_manifest
from orchestration.ingest.validation import check_seed_table, record_lines
from orchestration.warehouse.dbt import dbt_project
from tests.conftest import REPO_SEEDS

TABLES = {t.name: t for t in seed_tables_from_manifest(json.loads(dbt_project.manifest_path.read_text()))}


@pytest.fixture()
def loaded(tmp_path):
    """An in-memory database with every repository seed loaded, and a writable copy of the seed folder."""
    connection = duckdb.connect(":memory:")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for table in TABLES.values():
        (seeds / table.file_name).write_bytes((REPO_SEEDS / table.file_name).read_bytes())
        load_seed_file(connection, table, seeds / table.file_name)
    yield connection, seeds
    connection.close()


def test_the_repository_seeds_meet_their_contracts(loaded):
    connection, seeds = loaded
    for table in TABLES.values():
        outcome = check_seed_table(connection, table, seeds / table.file_name)
        assert outcome.passed, outcome.summary()
        assert outcome.validation_result["success"] is True


def test_a_unit_of_the_wrong_kind_is_named_with_its_line(loaded):
    connection, seeds = loaded
    path = seeds / "observations.csv"
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("nda24-total-capacity-2024"))
    lines[number - 1] = lines[number - 1].replace(",EFLOPS,", ",trillion_tokens,")
    path.write_text("\n".join(lines) + "\n")
    load_seed_file(connection, TABLES["observations"], path)

    outcome = check_seed_table(connection, TABLES["observations"], path)

    assert not outcome.passed
    assert [v.sentence("observations.csv") for v in outcome.violations] == [
        f"observations.csv, line {number}, column unit_code: value 'trillion_tokens' measures token_count "
        "(units.csv), but indicator_code total_computing_capacity is a computing_capacity (indicators.csv); expected "
        "a unit of that kind"
    ]


def test_a_rule_with_an_unknown_severity_is_refused(loaded):
    connection, seeds = loaded
    path = seeds / "consistency_rules.csv"
    path.write_text(path.read_text().replace(",error,", ",fatal,", 1))
    load_seed_file(connection, TABLES["consistency_rules"], path)

    outcome = check_seed_table(connection, TABLES["consistency_rules"], path)

    assert "line 2, column severity: value 'fatal' is not accepted; expected one of error, warn" in outcome.summary()


def test_record_lines_follow_quoted_newlines_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'\xef\xbb\xbfa,b\r\n1,"two\r\nlines"\r\n\r\n,\r\n3,x\r\n')
    assert record_lines(path) == [3, 5, 6]

    connection = duckdb.connect(":memory:")
    rows = connection.execute(
        "select a from read_csv(?, columns={'a': 'INTEGER', 'b': 'VARCHAR'}, header=true, auto_detect=false)",
        [str(path)],
    ).fetchall()
    assert [row[0] for row in rows] == [1, None, 3]  # the same records, in the same order, as DuckDB loads them


def test_contract_meta_comes_from_the_dbt_sources():
    observations = TABLES["observations"]
    assert observations.unique_key == ("observation_id",)
    assert observations.column_contracts["unit_code"]["references"] == "units.unit_code"
    assert observations.referenced_tables == {"indicators", "geographies", "sources", "units", "bases", "bodies"}


def test_batches_still_see_duplicates_and_lines_across_batches(loaded, monkeypatch):
    connection, seeds = loaded
    monkeypatch.setattr("orchestration.ingest.validation.BATCH_VECTORS", 1)  # 2,048 rows a batch
    path = seeds / "observations.csv"
    header, first, *_ = path.read_text().splitlines()
    rows = [first.replace(first.split(",")[0], f"obs-{n}", 1) for n in range(5000)]
    rows[4500] = rows[10]  # the same id, two batches apart
    fields = rows[3000].split(",")
    rows[3000] = ",".join([*fields[:9], "YB", *fields[10:]])
    path.write_text("\n".join([header, *rows]) + "\n")
    load_seed_file(connection, TABLES["observations"], path)

    outcome = check_seed_table(connection, TABLES["observations"], path)

    sentences = [v.sentence("observations.csv") for v in outcome.violations]
    duplicate = "column observation_id: value 'obs-10' appears more than once; each must be unique"
    assert sentences == [
        f"observations.csv, line 12, {duplicate}",
        "observations.csv, line 3002, column unit_code: value 'YB' is unknown; "
        "expected a unit_code listed in units.csv",
        f"observations.csv, line 4502, {duplicate}",
    ]
    assert outcome.validation_result["rows"] == 5000
