"""Asset checks on the consistency findings in marts.fct_consistency_check.

Both checks are blocking so that publishing waits for them; Dagster only stops what is downstream when a check
fails with ERROR severity, so a failed warn rule is recorded and reported while the run goes on.
"""

import dagster as dg

from orchestration.warehouse.resource import WarehouseResource

CONSISTENCY_ASSET = dg.AssetKey(["marts", "fct_consistency_check"])


def _findings(warehouse: WarehouseResource, context: dg.AssetCheckExecutionContext, where: str) -> list[tuple]:
    with warehouse.connect_working(context) as connection:
        return connection.execute(
            f"select rule_id, severity, status, message from marts.fct_consistency_check where {where} "
            "order by rule_id, check_id"
        ).fetchall()


def _result(findings: list[tuple], total: int, severity: dg.AssetCheckSeverity, what: str) -> dg.AssetCheckResult:
    sentences = [
        f"{rule_id} ({rule_severity}, {status}): {message}" for rule_id, rule_severity, status, message in findings
    ]
    return dg.AssetCheckResult(
        passed=not findings,
        severity=severity,
        description="\n".join(sentences) if findings else f"all {total} {what} evaluations hold",
        metadata={"evaluations": total, "findings": len(findings), "rules": sorted({f[0] for f in findings})},
    )


@dg.asset_check(
    asset=CONSISTENCY_ASSET,
    blocking=True,
    description="Every consistency rule of severity error holds. A failure stops publication.",
)
def error_rules_hold(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    findings = _findings(warehouse, context, "severity = 'error' and status = 'fail'")
    total = len(_findings(warehouse, context, "severity = 'error'"))
    for finding in findings:
        context.log.error(f"{finding[0]}: {finding[3]}")
    return _result(findings, total, dg.AssetCheckSeverity.ERROR, "error-severity rule")


@dg.asset_check(
    asset=CONSISTENCY_ASSET,
    blocking=True,  # publishing waits for it; a WARN failure never blocks
    description=(
        "Every consistency rule of severity warn holds, and every rule of severity error could be evaluated. "
        "Findings are recorded and reported; they do not stop publication."
    ),
)
def warn_rules_hold(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    findings = _findings(
        warehouse,
        context,
        "(severity = 'warn' and status = 'fail') or (severity = 'error' and status = 'not_evaluable')",
    )
    total = len(_findings(warehouse, context, "severity = 'warn' or status = 'not_evaluable'"))
    for finding in findings:
        context.log.warning(f"{finding[0]}: {finding[3]}")
    return _result(findings, total, dg.AssetCheckSeverity.WARN, "warn-severity or unevaluable rule")


consistency_checks = [error_rules_hold, warn_rules_hold]
