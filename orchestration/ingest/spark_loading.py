"""The seed files loaded on Apache Spark (docs/spark.md): each CSV file read by Spark's CSV reader with the schema its
contract declares (dbt_project/models/staging/_sources.yml, as on DuckDB), failing on the first malformed line, and
written as Parquet to <raw_dir>/<name>, where dbt's `spark` target declares raw.<name> over it
(dbt_project/macros/engines/raw_tables.sql)."""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.loading import SeedFileError, check_header
from orchestration.ingest.seed_tables import SeedTable

# The contracts' types (DuckDB's names) in Spark's.
SPARK_TYPES = {
    "VARCHAR": "string",
    "DOUBLE": "double",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "int",
}


def load_seed_file(session, table: SeedTable, path: Path, raw_dir: Path) -> int:
    """Write the rows of the CSV file at `path` to <raw_dir>/<table.name> as Parquet; returns the row count. The
    header is checked as on DuckDB, with the same named errors."""
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
    frame.write.mode("overwrite").parquet(str(raw_dir / table.name))
    return session.read.parquet(str(raw_dir / table.name)).count()
