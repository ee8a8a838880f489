"""Sensors: what happens when a run ends badly."""

import dagster as dg

from orchestration.publish.warehouse import WarehouseResource
from orchestration.quality import report


@dg.run_failure_sensor(
    name="report_failed_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a run fails, writes the quality report of that run beside the published warehouse, saying that nothing "
        "was published and which checks failed."
    ),
)
def report_failed_run(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    records = report.run_check_records(context.instance, context.dagster_run.run_id)
    path = report.write_markdown(warehouse.report_path(), context.dagster_run.run_id, records, published=False)
    context.log.info(f"wrote {path} for failed run {context.dagster_run.run_id}")
