-- growth_consistency: a growth rate reported for the rule's period agrees with the growth implied by the levels
-- reported on the day before the period starts and on the day it ends: 100 × (end / start - 1) percent.
-- A growth figure reported as "more than X" is read up to open_bound_factor × X where the rule sets one.
with

rules as (
    {{ consistency_rules('growth_consistency') }}
),

figures as (
    select * from {{ ref('int_observations_bounded') }}
),

combinations as (
    select
        rules.rule_id,
        rules.period_end,
        {{ evaluation_figures([['growth', 'growth'], ['start_level', 'start_level'], ['end_level', 'end_level']]) }},
        growth.value_canonical as observed_value,
        {{ growth_lower('growth', 'rules.open_bound_factor') }} as observed_lower,
        {{ growth_upper('growth', 'rules.open_bound_factor') }} as observed_upper,
        100 * (end_level.value_canonical / nullif(start_level.value_canonical, 0) - 1) as expected_value,
        100 * (end_level.lower_bound_canonical / nullif(start_level.upper_bound_canonical, 0) - 1) as expected_lower,
        100 * (end_level.upper_bound_canonical / nullif(start_level.lower_bound_canonical, 0) - 1) as expected_upper,
        growth.canonical_unit,
        'growth of ' || {{ growth_figure_text('growth', 'rules.open_bound_factor') }}
        || ' against the levels ' || {{ figure_text('start_level') }} || ' and ' || {{ figure_text('end_level') }}
        || ', which imply '
        || {{ number_text('100 * (end_level.value_canonical / nullif(start_level.value_canonical, 0) - 1)') }}
        || ' percent' as finding,
        concat_ws(
            '; ',
            {{ missing_figure_text('growth', 'subject_indicator_code', 'rules') }},
            case
                when start_level.observation_id is null
                    then
                        'no ' || rules.reference_indicator_code || ' for ' || rules.geography_code || ' on '
                        || cast(rules.start_level_date as {{ dbt.type_string() }})
            end,
            case
                when end_level.observation_id is null
                    then
                        'no ' || rules.reference_indicator_code || ' for ' || rules.geography_code || ' on '
                        || cast(rules.period_end as {{ dbt.type_string() }})
            end
        ) as missing
    from rules
    left join figures as growth
        on rules.subject_indicator_code = growth.indicator_code
        and rules.geography_code = growth.geography_code
        and rules.period_start = growth.period_start
        and rules.period_end = growth.period_end
    left join figures as start_level
        on rules.reference_indicator_code = start_level.indicator_code
        and rules.geography_code = start_level.geography_code
        and rules.start_level_date = start_level.period_end
        and start_level.period_type = 'stock'
    left join figures as end_level
        on rules.reference_indicator_code = end_level.indicator_code
        and rules.geography_code = end_level.geography_code
        and rules.period_end = end_level.period_end
        and end_level.period_type = 'stock'
),

{{ evaluation_ctes('combinations') }}

select * from final
