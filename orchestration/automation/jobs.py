"""The refresh job and the daily schedule that runs it."""

import dagster as dg

from orchestration.warehouse import settings
from orchestration.warehouse.resource import START_FROM_TAG

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    description="Load every seed file, check it, build and test every model, and publish the warehouse.",
    tags={START_FROM_TAG: "empty"},
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule=settings.refresh_cron(),
    execution_timezone=settings.refresh_timezone(),
    description="Rebuilds and publishes the whole warehouse every day (REFRESH_CRON, REFRESH_TIMEZONE).",
)
