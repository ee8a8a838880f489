"""Publishing: the run's working file, once every model is built and checked, becomes the published warehouse."""

import dagster as dg

from orchestration.consistency import quality_report
from orchestration.ingest.seed_tables import seed_tables
from orchestration.warehouse import settings
from orchestration.warehouse.check_records import counts, run_check_records
from orchestration.warehouse.connections import duckdb_rows
from orchestration.warehouse.dbt import model_keys
from orchestration.warehouse.files import size_bytes
from orchestration.warehouse.resource import WarehouseResource


@dg.asset(
    key="published_warehouse",
    # Every seed file's load (with its blocking input contract), not only those the marts are built from: a broken
    # catalog file (unit_spellings.csv, read by the proposals) blocks the publication as a broken observation does.
    deps=[*model_keys("marts"), *(dg.AssetKey(["raw", table.name]) for table in seed_tables())],
    group_name="publish",
    kinds={settings.WAREHOUSE_ENGINE()},
    description=(
        "The warehouse analysts open: what this run built, with audit.publish_log and audit.check_results, made "
        "the publication in one atomic step (the previous one is kept for rollback), and the quality report written "
        "beside it. Readers holding the previous publication keep reading it until they reconnect."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    records = run_check_records(context.instance, context.run_id)
    failed = [record for record in records if record.outcome == "failed"]
    if failed:
        # Blocking checks normally stop the run before this step; this guards checks defined without blocking.
        raise dg.Failure(
            description="not published: failed checks: " + ", ".join(f"{r.asset} {r.check_name}" for r in failed)
        )
    engine, paths = warehouse.engine, warehouse.paths
    path = engine.publish(paths, context.run_id, records, warehouse.keep_versions)
    published_rows = duckdb_rows(engine.reader_path(paths))
    report_path = quality_report.write_markdown(
        paths.report_path,
        context.run_id,
        records,
        published=True,
        findings=quality_report.consistency_findings(published_rows),
        new=quality_report.new_figures(published_rows, context.run_id),
        conflicts=quality_report.conflicts(published_rows),
    )
    tally = counts(records)
    context.log.info(f"published {path}; checks {tally}; report {report_path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": size_bytes(path),
            "quality_report": dg.MetadataValue.path(str(report_path)),
            **{f"checks_{outcome}": count for outcome, count in tally.items()},
        }
    )
