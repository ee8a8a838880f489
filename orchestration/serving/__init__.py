"""Read access for analysts and BI tools: locked-down DuckDB connections to the published warehouse.

    from orchestration.serving import connect
    df = connect().sql("select * from marts.mart_computing_power").df()

The connection is read-only and cannot reach anything but the warehouse: no reading or writing other files (read_csv,
COPY ... TO, ATTACH, EXPORT), no installing or loading extensions, no changing settings.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse import settings

# Order matters: lock_configuration last, so that nothing after it can undo the others.
LOCKED_DOWN_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only, locked-down connection to the published warehouse (WAREHOUSE_PATH by default). A publication on
    Spark is read through its DuckDB views (orchestration/engines/spark/tables.py), which may read the
    publication's own Parquet files and nothing else."""
    path = Path(path) if path else settings.WAREHOUSE_PATH()
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}; build it with `make run`")
    if not (path.parent / "marts.db").is_dir():
        return duckdb.connect(str(path), read_only=True, config=dict(LOCKED_DOWN_CONFIG))
    # DuckDB takes the allowed folder only while external access is on, so the settings are made in this order.
    config = {
        key: value
        for key, value in LOCKED_DOWN_CONFIG.items()
        if key in ("autoinstall_known_extensions", "autoload_known_extensions")
    }
    connection = duckdb.connect(str(path), read_only=True, config=config)
    connection.execute("set allowed_directories = $folders", {"folders": [f"{path.parent}/"]})
    for key in ("enable_external_access", "lock_configuration"):
        connection.execute(f"set {key} = {str(LOCKED_DOWN_CONFIG[key]).lower()}")
    return connection


def sqlalchemy_url(path: str | Path | None = None) -> str:
    """The SQLAlchemy URL of the published warehouse (duckdb-engine), for notebooks and Superset."""
    return f"duckdb:///{Path(path) if path else settings.WAREHOUSE_PATH()}"


def sqlalchemy_engine(path: str | Path | None = None):
    """A SQLAlchemy engine on the published warehouse with the same read-only, locked-down connections."""
    import sqlalchemy

    return sqlalchemy.create_engine(
        sqlalchemy_url(path), connect_args={"read_only": True, "config": dict(LOCKED_DOWN_CONFIG)}
    )
