"""The engines the warehouse can be built on, each an implementation of the engine seam
(orchestration/warehouse/engine.py), and the one place that chooses among them: WAREHOUSE_ENGINE. An engine's module
is imported only when it is chosen (Spark's reaches for pyspark, and every one loads the stages it runs)."""

from __future__ import annotations

import importlib

from orchestration.warehouse import settings
from orchestration.warehouse.engine import Engine

# Each engine's name (as WAREHOUSE_ENGINE and the publish log give it, and its module's under this package): its class.
ENGINES = {"duckdb": "DuckDBEngine", "spark": "SparkEngine"}


def checked(name: str | None = None) -> str:
    """`name` (WAREHOUSE_ENGINE by default) if it names an engine; ValueError in one sentence if not."""
    name = name or settings.WAREHOUSE_ENGINE()
    if name not in ENGINES:
        raise ValueError(f"WAREHOUSE_ENGINE={name!r}: expected one of {', '.join(ENGINES)}")
    return name


def chosen(name: str | None = None) -> Engine:
    """The engine `name` (WAREHOUSE_ENGINE by default) names."""
    name = checked(name)
    return getattr(importlib.import_module(f"{__name__}.{name}"), ENGINES[name])()


def warehouse(engine: str | None = None, **paths: str):
    """The warehouse resource on the chosen engine, at the paths the settings name unless given (seeds_dir,
    published_path, work_dir)."""
    from orchestration.consistency.quality_report import QualityReport
    from orchestration.warehouse.resource import WarehouseResource

    return WarehouseResource(engine=chosen(engine), report=QualityReport(), **paths)
