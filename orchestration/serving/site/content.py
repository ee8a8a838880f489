"""What the data page shows, read from the published warehouse through a locked-down read-only connection.

Everything here is read from the marts and the audit tables; nothing is computed that the warehouse does not say,
except the order things are shown in and the extent of each chart's axis.

The page is the national picture: it draws the figures of country-level geographies, the latest MAX_FIGURES of each
indicator, and lists the first MAX_FINDINGS findings (conflicts first); it says how many it leaves to the warehouse
(provincial and monthly detail at scale runs to millions of figures, which `make export` and SQL serve).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from orchestration import serving

MAX_FIGURES = 100  # per indicator: a chart stays legible, the page under ~50 MB at any scale
MAX_FINDINGS = 300
# Failures first, then what could not be checked, then what holds.
STATUS_RANK = "case status when 'fail' then 0 when 'not_evaluable' then 1 else 2 end"

# The page's geography: China, the one country without a parent (the world and other countries have their own
# levels or a parent). A query joins marts.dim_geography as `geographies` to use it.
CHINA = "geographies.level = 'country' and geographies.parent_code is null"

FIGURES = f"""
    with national as (
        select
            figures.*,
            coalesce(sources.title, sources.outlet) as source_title,
            sources.outlet as source_outlet,
            sources.published_on as source_published_on,
            sources.url as source_url,
            sources.language as source_language,
            bases.name as basis_name,
            bodies.short_name as body_short_name,
            count(*) over (partition by figures.indicator_code) as figures_national,
            row_number() over (
                partition by figures.indicator_code
                order by figures.period_end desc, figures.source_id, figures.observation_id
            ) as recency
        from marts.fct_indicator_observation as figures
        inner join marts.dim_source as sources using (source_id)
        inner join marts.dim_basis as bases using (basis_code)
        inner join marts.dim_body as bodies using (body_code)
        inner join marts.dim_geography as geographies using (geography_code)
        where {CHINA}
    )
    select * exclude (recency) from national
    where recency <= $max_figures
    order by indicator_code, period_end, source_id, observation_id
"""

# The conflicts, one line each: errors first, then those with the most findings behind them.
CONFLICTS = """
    select * from marts.mart_conflict
    order by case severity when 'error' then 0 else 1 end, finding_count desc, conflict_id
"""

# Each indicator's national series, one per basis (marts.mart_indicator_series): the line drawn through its figures.
SERIES = f"""
    select series.*, bases.name as basis_name
    from marts.mart_indicator_series as series
    inner join marts.dim_basis as bases using (basis_code)
    inner join marts.dim_geography as geographies using (geography_code)
    where {CHINA}
    order by series.indicator_code, series.basis_code, series.period_end
"""

# China's capacities side by side, a row per date and basis (the provinces', hubs' and world's are in the mart).
COMPUTING_POWER = f"""
    select power.*
    from marts.mart_computing_power as power
    inner join marts.dim_geography as geographies using (geography_code)
    where {CHINA}
    order by power.as_of_date, power.basis_code
"""

FINDINGS = f"""
    select * from marts.fct_consistency_check
    order by {STATUS_RANK}, severity != 'error', check_id
    limit $max_findings
"""

# The expectation a finding sets for the figure it tests: the figure among its own whose value and date it reports as
# observed, in the same unit (a share rule tests the part, a growth-path rule the level, and so on).
EXPECTATIONS = """
    select distinct
        checks.check_id,
        checks.rule_id,
        checks.status,
        figures.indicator_code,
        checks.period_end,
        checks.expected_lower,
        checks.expected_upper,
        figures.observation_id
    from marts.fct_consistency_check as checks
    inner join marts.fct_consistency_check_observation as bridge using (check_id)
    inner join marts.fct_indicator_observation as figures using (observation_id)
    where checks.status in ('pass', 'fail')
        and (checks.expected_lower is not null or checks.expected_upper is not null)
        and figures.value_canonical = checks.observed_value
        and figures.period_end = checks.period_end
        and figures.canonical_unit = checks.canonical_unit
    order by checks.check_id
