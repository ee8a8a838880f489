"""The seed files loaded on Apache Spark (docs/spark.md): each CSV file read by Spark's CSV reader with the schema its
contract declares (dbt_project/models/staging/_sources.yml, as on DuckDB), failing on the first malformed line, and
written as Parquet to <raw_dir>/<name>, where dbt's `spark` target declares raw.<name> over it
(dbt_project/macros/engines/catalog.sql). Each row keeps its place in the file (SEED_ORDER, DuckDB's rowid), so that a
broken input contract names its line."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from orchestration.ingest.loading import (
    MAX_REPORTED_ERRORS,
    LoadResult,
    SeedFileError,
    check_header,
    describe_rejected_line,
    rejected_lines_error,
)
from orchestration.ingest.seed_tables import SeedTable
from orchestration.ingest.validation import record_lines
from orchestration.warehouse.files import file_sha256

# Spark numbers rows by partition, then within it: (partition << 33) + position. The partitions of one CSV file are
# its consecutive byte ranges, so the order is the file's (seed_positions turns it into 0, 1, 2, ...).
SEED_ORDER = "_seed_order"
CORRUPT = "_corrupt_record"

# The contracts' types (DuckDB's names) in Spark's.
SPARK_TYPES = {
    "VARCHAR": "string",
    "DOUBLE": "double",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "int",
}


def load_seed_file(session, table: SeedTable, path: Path, raw_dir: Path) -> LoadResult:
    """Write the rows of the CSV file at `path` to <raw_dir>/<table.name> as Parquet, or raise SeedFileError naming
    each line that cannot be read and change nothing. The header is checked as on DuckDB, and a bad line gets
    DuckDB's sentence."""
    from pyspark.sql import functions as F

    if not path.is_file():
        raise SeedFileError(f"{path}: file not found; expected the seed file for raw.{table.name}")
    check_header(path, table)
    schema = ", ".join(f"`{name}` {SPARK_TYPES[data_type]}" for name, data_type in table.columns.items())
    # As DuckDB reads them: quotes doubled inside quoted fields, ISO dates, an empty field as null. A line that does
    # not fit the schema is kept whole in CORRUPT rather than stopping the read, so that every one is named.
    frame = (
        session.read.csv(
            str(path),
            schema=f"{schema}, {CORRUPT} string",
            header=True,
            mode="PERMISSIVE",
            columnNameOfCorruptRecord=CORRUPT,
            encoding="UTF-8",
            quote='"',
            escape='"',
            dateFormat="yyyy-MM-dd",
        )
        .withColumn(SEED_ORDER, F.monotonically_increasing_id())
        .cache()  # Spark reads the corrupt records of a cached file only
    )
    try:
        rejected = frame.where(F.col(CORRUPT).isNotNull()).select(SEED_ORDER, CORRUPT)
        count = rejected.count()
        if count:
            shown = rejected.orderBy(SEED_ORDER).limit(MAX_REPORTED_ERRORS).collect()
            raise _rejected(path, table, frame, count, [(row[SEED_ORDER], row[CORRUPT]) for row in shown])
        frame.drop(CORRUPT).write.mode("overwrite").parquet(str(raw_dir / table.name))
    finally:
        frame.unpersist()
    row_count = session.read.parquet(str(raw_dir / table.name)).count()
    return LoadResult(row_count=row_count, sha256=file_sha256(path))


def _rejected(path: Path, table: SeedTable, frame, count: int, records: list[tuple[int, str]]) -> SeedFileError:
    """DuckDB's error for the lines Spark could not read: the field count, or each value that is not of its type."""
    lines = record_lines(path)
    positions = seed_positions(frame, [order for order, _ in records])
    columns = list(table.columns)
    problems = []
    for order, text in records:
        line = lines[positions[order]] if positions[order] < len(lines) else None
        fields = next(csv.reader([text]), [])
        if len(fields) != len(columns):
            error = "MISSING COLUMNS" if len(fields) < len(columns) else "TOO MANY COLUMNS"
            problems.append(describe_rejected_line(columns, table, line, 0, None, error, text))
            continue
        for index, (column, value) in enumerate(zip(columns, fields, strict=True), start=1):
            if not _reads_as(value, table.columns[column]):
                problems.append(describe_rejected_line(columns, table, line, index, column, "CAST", text))
    return rejected_lines_error(path, max(count, len(problems)), problems)


def _reads_as(value: str, data_type: str) -> bool:
    """Whether a CSV field reads as a value of the column's type (an empty field is a null)."""
    if value == "":
        return True
    try:
        if data_type == "DOUBLE":
            float(value)
        elif data_type in ("BIGINT", "INTEGER"):
            int(value)
        elif data_type == "DATE":
            return len(value) == len("2024-12-31") and bool(date.fromisoformat(value))
        elif data_type == "BOOLEAN":
            return value.lower() in ("true", "false")
    except ValueError:
        return False
    return True


def seed_positions(frame, orders: list[int]) -> dict[int, int]:
    """The position in its file (0 for the first record) of each row of a raw table (a DataFrame), from SEED_ORDER."""
    rows_per_partition = dict(
        frame.selectExpr(f"shiftright({SEED_ORDER}, 33) as partition").groupBy("partition").count().collect()
    )
    before, offsets = 0, {}
    for partition in sorted(rows_per_partition):
        offsets[partition] = before
        before += rows_per_partition[partition]
    return {order: offsets[order >> 33] + (order & ((1 << 33) - 1)) for order in orders}
