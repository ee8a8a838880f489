"""What a run's checks said: every asset check it evaluated, read back from Dagster's event log for the run, so that
it covers all of them whoever defined them (the input contracts, dbt's tests, the consistency rules)."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class CheckRecord:
    asset: str
    check_name: str
    outcome: str  # passed | warned | failed
    description: str


def run_check_records(instance: dg.DagsterInstance, run_id: str) -> list[CheckRecord]:
    """Every asset check evaluated in the run, in the order they were evaluated (the latest per check)."""
    latest: dict[tuple[str, str], CheckRecord] = {}
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.get_dagster_event().event_specific_data
        if evaluation.passed:
            outcome = "passed"
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            outcome = "warned"
        else:
            outcome = "failed"
        asset = evaluation.asset_key.to_user_string()
        latest[(asset, evaluation.check_name)] = CheckRecord(
            asset, evaluation.check_name, outcome, (evaluation.description or "").strip()
        )
    return list(latest.values())


def counts(records: list[CheckRecord]) -> dict[str, int]:
    return {outcome: sum(r.outcome == outcome for r in records) for outcome in ("passed", "warned", "failed")}
