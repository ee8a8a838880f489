-- Every consistency rule evaluated on every run: one row per rule and combination of figures it compares.
with

evaluations as (
    select * from {{ ref('int_consistency_evaluations') }}
),

final as (
    select
        check_id,
        rule_id,
        rule_type,
        severity,
        status,
        indicator_code,
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
        observation_roles,
        message
    from evaluations
)

select * from final
