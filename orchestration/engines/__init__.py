"""The engines the warehouse can be built on, each an implementation of the engine seam
(orchestration/warehouse/engine.py), and the one place that chooses among them: WAREHOUSE_ENGINE."""

from __future__ import annotations

from orchestration.engines.duckdb import DuckDBEngine
from orchestration.engines.spark import SparkEngine
from orchestration.warehouse import settings
from orchestration.warehouse.engine import Engine
from orchestration.warehouse.resource import WarehouseResource

ENGINES: dict[str, type[Engine]] = {engine.name: engine for engine in (DuckDBEngine, SparkEngine)}


def chosen(name: str | None = None) -> Engine:
    """The engine `name` (WAREHOUSE_ENGINE by default) names."""
    name = name or settings.warehouse_engine()
    if name not in ENGINES:
        raise ValueError(f"WAREHOUSE_ENGINE={name!r}: expected one of {', '.join(ENGINES)}")
    return ENGINES[name]()


def warehouse(engine: str | None = None, **paths: str) -> WarehouseResource:
    """The warehouse on the chosen engine, at the paths the settings name unless given (seeds_dir, published_path,
    work_dir)."""
    return WarehouseResource(engine=chosen(engine), **paths)
