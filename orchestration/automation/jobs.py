"""The jobs (refresh, rollback, the serving copy) and the daily schedule that runs the refresh."""

import dagster as dg

from orchestration.serving.site.page import build_site
from orchestration.warehouse import settings
from orchestration.warehouse.engine import START_FROM_TAG
from orchestration.warehouse.files import size_bytes
from orchestration.warehouse.resource import WarehouseResource

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    description="Load every seed file, check it, build and test every model, and publish the warehouse.",
    tags={START_FROM_TAG: "empty"},
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule=settings.REFRESH_CRON(),
    execution_timezone=settings.REFRESH_TIMEZONE(),
    description="Rebuilds and publishes the whole warehouse every day (REFRESH_CRON, REFRESH_TIMEZONE).",
)

# Only in the code location when a serving database is configured (`make serve` configures its own).
copy_to_serving_database = dg.define_asset_job(
    name="copy_to_serving_database",
    selection=["postgres_serving_copy"],
    description="Copy the published warehouse's marts to the PostgreSQL serving database, as it is now.",
)


@dg.op(description="Publish the newest kept version again (a publication of its own) and rewrite the data page.")
def restore_previous_version(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> None:
    engine, paths = warehouse.engine, warehouse.paths
    try:
        restored = engine.restore_kept_version(paths)  # the run's WarehouseResource holds the refresh lock
    except FileNotFoundError as error:
        raise dg.Failure(description=str(error)) from error
    published, version = engine.publication(paths), engine.version_name(restored)
    remaining = len(engine.kept_versions(paths))
    context.log.info(f"restored {version} as {published}; {remaining} older version(s) kept")
    # Recorded as materializations of the assets a refresh writes, so that their history in the UI shows rollbacks.
    context.log_event(
        dg.AssetMaterialization(
            "published_warehouse",
            description=f"rollback: kept version {version} published again",
            metadata={
                "action": "rollback",
                "path": dg.MetadataValue.path(str(published)),
                "restored_version": version,
                "versions_kept": remaining,
                "size_bytes": size_bytes(published),
            },
        )
    )
    page = build_site(engine.reader_path(paths), paths.site_dir, paths.report_path)
    context.log_event(
        dg.AssetMaterialization(
            "data_page", metadata={"path": dg.MetadataValue.path(str(page)), "size_bytes": page.stat().st_size}
        )
    )


@dg.job(
    name="rollback_warehouse",
    description="Publish the previous version of the warehouse again (`make rollback`); the data page follows.",
)
def rollback_warehouse() -> None:
    restore_previous_version()