"""

# Where a reported growth rate takes the level it starts from: a level at the end of the day before a growth period
# begins, grown by the rate as the growth_consistency rules read it (observed_lower..observed_upper percent, an open
# "more than" closed by the rule's factor). Drawn on the level's chart, so that a forecast growth meets the levels.
GROWTH_PATHS = """
    select distinct
        level.indicator_code,
        level.observation_id || ' grown by ' || growth.observation_id as path_id,
        level.period_end as from_date,
        level.value_canonical as from_value,
        growth.period_end as to_date,
        level.value_canonical * (1 + checks.observed_lower / 100) as to_low,
        level.value_canonical * (1 + checks.observed_upper / 100) as to_high,
        growth.is_forecast,
        growth.observation_id as growth_observation_id,
        growth.source_id as growth_source_id,
        growth.qualifier as growth_qualifier,
        growth.value_reported as growth_value,
        growth.unit_reported as growth_unit,
        level.observation_id
    from marts.fct_consistency_check as checks
    inner join marts.fct_consistency_check_observation as growth_role
        on checks.check_id = growth_role.check_id and growth_role.role = 'growth'
    inner join marts.fct_indicator_observation as growth on growth_role.observation_id = growth.observation_id
    inner join marts.fct_consistency_check_observation as level_role
        on checks.check_id = level_role.check_id and level_role.role = 'start_level'
    inner join marts.fct_indicator_observation as level on level_role.observation_id = level.observation_id
    where checks.rule_type = 'growth_consistency'
        and level.period_end = growth.period_start - interval 1 day
        and checks.observed_lower is not null
    order by path_id
