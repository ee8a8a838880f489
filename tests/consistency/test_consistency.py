"""Consistency findings and check results in the warehouse built from the repository's seeds."""

import math
from pathlib import Path

import duckdb
import pytest

from tests.conftest import refresh


def findings(warehouse_sql, rule_id: str) -> list[dict]:
    columns = [
        "observation_ids",
        "severity",
        "status",
        "expected_value",
        "expected_lower",
        "expected_upper",
        "observed_value",
        "observed_lower",
        "observed_upper",
        "tolerance",
        "deviation",
        "source_ids",
        "basis_codes",
        "message",
    ]
    rows = warehouse_sql(
        f"select {', '.join(columns)} from marts.fct_consistency_check where rule_id = ? order by check_id", [rule_id]
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def finding(warehouse_sql, rule_id: str, observation_ids: str) -> dict:
    """The one finding of `rule_id` over exactly these figures (its observation_ids)."""
    [found] = [f for f in findings(warehouse_sql, rule_id) if f["observation_ids"] == observation_ids]
    return found


# The seeds' own figures of the end of 2024: 90 EFLOPS of intelligent computing, 32 % of 280 EFLOPS in all.
SHARE_2024 = "ccpc25-intelligent-capacity-2024-end, nda24-intelligent-share-2024, nda24-total-capacity-2024"


def test_32_percent_of_280_is_about_90_at_severity_error(warehouse_sql):
    share = finding(warehouse_sql, "intelligent_share_of_total_2024", SHARE_2024)

    assert share["severity"] == "error" and share["status"] == "pass"
    assert share["expected_value"] == pytest.approx(0.32 * 280)
    assert share["observed_value"] == 90
    assert "90 EFLOPS (ccpc_2025" in share["message"] and "280 EFLOPS (nda_computing_2024" in share["message"]


def test_the_tolerance_is_how_far_the_rounded_figures_let_them_drift_apart(warehouse_sql):
    share = finding(warehouse_sql, "intelligent_share_of_total_2024", SHARE_2024)

    # 32 stands for 31.5..32.5, 280 for 279.5..280.5, 90 for 89.5..90.5 (half a unit of the last written digit).
    expected, expected_upper = 0.32 * 280, 0.325 * 280.5
    observed, observed_lower = 90, 89.5
    assert share["expected_lower"] == pytest.approx(0.315 * 279.5)
    assert share["expected_upper"] == pytest.approx(expected_upper)
    assert share["observed_lower"] == pytest.approx(observed_lower)
    assert share["deviation"] == pytest.approx((observed - expected) / expected)
    assert share["tolerance"] == pytest.approx((expected_upper - expected + observed - observed_lower) / expected)
    assert abs(share["deviation"]) <= share["tolerance"]


def test_growth_from_the_nda_survey_to_fp16_is_not_comparable_with_the_ratio(warehouse_sql):
    # 90 EFLOPS (NDA survey, end of 2024) to 1.59 million PFLOPS (FP16, end of 2025): a change of basis, not growth.
    growth = finding(
        warehouse_sql,
        "intelligent_growth_2025",
        "ccpc25-intelligent-growth-2025, ccpc25-intelligent-capacity-2024-end, ndrs25-intelligent-capacity-2025",
    )
    assert growth["severity"] == "warn" and growth["status"] == "not_comparable"
    assert growth["basis_codes"] == "unspecified, nda_survey, fp16"
    assert growth["expected_value"] == pytest.approx(100 * (1590 / 90 - 1))  # still evaluated, for the record
    message = growth["message"]
    for words in (
        "Not comparable: growth of more than 40 percent (ccpc_2025",
        "90 EFLOPS (ccpc_2025, 2024-12-31)",
        "1.59 million PFLOPS = 1590 EFLOPS (ndrs_2025, 2025-12-31, date inferred)",
        "counted on different bases (unspecified, nda_survey, fp16), the one 17.67 times the other",
        "a difference of measure, not a conflict",
    ):
        assert words in message, message


def test_the_june_2025_level_in_fp16_is_not_compared_with_growth_from_the_nda_survey(warehouse_sql):
    level = finding(
        warehouse_sql,
        "intelligent_level_path_2025",
        "ccpc25-intelligent-growth-2025, ccpc25-intelligent-capacity-2024-end, ccpc25-intelligent-capacity-2025-06",
    )
    assert level["severity"] == "warn" and level["status"] == "not_comparable"
    assert level["observed_value"] == 788
    assert "the one 8.756 times the other" in level["message"], level["message"]


def test_figures_of_one_basis_are_compared_and_an_unstated_basis_is_said(warehouse_sql):
    share = finding(warehouse_sql, "intelligent_share_of_total_2024", SHARE_2024)
    assert (share["status"], share["basis_codes"]) == ("pass", "nda_survey, nda_survey, nda_survey")
    assert "basis" not in share["message"]
    [tokens] = findings(warehouse_sql, "token_calls_within_daily_rates_2025")
    assert tokens["status"] == "fail" and "The basis of a figure compared is not stated." in tokens["message"]


def test_cumulative_token_calls_fit_neither_a_straight_line_nor_steady_growth_between_the_daily_rates(warehouse_sql):
    [tokens] = findings(warehouse_sql, "token_calls_within_daily_rates_2025")

    # 365 days from "more than 1" (read up to 1.5) to 100 trillion a day; about 21,100 trillion is 20,045 or more.
    assert tokens["severity"] == "warn" and tokens["status"] == "fail"
    assert tokens["expected_value"] == pytest.approx(365 * (1 + 100) / 2 * 1e12)  # the straight line, the nearer
    assert tokens["expected_upper"] == pytest.approx(365 * (1.5 + 100.5) / 2 * 1e12)
    compound = 365 * (100 - 1) / math.log(100)  # about 7,847 trillion
    message = tokens["message"]
    assert f"steady compound growth {compound:.0f}" in message and "consistent with neither path" in message


def test_the_june_to_december_2025_step_is_a_finding_of_its_own(warehouse_sql):
    step = finding(
        warehouse_sql,
        "intelligent_growth_2025",
        "ccpc25-intelligent-growth-2025, ccpc25-intelligent-capacity-2025-06, ndrs25-intelligent-capacity-2025",
    )
    # 788 -> 1,590 EFLOPS in 184 days is about 302 % a year at that pace, against more than 40 % (read up to 60 %).
    assert step["status"] == "fail"
    assert step["expected_value"] == pytest.approx(100 * ((1590 / 788) ** (365 / 184) - 1))
    assert "788 EFLOPS" in step["message"] and "pace of their 184 days" in step["message"]


def test_intelligent_capacity_in_fp16_is_not_compared_with_a_device_side_total(warehouse_sql):
    both_nda = "ccpc25-intelligent-capacity-2024-end, nda24-total-capacity-2024"
    assert finding(warehouse_sql, "intelligent_within_total_2024", both_nda)["status"] == "pass"
    # The same pair is not evaluated again by the rule over every date: one finding per relation and figures.
    assert [f for f in findings(warehouse_sql, "intelligent_within_total") if f["observation_ids"] == both_nda] == []
    # 788 EFLOPS in FP16 against CAICT's device-side total of 962 EFLOPS at mid-2025: two measures.
    mid_2025 = finding(
        warehouse_sql,
        "intelligent_within_total",
        "ccpc25-intelligent-capacity-2025-06, pr0238-total-computing-capacity",
    )
    assert mid_2025["severity"] == "warn" and mid_2025["status"] == "not_comparable"
    assert "fp16, device_side" in mid_2025["message"]


def test_every_rule_is_evaluated(warehouse_sql):
    rules = {row[0] for row in warehouse_sql("select rule_id from staging.stg_seeds__consistency_rules")}
    evaluated = {row[0] for row in warehouse_sql("select distinct rule_id from marts.fct_consistency_check")}
    assert rules == evaluated and len(rules) >= 5


def test_check_results_are_queryable_in_the_warehouse(warehouse_sql):
    outcomes = dict(warehouse_sql("select outcome, count(*) from audit.check_results group by outcome"))
    assert outcomes.get("failed", 0) == 0
    assert outcomes["warned"] == 1  # the consistency rules of severity warn, with their conflicts
    assert outcomes["passed"] > 50
    contracts = warehouse_sql("select table_name, passed, violation_count from audit.input_contract_results")
    assert {row[0] for row in contracts} >= {"observations", "units", "indicators", "sources", "geographies"}
    assert all(passed and violations == 0 for _, passed, violations in contracts)


def test_the_quality_report_is_written_beside_the_warehouse(built_warehouse):
    report = built_warehouse.with_name("quality_report.md").read_text()
    assert "The warehouse was published." in report
    assert "0 failed" in report
    assert "intelligent_growth_2025 (warn, fail)" in report
    conflicts = report[report.index("## Conflicts") : report.index("## Warnings")]
    assert "**intelligent_growth_2025#1** (warn, 122 findings): " in conflicts
    assert "Intelligent computing growth more than 40 percent for 2025-01-01 to 2025-12-31 (forecast)" in conflicts


def test_each_figure_a_finding_used_is_joined_through_the_bridge_with_its_role(warehouse_sql):
    roles = warehouse_sql(
        "select bridge.observation_id, bridge.role from marts.fct_consistency_check_observation as bridge "
        "inner join marts.fct_consistency_check as checks using (check_id) "
        "where checks.rule_id = 'intelligent_share_of_total_2024' and checks.observation_ids = ? order by bridge.role",
        [SHARE_2024],
    )
    assert roles == [
        ("ccpc25-intelligent-capacity-2024-end", "part"),
        ("nda24-intelligent-share-2024", "share"),
        ("nda24-total-capacity-2024", "whole"),
    ]
    unmatched = warehouse_sql(
        "select count(*) from marts.fct_consistency_check_observation "
        "anti join marts.fct_indicator_observation using (observation_id)"
    )
    assert unmatched == [(0,)]


def test_the_figures_in_a_failing_finding_are_flagged_as_in_conflict(warehouse_sql):
    in_conflict = warehouse_sql(
        "select round(value_canonical, 6) from marts.fct_indicator_observation "
        "where has_conflict and indicator_code = 'intelligent_computing_capacity' order by 1"
    )
    # 788 (mid-2025) and 1,590 (end of 2025) conflict within FP16 with the growth forecast; 90 (NDA survey) only
    # with figures whose basis is not stated, and 32 % of 280 with nothing.
    assert {(788.0,), (1590.0,), (90.0,)} <= set(in_conflict)
    assert warehouse_sql(
        "select has_conflict from marts.fct_indicator_observation where observation_id = 'nda24-intelligent-share-2024'"
    ) == [(False,)]
    latest = warehouse_sql(
        "select has_conflict from marts.mart_latest_indicator_value "
        "where indicator_code = 'intelligent_computing_capacity' and geography_code = 'CN'"
    )
    assert latest == [(True,)]


def test_a_figure_whose_date_the_seed_chose_says_so(warehouse_sql):
    inferred = dict(warehouse_sql("select observation_id, period_inferred from marts.fct_indicator_observation"))
    assert inferred["ndrs25-intelligent-capacity-2025"] is True  # the survey gives no date for 1.59 million PFLOPS
    assert inferred["ccpc25-intelligent-capacity-2024-end"] is False  # "at the end of 2024"
    assert warehouse_sql(
        "select period_inferred from marts.mart_latest_indicator_value where indicator_code = 'high_quality_datasets'"
    ) == [(True,)]


def test_every_reported_figure_dated_after_its_page_is_found(warehouse_sql):
    late = warehouse_sql(
        "select observation_id from marts.fct_indicator_observation as figures "
        "inner join marts.dim_source using (source_id) "
        "where not figures.is_forecast and figures.period_end > dim_source.published_on order by 1"
    )
    found = warehouse_sql(
        "select distinct bridge.observation_id from marts.fct_consistency_check as checks "
        "inner join marts.fct_consistency_check_observation as bridge using (check_id) "
        "where checks.rule_type = 'reported_before_publication' and checks.status = 'fail' order by 1"
    )
    assert late and found == late
    # The seeds' own pages date every figure before their publication.
    assert not [row for row in late if row[0].startswith(("ndrs25-", "ccpc25-", "nda24-"))]


def test_a_growth_rate_spans_the_period_it_grew_over_never_a_single_day(warehouse_sql):
    # "growing at over 20 percent", cited on a day: the twelve months to that day (docs/data.md, Periods)
    assert (
        warehouse_sql(
            "select observation_id from marts.fct_indicator_observation"
            " where period_type = 'rate' and indicator_code like '%growth%' and period_start = period_end"
        )
        == []
    )


def test_every_finding_that_compared_figures_links_them(warehouse_sql):
    unlinked = warehouse_sql(
        "select checks.check_id from marts.fct_consistency_check as checks "
        "left join marts.fct_consistency_check_observation as bridge using (check_id) "
        "where checks.status != 'not_evaluable' and bridge.check_id is null"
    )
    assert unlinked == []
    # A dated page whose figures all end before it was published: the passing finding names each figure it checked.
    [(checked, linked)] = warehouse_sql(
        "select count(distinct figures.observation_id), count(distinct bridge.observation_id) "
        "from marts.fct_consistency_check as checks "
        "inner join marts.fct_consistency_check_observation as bridge using (check_id) "
        "inner join marts.fct_indicator_observation as figures "
        "on figures.source_id = checks.source_ids and not figures.is_forecast "
        "where checks.rule_type = 'reported_before_publication' and checks.source_ids = 'nda_computing_2024'"
    )
    assert checked > 1 and linked == checked


def test_a_statement_without_a_number_is_a_rule_not_a_figure(warehouse_sql):
    for table, column in (
        ("fct_indicator_observation", "indicator_code"),
        ("mart_latest_indicator_value", "indicator_code"),
    ):
        assert warehouse_sql(f"select count(*) from marts.{table} where {column} = 'ai_training_data_volume'") == [(0,)]
    [finding] = findings(warehouse_sql, "inference_exceeds_training")
    assert finding["status"] == "not_evaluable"


def test_every_mart_table_and_column_carries_its_description_for_duckdb_clients(warehouse_sql):
    undescribed_tables = warehouse_sql(
        "select table_name from duckdb_tables() where schema_name = 'marts' and coalesce(comment, '') = ''"
    )
    undescribed_columns = warehouse_sql(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'marts' and coalesce(comment, '') = ''"
    )
    assert undescribed_tables == [] and undescribed_columns == []
    [(comment,)] = warehouse_sql(
        "select comment from duckdb_columns() where table_name = 'fct_indicator_observation' "
        "and column_name = 'qualifier'"
    )
    assert "more_than" in comment


def test_the_quality_report_lists_every_finding_failures_first(built_warehouse):
    report = built_warehouse.with_name("quality_report.md").read_text()
    findings_section = report[report.index("## Consistency findings") :]
    assert "**pass**: Holds: 90 EFLOPS (ccpc_2025, 2024-12-31) against 32 percent" in findings_section
    assert "**not_evaluable**: Not evaluable" in findings_section
    assert findings_section.index("### intelligent_growth_2025") < findings_section.index(
        "### intelligent_share_of_total_2024"
    )


def test_a_relation_without_period_or_geography_checks_a_figure_added_later(published_before):
    seeds = Path(published_before.seeds_dir)
    observations = seeds / "observations.csv"
    observations.write_text(
        observations.read_text()
        + "added-hub-capacity,intelligent_computing_capacity,CN-HUB-JJJ,ndrs_2025,2025-12-31,2025-12-31,stock,"
        "false,50,EFLOPS,exact,unspecified,nda,false,,,,\n"
        + "added-hub-total,total_computing_capacity,CN-HUB-JJJ,ndrs_2025,2025-12-31,2025-12-31,stock,"
        "false,40,EFLOPS,exact,unspecified,nda,false,,,,\n"
    )
    rules_before = (seeds / "consistency_rules.csv").read_text()

    assert refresh(published_before).success
    assert (seeds / "consistency_rules.csv").read_text() == rules_before
    with duckdb.connect(published_before.published_path, read_only=True) as connection:
        found = connection.execute(
            "select checks.rule_id, checks.geography_code, checks.status from marts.fct_consistency_check as checks "
            "inner join marts.fct_consistency_check_observation as bridge using (check_id) "
            "where bridge.observation_id = 'added-hub-capacity'"
        ).fetchall()
    assert ("intelligent_within_total", "CN-HUB-JJJ", "fail") in found  # 50 EFLOPS of intelligent capacity, 40 in all
