"""Loading seed files into raw tables: every real seed file, spreadsheet encodings, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loading import SeedFileError, load_seed_file
from orchestration.ingest.seed_tables import seed_tables_from_manifest
from orchestration.warehouse.dbt import dbt_project
from tests.conftest import REPO_SEEDS

TABLES = {table.name: table for table in seed_tables_from_manifest(json.loads(dbt_project.manifest_path.read_text()))}
OBSERVATIONS = TABLES["observations"]
HEADER = ",".join(OBSERVATIONS.columns)
GOOD_ROW = (
    "x-1,total_computing_capacity,CN,nda_computing_2024,2024-12-31,2024-12-31,stock,false,280,EFLOPS,exact,"
    "unspecified,nda,false,,,,"
)
# The figures taken from a report's text come with `accept`; the repository's figures were typed by hand.
EMPTY_IN_REPOSITORY = {"observation_quotes"}


@pytest.fixture()
def connection():
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def write(tmp_path: Path, content: bytes | str, name: str = "observations.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_every_seed_file_has_a_contract_and_every_contract_a_file():
    assert {path.stem for path in REPO_SEEDS.glob("*.csv")} == set(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_seed_file_loads_with_its_declared_types(connection, name):
    table = TABLES[name]
    result = load_seed_file(connection, table, REPO_SEEDS / table.file_name)

    data_lines = [line for line in (REPO_SEEDS / table.file_name).read_text().splitlines()[1:] if line.strip()]
    assert result.row_count == len(data_lines)
    assert (result.row_count == 0) == (name in EMPTY_IN_REPOSITORY)
    loaded_types = {row[0]: row[1] for row in connection.execute(f"describe raw.{name}").fetchall()}
    assert loaded_types == table.columns


def test_a_spreadsheet_saved_file_with_bom_and_crlf_loads_the_same(connection, tmp_path):
    clean = write(tmp_path, f"{HEADER}\n{GOOD_ROW}\n", "clean.csv")
    spreadsheet = write(tmp_path, b"\xef\xbb\xbf" + f"{HEADER}\r\n{GOOD_ROW}\r\n".encode(), "spreadsheet.csv")

    load_seed_file(connection, OBSERVATIONS, clean)
    clean_rows = connection.execute("select * from raw.observations").fetchall()
    load_seed_file(connection, OBSERVATIONS, spreadsheet)
    spreadsheet_rows = connection.execute("select * from raw.observations").fetchall()

    assert clean_rows == spreadsheet_rows
    assert clean_rows[0][0] == "x-1" and clean_rows[0][8] == 280.0


def test_a_file_whose_lines_end_in_a_carriage_return_alone_loads_the_same(connection, tmp_path):
    second = GOOD_ROW.replace("x-1", "x-2")
    path = write(tmp_path, f"{HEADER}\r{GOOD_ROW}\r{second}\r")

    assert load_seed_file(connection, OBSERVATIONS, path).row_count == 2
    assert connection.execute("select observation_id, value from raw.observations").fetchall() == [
        ("x-1", 280.0),
        ("x-2", 280.0),
    ]


def test_a_carriage_return_inside_a_line_is_named_with_its_line(connection, tmp_path):
    broken = GOOD_ROW.replace("x-1", "x\r-2")
    path = write(tmp_path, f"{HEADER}\n{GOOD_ROW}\n{broken}\n")

    with pytest.raises(SeedFileError, match=r"observations.csv, line 3: a carriage return \(\\r\) inside the line"):
        load_seed_file(connection, OBSERVATIONS, path)


def test_an_unparsable_number_names_line_column_value_and_what_was_expected(connection, tmp_path):
    bad_row = GOOD_ROW.replace(",280,", ',"1,234",')
    path = write(tmp_path, f"{HEADER}\n{GOOD_ROW}\n{bad_row}\n")

    with pytest.raises(SeedFileError) as error:
        load_seed_file(connection, OBSERVATIONS, path)

    message = str(error.value)
    assert str(path) in message
    assert "line 3, column value: value '1,234' is not a plain number" in message


def test_a_bad_date_is_reported(connection, tmp_path):
    path = write(tmp_path, f"{HEADER}\n{GOOD_ROW.replace('2024-12-31,2024-12-31', '2024-12-31,31/12/2024')}\n")

    with pytest.raises(SeedFileError, match=r"line 2, column period_end: value '31/12/2024' is not a date"):
        load_seed_file(connection, OBSERVATIONS, path)


def test_a_row_with_too_few_fields_is_reported(connection, tmp_path):
    path = write(tmp_path, f"{HEADER}\n{GOOD_ROW}\nx-2,total_computing_capacity,CN\n")

    with pytest.raises(SeedFileError, match=rf"line 3: 3 field\(s\) where {len(OBSERVATIONS.columns)} are expected"):
        load_seed_file(connection, OBSERVATIONS, path)


def test_a_missing_column_is_named(connection, tmp_path):
    header = HEADER.replace(",unit_code", "")
    row = GOOD_ROW.replace(",EFLOPS", "")
    path = write(tmp_path, f"{header}\n{row}\n")

    with pytest.raises(SeedFileError, match=r"line 1 \(header\): missing column\(s\) unit_code; expected"):
        load_seed_file(connection, OBSERVATIONS, path)


def test_an_empty_file_is_refused(connection, tmp_path):
    path = write(tmp_path, b"")

    with pytest.raises(SeedFileError, match=r"the file is empty; expected a header line: observation_id,"):
        load_seed_file(connection, OBSERVATIONS, path)


def test_invalid_utf8_names_the_line(connection, tmp_path):
    path = write(tmp_path, f"{HEADER}\n{GOOD_ROW}\n".encode() + b"x-2,caf\xe9\n")

    with pytest.raises(SeedFileError, match=r"line 3: not valid UTF-8; expected the file saved as UTF-8"):
        load_seed_file(connection, OBSERVATIONS, path)


def test_a_failed_load_leaves_the_previous_table_as_it_was(connection, tmp_path):
    load_seed_file(connection, OBSERVATIONS, write(tmp_path, f"{HEADER}\n{GOOD_ROW}\n", "good.csv"))
    bad = write(tmp_path, f"{HEADER}\n{GOOD_ROW.replace(',280,', ',lots,')}\n", "bad.csv")

    with pytest.raises(SeedFileError):
        load_seed_file(connection, OBSERVATIONS, bad)

    assert connection.execute("select observation_id, value from raw.observations").fetchall() == [("x-1", 280.0)]
