-- Every reconciliation rule evaluated on every run: one row per rule and combination of figures it compares.
-- Each int_consistency_ model evaluates one rule type; macros/consistency.sql says how status, deviation and
-- tolerance are derived.
with

rules as (
    select * from {{ ref('stg_seeds__reconciliation_rules') }}
),

evaluations as (
    select * from {{ ref('int_consistency_share_of_total') }}
    union all
    select * from {{ ref('int_consistency_part_within_whole') }}
    union all
    select * from {{ ref('int_consistency_growth') }}
    union all
    select * from {{ ref('int_consistency_growth_path') }}
    union all
    select * from {{ ref('int_consistency_cumulative') }}
    union all
    select * from {{ ref('int_consistency_cross_source') }}
),

compared as (
    select
        evaluations.*,
        rules.rule_type,
        rules.severity,
        rules.subject_indicator_code,
        rules.geography_code,
        rules.description,
        rules.explanation
    from evaluations
    inner join rules
        on evaluations.rule_id = rules.rule_id
),

numbered as (
    select
        *,
        row_number() over (partition by rule_id order by observation_ids) as evaluation_number
    from compared
),

final as (
    select
        rule_id || '#' || cast(evaluation_number as {{ dbt.type_string() }}) as check_id,
        rule_id,
        rule_type,
        severity,
        status,
        subject_indicator_code as indicator_code,
        geography_code,
        period_end,
        expected_value,
        expected_lower,
        expected_upper,
        observed_value,
        observed_lower,
        observed_upper,
        canonical_unit,
        tolerance,
        deviation,
        observation_ids,
        source_ids,
        case status
            when 'not_evaluable' then 'Not evaluable (' || description || '): ' || missing || '.'
            when 'pass' then 'Holds: ' || finding || '; deviation ' || {{ percent_text('deviation') }}
                || coalesce(', within the ' || printf('%.1f', 100 * tolerance) || '% the figures allow', ', within their bounds')
                || '.'
            else 'Conflict: ' || finding || '; deviation ' || {{ percent_text('deviation') }}
                || coalesce(', beyond the ' || printf('%.1f', 100 * tolerance) || '% the figures allow', '')
                || '. ' || coalesce(explanation, '')
        end as message
    from numbered
)

select * from final
