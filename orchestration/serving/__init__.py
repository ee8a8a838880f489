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
    """A read-only, locked-down connection to the published warehouse (WAREHOUSE_PATH by default)."""
    path = Path(path) if path else settings.warehouse_path()
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}; build it with `make run`")
    return duckdb.connect(str(path), read_only=True, config=dict(LOCKED_DOWN_CONFIG))


def sqlalchemy_url(path: str | Path | None = None) -> str:
    """The SQLAlchemy URL of the published warehouse (duckdb-engine), for notebooks and Superset."""
    return f"duckdb:///{Path(path) if path else settings.warehouse_path()}"


def sqlalchemy_engine(path: str | Path | None = None):
    """A SQLAlchemy engine on the published warehouse with the same read-only, locked-down connections."""
    import sqlalchemy

    return sqlalchemy.create_engine(
        sqlalchemy_url(path), connect_args={"read_only": True, "config": dict(LOCKED_DOWN_CONFIG)}
    )
