"""The quality report: every check a run evaluated, as a table in the warehouse and a Markdown file beside it, led by
the conflicts and with the figures the run added or changed, each with what it agrees or conflicts with.

Published and unpublished runs both write it: the publish step for a publication, and the warehouse resource, through
`QualityReport`, for a run that ended without one (orchestration/warehouse/resource.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.warehouse.check_records import CheckRecord, counts, run_check_records
from orchestration.warehouse.engine import Engine
from orchestration.warehouse.files import atomic_write_text
from orchestration.warehouse.paths import REPORT_NAME, Paths
from orchestration.warehouse.resource import RunReport


class QualityReport(RunReport):
    def write_unpublished(self, instance: dg.DagsterInstance, engine: Engine, paths: Paths, run_id: str, folder: Path):
        records = run_check_records(instance, run_id)
        findings = (
            consistency_findings(lambda sql: engine.rows(paths, None, sql))
            if engine.has_table(paths, "marts", "fct_consistency_check")
            else []
        )
        for path in (paths.report_path, folder / REPORT_NAME):
            write_markdown(path, run_id, records, published=False, findings=findings)


@dataclass(frozen=True)
class Finding:
    """One evaluation of a consistency rule (a row of marts.fct_consistency_check)."""

    rule_id: str
    severity: str
    status: str  # pass | fail | not_comparable | not_evaluable
    message: str
    observation_ids: str | None
    rule_findings: int  # how many findings the rule has in all


# A rule over every figure can have tens of thousands of findings at scale (25 MB of report at 1M figures): the
# report names this many of each rule, failures first, and says how many more the table holds.
MAX_FINDINGS_PER_RULE = 100


def consistency_findings(fetch: Callable[[str], list[tuple]]) -> list[Finding]:
    """The consistency findings of a warehouse that has marts.fct_consistency_check, read with `fetch` (SQL -> rows,
    on either engine), grouped by rule, the rules with failures first and within each rule the failures first (at
    most MAX_FINDINGS_PER_RULE a rule)."""
    rows = fetch(
        f"""
        with ranked as (
            select
                rule_id,
                severity,
                status,
                message,
                observation_ids,
                row_number() over (
                    partition by rule_id
                    order by case status when 'fail' then 0 when 'not_evaluable' then 1 else 2 end, check_id
                ) as position,
                count(*) over (partition by rule_id) as rule_findings,
                min(case status when 'fail' then 0 when 'not_evaluable' then 1 else 2 end)
                    over (partition by rule_id) as rule_order
            from marts.fct_consistency_check
        )
        select rule_id, severity, status, message, observation_ids, rule_findings
        from ranked
        where position <= {MAX_FINDINGS_PER_RULE}
        order by rule_order, rule_id, position
        """
    )
    return [Finding(*row) for row in rows]


@dataclass(frozen=True)
class Conflict:
    """One row of marts.mart_conflict: the failing findings of one rule that share claims, in one sentence."""

    conflict_id: str
    severity: str
    sentence: str
    finding_count: int


def conflicts(fetch: Callable[[str], list[tuple]]) -> list[Conflict]:
    """The conflicts of a published warehouse, errors first, then those with the most findings behind them."""
    rows = fetch(
        """
        select conflict_id, severity, sentence, finding_count
        from marts.mart_conflict
        order by case severity when 'error' then 0 else 1 end, finding_count desc, conflict_id
        """
    )
    return [Conflict(*row) for row in rows]


@dataclass(frozen=True)
class NewFigure:
    """A figure this run published first (new, or a changed row of the seeds), with the findings it takes part in."""

    observation_id: str
    described: str  # indicator, geography, period end, value and unit as reported
    findings: tuple[Finding, ...]  # failures first


@dataclass(frozen=True)
class NewFigures:
    listed: list[NewFigure]  # at most MAX_NEW_FIGURES, those in conflict first
    total: int
    in_conflict: int  # of the total


# A first publication makes every figure new: the report names this many, those in conflict first.
MAX_NEW_FIGURES = 100


def new_figures(fetch: Callable[[str], list[tuple]], run_id: str) -> NewFigures:
    """The figures `run_id` published first (marts.fct_indicator_observation_history) with every consistency finding
    each takes part in: what it agrees with (pass), conflicts with (fail) or could not be compared with; at most
    MAX_NEW_FIGURES of them, with how many there are in all and how many of those are in conflict."""
    run = run_id.replace("'", "''")
    new = f"""
        select figures.*
        from marts.fct_indicator_observation as figures
        inner join marts.fct_indicator_observation_history as history
            on figures.observation_id = history.observation_id
            and history.first_published_run_id = '{run}'
            and history.recorded_until_run_id is null
    """
    [(total, in_conflict)] = fetch(f"select count(*), count(*) filter (where has_conflict) from ({new}) as new")
    rows = fetch(
        f"""
        with new as (
            select * from ({new}) as new
            order by has_conflict desc, observation_id
            limit {MAX_NEW_FIGURES}
        )
        select
            new.observation_id,
            new.indicator_code,
            new.geography_code,
            new.period_end,
            new.value_reported,
            new.unit_reported,
            checks.rule_id,
            checks.severity,
            checks.status,
            checks.message,
            checks.observation_ids
        from new
        left join marts.fct_consistency_check_observation as bridge
            on new.observation_id = bridge.observation_id
        left join marts.fct_consistency_check as checks
            on bridge.check_id = checks.check_id
        order by
            new.has_conflict desc,
            new.observation_id,
            case checks.status when 'fail' then 0 when 'not_evaluable' then 1 else 2 end,
            checks.rule_id,
            checks.check_id
        """
    )
    figures: dict[str, NewFigure] = {}
    for observation_id, indicator, geography, period_end, value, unit, *finding_columns in rows:
        described = f"{indicator}, {geography}, {period_end}: {value:g} {unit}"
        rule_id, severity, status, message, observation_ids = finding_columns
        figure = figures.setdefault(observation_id, NewFigure(observation_id, described, ()))
        if rule_id is not None:
            finding = Finding(rule_id, severity, status, message, observation_ids, 1)
            figures[observation_id] = NewFigure(observation_id, described, (*figure.findings, finding))
    return NewFigures(list(figures.values()), total, in_conflict)


def write_markdown(
    path: Path,
    run_id: str,
    records: list[CheckRecord],
    published: bool,
    findings: list[Finding] = (),
    new: NewFigures = NewFigures([], 0, 0),
    conflicts: list[Conflict] = (),
) -> Path:
    """Write the human-readable report atomically (readers never see half a file)."""
    tally = counts(records)
    verdict = (
        "The warehouse was published."
        if published
        else "Nothing was published: the warehouse published before this run is unchanged."
    )
    lines = [
        "# Quality report",
        "",
        f"Run `{run_id}`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {verdict}",
        "",
        f"{tally['passed']} checks passed, {tally['warned']} warned, {tally['failed']} failed.",
        "",
    ]
    lines += _conflicts_section(conflicts)
    for outcome, heading in (("failed", "Failed"), ("warned", "Warnings"), ("passed", "Passed")):
        selected = [r for r in records if r.outcome == outcome]
        if not selected:
            continue
        lines += [f"## {heading}", ""]
        if outcome == "passed":
            lines += [f"- `{r.asset}` {r.check_name}" for r in selected]
        else:
            for record in selected:
                lines.append(f"- `{record.asset}` **{record.check_name}**")
                lines += [f"  - {line}" for line in record.description.splitlines() if line.strip()]
        lines.append("")
    lines += _new_figures_section(new)
    if findings:
        lines += [
            "## Consistency findings",
            "",
            "Every evaluation of every rule, the rules with failures first and the failures first within each.",
            "",
        ]
        for rule_id in dict.fromkeys(f.rule_id for f in findings):
            of_rule = [f for f in findings if f.rule_id == rule_id]
            lines.append(f"### {rule_id} ({of_rule[0].severity})")
            lines.append("")
            for finding in of_rule:
                figures = f" Figures: {finding.observation_ids}." if finding.observation_ids else ""
                lines.append(f"- **{finding.status}**: {finding.message}{figures}")
            if of_rule[0].rule_findings > len(of_rule):
                lines.append(
                    f"- ... and {of_rule[0].rule_findings - len(of_rule)} more: "
                    f"`select * from marts.fct_consistency_check where rule_id = '{rule_id}'`"
                )
            lines.append("")
    lines += [
        "The same results are in the warehouse: `audit.check_results` (every check), "
        "`marts.fct_consistency_check` (every consistency rule) and `audit.input_contract_results`.",
        "",
    ]
    return atomic_write_text(path, "\n".join(lines))


def _conflicts_section(conflicts: list[Conflict]) -> list[str]:
    if not conflicts:
        return []
    lines = [
        "## Conflicts",
        "",
        f"{len(conflicts)} conflict(s) between published figures, one line each (marts.mart_conflict): the figures "
        "that cannot all be right, the pages that carry them and the rule they break.",
        "",
    ]
    for conflict in conflicts:
        behind = f"{conflict.finding_count} finding{'s' if conflict.finding_count != 1 else ''}"
        lines.append(f"- **{conflict.conflict_id}** ({conflict.severity}, {behind}): {conflict.sentence}")
    return [*lines, ""]


OUTCOME_WORDS = {
    "pass": "agrees",
    "fail": "conflicts",
    "not_comparable": "is on another basis",
    "not_evaluable": "could not be compared",
}


def _new_figures_section(new: NewFigures) -> list[str]:
    if not new.listed:
        return []
    lines = [
        "## New or changed figures",
        "",
        f"{new.total} figure(s) published for the first time by this run (new, or a corrected row of the seeds), "
        f"{new.in_conflict} of them in conflict with another; each with every consistency finding it takes part in.",
        "",
    ]
    for figure in new.listed:
        lines.append(f"- `{figure.observation_id}` ({figure.described})")
        if not figure.findings:
            lines.append("  - no consistency rule relates it to another figure yet (docs/checks.md)")
        for finding in figure.findings:
            others = f" Figures: {finding.observation_ids}." if finding.observation_ids else ""
            lines.append(
                f"  - **{OUTCOME_WORDS.get(finding.status, finding.status)}**, {finding.rule_id} "
                f"({finding.severity}): {finding.message}{others}"
            )
    if new.total > len(new.listed):
        lines.append(
            f"- ... and {new.total - len(new.listed)} more: `select * from marts.fct_indicator_observation_history "
            "where first_published_run_id = '<run id>'`"
        )
    return [*lines, ""]
