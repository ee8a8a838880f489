"""Asset checks on the consistency findings in marts.fct_consistency_check.

Both checks are blocking so that publishing waits for them; Dagster only stops what is downstream when a check
fails with ERROR severity, so a failed warn rule is recorded and reported while the run goes on.
"""

import dagster as dg

from orchestration.warehouse.engine import Run
from orchestration.warehouse.resource import WarehouseResource

CONSISTENCY_ASSET = dg.AssetKey(["marts", "fct_consistency_check"])


# A check's description and log name this many findings; the table and the quality report hold them all. At 1M
# figures a relation over every figure can find tens of thousands, and describing each in Dagster's event log took
# most of a refresh.
MAX_DESCRIBED = 20


def _evaluate(
    warehouse: WarehouseResource,
    context: dg.AssetCheckExecutionContext,
    finding: str,
    evaluated: str,
    severity: dg.AssetCheckSeverity,
    what: str,
) -> dg.AssetCheckResult:
    """The findings that match `finding` among the evaluations that match `evaluated`, counted in SQL; the first
    MAX_DESCRIBED are described and logged."""
    table = "marts.fct_consistency_check"
    engine, paths, run = warehouse.engine, warehouse.paths, Run.of(context)

    def rows(sql: str) -> list[tuple]:
        return engine.rows(paths, run, sql)

    [(total,)] = rows(f"select count(*) from {table} where {evaluated}")
    rules = [row[0] for row in rows(f"select distinct rule_id from {table} where {finding}")]
    [(count,)] = rows(f"select count(*) from {table} where {finding}")
    shown = rows(
        f"select rule_id, severity, status, message from {table} where {finding} "
        f"order by rule_id, check_id limit {MAX_DESCRIBED}",
    )
    sentences = [
        f"{rule_id} ({rule_severity}, {status}): {message}" for rule_id, rule_severity, status, message in shown
    ]
    log = context.log.error if severity == dg.AssetCheckSeverity.ERROR else context.log.warning
    for sentence in sentences:
        log(sentence)
    if count > len(shown):
        sentences.append(f"... and {count - len(shown)} more in {table} and the quality report")
    return dg.AssetCheckResult(
        passed=count == 0,
        severity=severity,
        description="\n".join(sentences) if count else f"all {total} {what} evaluations hold",
        metadata={"evaluations": total, "findings": count, "rules": sorted(rules)},
    )


@dg.asset_check(
    asset=CONSISTENCY_ASSET,
    blocking=True,
    description="Every consistency rule of severity error holds. A failure stops publication.",
)
def error_rules_hold(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return _evaluate(
        warehouse,
        context,
        finding="severity = 'error' and status = 'fail'",
        evaluated="severity = 'error'",
        severity=dg.AssetCheckSeverity.ERROR,
        what="error-severity rule",
    )


@dg.asset_check(
    asset=CONSISTENCY_ASSET,
    blocking=True,  # publishing waits for it; a WARN failure never blocks
    description=(
        "Every consistency rule of severity warn holds, and every rule of severity error could be evaluated. "
        "Findings are recorded and reported; they do not stop publication."
    ),
)
def warn_rules_hold(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return _evaluate(
        warehouse,
        context,
        finding="(severity = 'warn' and status = 'fail') or (severity = 'error' and status = 'not_evaluable')",
        evaluated="severity = 'warn' or status = 'not_evaluable'",
        severity=dg.AssetCheckSeverity.WARN,
        what="warn-severity or unevaluable rule",
    )


consistency_checks = [error_rules_hold, warn_rules_hold]
