"""What readers get from each publication, as Dagster assets: the data page, always, and the PostgreSQL serving copy
when a serving database is configured (SERVING_DATABASE_URL)."""

import time

import dagster as dg

from orchestration.serving.postgres import Descriptions, copy_marts
from orchestration.serving.site.page import build_site
from orchestration.warehouse import dbt, settings
from orchestration.warehouse.resource import WarehouseResource


class ServingDatabaseResource(dg.ConfigurableResource):
    """The PostgreSQL database BI tools read: the loader's connection URL and the role BI users log in as."""

    url: str
    reader_role: str = settings.SERVING_READER_ROLE.default


@dg.asset(
    key="postgres_serving_copy",
    deps=["published_warehouse"],
    group_name="publish",
    kinds={"postgres"},
    description=(
        "Every mart of the published warehouse copied to PostgreSQL for BI tools: streamed with COPY into a loading "
        "schema, then swapped in for `marts` in one transaction; dbt descriptions become comments."
    ),
)
def postgres_serving_copy(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, serving_database: ServingDatabaseResource
) -> dg.MaterializeResult:
    descriptions = Descriptions.from_manifest(dbt.manifest())
    copied = copy_marts(
        warehouse.engine.reader_path(warehouse.paths), serving_database.url, descriptions, serving_database.reader_role
    )
    context.log.info(f"copied {sum(copied.values())} rows in {len(copied)} tables to the serving database")
    return dg.MaterializeResult(metadata={"rows_per_table": copied, "tables": len(copied)})


def serving_database_from_settings() -> ServingDatabaseResource | None:
    """The serving database SERVING_DATABASE_URL names, or None when it is unset."""
    url = settings.SERVING_DATABASE_URL()
    return ServingDatabaseResource(url=url, reader_role=settings.SERVING_READER_ROLE()) if url else None


@dg.asset(
    key="data_page",
    deps=["published_warehouse"],
    group_name="publish",
    kinds={"html"},
    description=(
        "The data page: a static site beside the published warehouse (site/index.html) with a chart and the table of "
        "figures of every indicator, the findings, computing power at a glance and the publication's provenance. "
        "It opens from the file system with no network; every chart's data is also a CSV file."
    ),
)
def data_page(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    started = time.perf_counter()
    paths = warehouse.paths
    page = build_site(warehouse.engine.reader_path(paths), paths.site_dir, paths.report_path)
    context.log.info(f"wrote the data page {page} in {time.perf_counter() - started:.1f} s")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(page)), "size_bytes": page.stat().st_size})