"""


@dataclass
class Indicator:
    code: str
    name: str
    description: str
    canonical_unit: str
    figures: list[dict]  # rows of marts.fct_indicator_observation, with their source's title, date and link
    figures_national: int  # all its country-level figures; `figures` holds the latest MAX_FIGURES
    expectations: list[dict]  # what the findings expect of these figures
    growth_paths: list[dict]  # where reported growth rates take these levels
    series: list[dict]  # rows of marts.mart_indicator_series: the chosen figure per basis and date

    @property
    def csv_name(self) -> str:
        return download(self.code)


@dataclass
class Finding:
    row: dict  # a row of marts.fct_consistency_check
    figures: list[dict] = field(default_factory=list)  # each figure it used, with its role

    def figure(self, role: str) -> dict | None:
        return next((figure for figure in self.figures if figure["role"] == role), None)


@dataclass
class Content:
    publication: dict  # the newest row of audit.publish_log
    conflicts: list[dict]  # rows of marts.mart_conflict, errors and the most-evidenced first
    indicators: list[Indicator]
    unreported: list[dict]  # indicators in the catalog with no figure yet
    findings: list[Finding]  # the first MAX_FINDINGS, conflicts first
    findings_by_status: dict[str, int]  # all of them
    figures_elsewhere: int  # figures of provinces and hubs, not drawn
    computing_power: list[dict]  # marts.mart_computing_power, with each basis's name
    tables: dict[str, pd.DataFrame]  # what each CSV download holds, by its path in the site
    figures_drawn: pd.DataFrame  # the figures of every indicator's chart as the mart has them: a download each


def read(warehouse_path: Path, max_figures: int = MAX_FIGURES, max_findings: int = MAX_FINDINGS) -> Content:
    with serving.connect(warehouse_path) as connection:

        def rows(query: str, parameters: dict | None = None) -> list[dict]:
            """The page's rows as plain Python values (None where missing): hundreds of indicators at scale, and
            pandas' cost per operation on a small frame would outweigh the work."""
            cursor = connection.execute(query, parameters)
            columns = [column[0] for column in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

        observation_columns = [row[0] for row in connection.sql("describe marts.fct_indicator_observation").fetchall()]
        figures = rows(FIGURES, {"max_figures": max_figures})
        shown = {figure["observation_id"] for figure in figures}
        expectations = [row for row in rows(EXPECTATIONS) if row["observation_id"] in shown]
        growth_paths = [row for row in rows(GROWTH_PATHS) if row["observation_id"] in shown]
        series = [row for row in rows(SERIES) if row["observation_id"] in shown]
        catalog = rows("select * from marts.dim_indicator order by indicator_code")
        checks = rows(FINDINGS, {"max_findings": max_findings})
        bridge = rows(
            f"select bridge.*, figures.indicator_code, figures.value_reported, figures.unit_reported,"
            f" figures.value_canonical, figures.canonical_unit, figures.qualifier, figures.period_end,"
            f" figures.source_id"
            f" from marts.fct_consistency_check_observation as bridge"
            f" inner join marts.fct_indicator_observation as figures using (observation_id)"
            f" where bridge.check_id in (select check_id from ({FINDINGS}))"
            f" order by bridge.check_id, bridge.role, bridge.observation_id",
            {"max_findings": max_findings},
        )
        by_status = dict(
            connection.sql("select status, count(*) from marts.fct_consistency_check group by all").fetchall()
        )
        figures_elsewhere = connection.sql(
            "select count(*) from marts.fct_indicator_observation"
            " inner join marts.dim_geography using (geography_code) where level != 'country'"
        ).fetchone()[0]
        basis_names = dict(connection.sql("select basis_code, name from marts.dim_basis").fetchall())
        computing_power = [{**row, "basis_name": basis_names[row["basis_code"]]} for row in rows(COMPUTING_POWER)]
        conflicts = rows(CONFLICTS)
        publication = rows("select * from audit.publish_log order by published_at desc limit 1")
        # The downloads, as frames DuckDB writes to CSV (the figures' query runs a second time for its frame).
        figures_drawn = _frame(connection, FIGURES, {"max_figures": max_figures})[observation_columns]
        tables = {
            "data/conflicts.csv": _frame(connection, CONFLICTS),
            "data/findings.csv": _frame(connection, FINDINGS, {"max_findings": max_findings}),
            "data/computing_power.csv": _frame(connection, COMPUTING_POWER),
        }

    figures_of = _by_indicator(figures)
    expectations_of = _by_indicator(expectations)
    growth_paths_of = _by_indicator(growth_paths)
    series_of = _by_indicator(series)
    indicators, unreported = [], []
    for row in catalog:
        code = row["indicator_code"]
        if code not in figures_of:
            unreported.append(row)
            continue
        indicators.append(
            Indicator(
                code=code,
                name=row["name"],
                description=row["description"],
                canonical_unit=row["canonical_unit"],
                figures=figures_of[code],
                figures_national=figures_of[code][0]["figures_national"],
                expectations=expectations_of.get(code, []),
                growth_paths=growth_paths_of.get(code, []),
                series=series_of.get(code, []),
            )
        )

    findings = [Finding(row=row) for row in checks]
    used = {finding.row["check_id"]: finding.figures for finding in findings}
    for row in bridge:
        used[row["check_id"]].append(row)

    publication_row = publication[0] if publication else {}
    if isinstance(publication_row.get("seed_checksums"), str):
        publication_row["seed_checksums"] = json.loads(publication_row["seed_checksums"])
    return Content(
        publication_row,
        conflicts,
        indicators,
        unreported,
        findings,
        by_status,
        figures_elsewhere,
        computing_power,
        tables,
        figures_drawn,
    )


def _frame(connection, query: str, parameters: dict | None = None) -> pd.DataFrame:
    """A query's rows as a frame whose dates stay dates: pandas would make them timestamps, and the CSV downloads
    would print "2024-12-31 00:00:00"."""
    cursor = connection.execute(query, parameters)
    frame = cursor.df()
    for name, kind, *_ in cursor.description:
        if str(kind) == "DATE":
            frame[name] = frame[name].dt.date
    return frame


def download(indicator_code: str) -> str:
    """Where the CSV file of an indicator's figures is, in the site."""
    return f"data/{indicator_code}.csv"


def _by_indicator(rows: Iterable[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["indicator_code"], []).append(row)
    return grouped
