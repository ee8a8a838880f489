"""The seed files loaded on Apache Spark (docs/spark.md): each CSV file read by Spark's CSV reader with the schema its
contract declares (dbt_project/models/staging/_sources.yml, as on DuckDB), failing on the first malformed line, and
written as Parquet to <raw_dir>/<name>, where dbt's `spark` target declares raw.<name> over it
(dbt_project/macros/engines/catalog.sql). Each row keeps its place in the file (SEED_ORDER, DuckDB's rowid), so that a
broken input contract names its line."""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.loading import LoadResult, SeedFileError, check_header
from orchestration.ingest.seed_tables import SeedTable
from orchestration.warehouse.files import file_sha256

# Spark numbers rows by partition, then within it: (partition << 33) + position. The partitions of one CSV file are
# its consecutive byte ranges, so the order is the file's (seed_positions turns it into 0, 1, 2, ...).
SEED_ORDER = "_seed_order"

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
    """Write the rows of the CSV file at `path` to <raw_dir>/<table.name> as Parquet. The header is checked as on
    DuckDB, with the same named errors."""
    from pyspark.sql import functions as F

    if not path.is_file():
        raise SeedFileError(f"{path}: file not found; expected the seed file for raw.{table.name}")
    check_header(path, table)
    schema = ", ".join(f"`{name}` {SPARK_TYPES[data_type]}" for name, data_type in table.columns.items())
    # As DuckDB reads them: quotes doubled inside quoted fields, ISO dates, an empty field as null.
    frame = session.read.csv(
        str(path),
        schema=schema,
        header=True,
        mode="FAILFAST",
        encoding="UTF-8",
        quote='"',
        escape='"',
        dateFormat="yyyy-MM-dd",
    )
    frame.withColumn(SEED_ORDER, F.monotonically_increasing_id()).write.mode("overwrite").parquet(
        str(raw_dir / table.name)
    )
    row_count = session.read.parquet(str(raw_dir / table.name)).count()
    return LoadResult(row_count=row_count, sha256=file_sha256(path))


def seed_positions(session, raw_folder: Path, orders: list[int]) -> dict[int, int]:
    """The position in its file (0 for the first record) of each row of a raw table, from its SEED_ORDER."""
    rows_per_partition = dict(
        session.read.parquet(str(raw_folder))
        .selectExpr(f"shiftright({SEED_ORDER}, 33) as partition")
        .groupBy("partition")
        .count()
        .collect()
    )
    before, offsets = 0, {}
    for partition in sorted(rows_per_partition):
        offsets[partition] = before
        before += rows_per_partition[partition]
    return {order: offsets[order >> 33] + (order & ((1 << 33) - 1)) for order in orders}
