"""Loading one seed CSV file into the raw schema, with errors written for the person who edits the file.

The expected header and column types of each file come from its SeedTable (seed_tables.py). DuckDB's own CSV reader
does the loading with that explicit schema: no type sniffing (which turns a bad number into a text column without a
word), strict about the number of fields and the encoding, and every rejected line collected so that one run reports
all of them. The file itself is only streamed (header and checksum), never read whole into Python, so a file of
millions of rows costs no memory here.
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.seed_tables import RAW_SCHEMA, SeedTable
from orchestration.warehouse.files import file_sha256

MAX_REPORTED_ERRORS = 20

# What a value of each column type looks like, for error messages.
_EXPECTED_BY_TYPE = {
    "VARCHAR": "text",
    "DOUBLE": "a plain number such as 1.59 or 21100 (no thousands separators, units or percent signs)",
    "DATE": "a date written YYYY-MM-DD",
    "BOOLEAN": "true or false",
    "BIGINT": "a whole number",
}


@dataclass(frozen=True)
class LoadResult:
    row_count: int
    sha256: str


class SeedFileError(ValueError):
    """A seed file that cannot be loaded as it is. The message names the file, line, column and value."""


def load_seed_file(connection: duckdb.DuckDBPyConnection, table: SeedTable, path: Path) -> LoadResult:
    """Replace raw.<table> with the rows of the CSV file at `path`, or raise SeedFileError and change nothing."""
    if not path.is_file():
        raise SeedFileError(f"{path}: file not found; expected the seed file for raw.{table.name}")
    check_header(path, table)
    # The checksum is read alongside DuckDB's load (both release the GIL), not after it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        checksum = pool.submit(file_sha256, path)
        row_count = _load(connection, table, path)
    return LoadResult(row_count=row_count, sha256=checksum.result())


def _load(connection: duckdb.DuckDBPyConnection, table: SeedTable, path: Path) -> int:
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    connection.execute("begin transaction")
    try:
        try:
            connection.execute(
                f"create or replace table {RAW_SCHEMA}.{_quote(table.name)} as "
                f"select * from read_csv($path, {_read_csv_options(table)})",
                {"path": str(path)},
            )
        except duckdb.InvalidInputException as error:  # the reader gave up on the file, not on a line of it
            raise unparsable_file_error(path, error) from None
        _raise_on_rejected_lines(connection, table, path)
        row_count = connection.execute(f"select count(*) from {RAW_SCHEMA}.{_quote(table.name)}").fetchone()[0]
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")
    return row_count


def check_header(path: Path, table: SeedTable) -> None:
    """The header, read on its own: DuckDB takes exactly these columns, whatever names the file's first line has."""
    expected = list(table.columns)
    with path.open("rb") as file:
        first_line = file.readline(1 << 16)
        following = file.read(1 << 16)
    if not (first_line.removeprefix(b"\xef\xbb\xbf") + following).strip():
        raise SeedFileError(f"{path}: the file is empty; expected a header line: {','.join(expected)}")
    try:
        header_text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SeedFileError(
            f"{path}, line 1 (header): not valid UTF-8; expected the file saved as UTF-8 "
            "(CSV UTF-8 in a spreadsheet's Save As)"
        ) from None
    # Lines may end in \r alone (old Mac files): the header is the text before the first line break of any kind.
    header = next(csv.reader(header_text.splitlines()[:1]), [])
    header = [name.strip() for name in header]
    if header != expected:
        missing = [name for name in expected if name not in header]
        unexpected = [name for name in header if name not in expected]
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unexpected:
            problems.append(f"unexpected column(s) {', '.join(unexpected)}")
        if not problems:
            problems.append("columns in a different order")
        raise SeedFileError(
            f"{path}, line 1 (header): {'; '.join(problems)}; expected exactly these columns in this order: "
            f"{','.join(expected)}"
        )


def _read_csv_options(table: SeedTable) -> str:
    columns = ", ".join(f"'{name}': '{data_type}'" for name, data_type in table.columns.items())
    return (
        f"columns = {{{columns}}}, header = true, auto_detect = false, delim = ',', quote = '\"', "
        "escape = '\"', dateformat = '%Y-%m-%d', strict_mode = true, "
        "store_rejects = true, rejects_scan = 'seed_reject_scans', rejects_table = 'seed_reject_errors'"
    )


def _raise_on_rejected_lines(connection: duckdb.DuckDBPyConnection, table: SeedTable, path: Path) -> None:
    rejected = connection.execute(
        "select line, column_idx, column_name, error_type, csv_line from seed_reject_errors order by line, column_idx"
    ).fetchall()
    if not rejected:
        return
    # One sentence a line for a broken line: DuckDB reports an undecodable line again for every field it then misses.
    undecodable = {row[0] for row in rejected if row[3] == "INVALID ENCODING"}
    seen, unique = set(), []
    for row in rejected:
        line, _, column, error, _ = row
        key = (line, error, column if error == "CAST" else None)
        if key in seen or (line in undecodable and error != "INVALID ENCODING"):
            continue
        seen.add(key)
        unique.append(row)
    rejected = unique
    columns = list(table.columns)
    problems = [describe_rejected_line(columns, table, *row) for row in rejected[:MAX_REPORTED_ERRORS]]
    raise rejected_lines_error(path, len(rejected), problems)


def unparsable_file_error(path: Path, error: duckdb.InvalidInputException) -> SeedFileError:
    """The error for a file DuckDB's reader cannot follow at all, with the line that explains why where one does."""
    with path.open("rb") as file:
        for number, line in enumerate(file, 1):
            if b"\r" in line.rstrip(b"\r\n"):
                return SeedFileError(
                    f"{path}, line {number}: a carriage return (\\r) inside the line; expected each line to end in "
                    "one line break (\\n or \\r\\n) and nothing of the kind within it"
                )
    reason = str(error).splitlines()[0]
    return SeedFileError(
        f"{path}: not readable as CSV ({reason}); expected comma-separated lines, with values that contain a comma, "
        "a double quote or a line break in double quotes"
    )


def rejected_lines_error(path: Path, count: int, problems: list[str]) -> SeedFileError:
    """The error for a file with `count` lines that could not be read, the first of them described."""
    shown = problems[:MAX_REPORTED_ERRORS]
    if count > len(shown):
        shown.append(f"... and {count - len(shown)} more")
    return SeedFileError(f"{path}: {count} line(s) could not be read:\n  " + "\n  ".join(shown))


def describe_rejected_line(
    columns: list[str],
    table: SeedTable,
    line: int,
    column_idx: int,
    column: str | None,
    error: str,
    csv_line: str,
) -> str:
    fields = next(csv.reader([csv_line.strip("\r\n")]), [])
    if error == "CAST":
        value = fields[column_idx - 1] if column_idx - 1 < len(fields) else ""
        expected = _EXPECTED_BY_TYPE.get(table.columns[column], table.columns[column])
        return f"line {line}, column {column}: value {value!r} is not {expected}"
    if error == "INVALID ENCODING":
        return f"line {line}: not valid UTF-8; expected the file saved as UTF-8 (CSV UTF-8 in a spreadsheet's Save As)"
    if error in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        return (
            f"line {line}: {len(fields)} field(s) where {len(columns)} are expected ({','.join(columns)}); "
            "a value containing a comma must be in double quotes"
        )
    return f"line {line}, column {column or '?'}: {error.lower()} in {csv_line.strip()!r}"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
