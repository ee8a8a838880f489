-- level_within_growth_path: a level reported inside a growth period lies where the period's growth, at a steady
-- (compound) rate, takes the level reported on the day before the period starts:
-- start × (1 + growth / 100) ^ (days since the start level / days in the period).
-- A growth reported as "more than X" is read up to open_bound_factor × X where the rule sets one.
with

rules as (
    {{ consistency_subjects('level_within_growth_path') }}
),

figures as (
    {{ rule_figures() }}
),

joined as (
    select
        rules.rule_id,
        rules.reference_indicator_code,
        rules.at_geography_code as geography_code,
        'between ' || cast(rules.at_period_start as {{ dbt.type_string() }}) || ' and '
        || cast(rules.at_period_end as {{ dbt.type_string() }}) as period_text,
        growth.observation_id as growth_id,
        start_level.observation_id as start_level_id,
        inside_level.observation_id as inside_level_id,
        inside_level.period_end,
        {{ evaluation_figures([['growth', 'growth'], ['start_level', 'start_level'], ['inside_level', 'level']]) }},
        inside_level.value_canonical as observed_value,
        inside_level.lower_bound_canonical as observed_lower,
        inside_level.upper_bound_canonical as observed_upper,
        inside_level.canonical_unit,
        -- canonical -> as reported, for the sentence (EFLOPS back to million PFLOPS)
        inside_level.value_reported / nullif(inside_level.value_canonical, 0) as reported_per_canonical,
        inside_level.unit_reported,
        start_level.value_canonical as start_value,
        start_level.lower_bound_canonical as start_lower,
        start_level.upper_bound_canonical as start_upper,
        growth.value_canonical as growth_value,
        {{ growth_lower('growth', 'rules.open_bound_factor') }} as growth_lower,
        {{ growth_upper('growth', 'rules.open_bound_factor') }} as growth_upper,
        cast({{ dbt.datediff('rules.start_level_date', 'inside_level.period_end', 'day') }} as double) -- noqa: LT05
        / rules.period_days as elapsed_share,
        'the level ' || {{ figure_text('inside_level') }} || ' against ' || {{ figure_text('start_level') }}
        || ' grown by ' || {{ growth_figure_text('growth', 'rules.open_bound_factor') }} as figures_text
    from rules
    left join figures as growth
        on rules.subject_id = growth.observation_id
    left join figures as start_level
        on rules.reference_indicator_code = start_level.indicator_code
        and rules.at_geography_code = start_level.geography_code
        and rules.start_level_date = start_level.period_end
        and start_level.period_type = 'stock'
    left join figures as inside_level
        on rules.reference_indicator_code = inside_level.indicator_code
        and rules.at_geography_code = inside_level.geography_code
        and rules.at_period_start <= inside_level.period_end
        and rules.at_period_end > inside_level.period_end
        and inside_level.period_type = 'stock'
),

on_the_path as (
    select
        *,
        start_value * power(1 + growth_value / 100, elapsed_share) as expected_value,
        start_lower * power(1 + growth_lower / 100, elapsed_share) as expected_lower,
        start_upper * power(1 + growth_upper / 100, elapsed_share) as expected_upper
    from joined
),

combinations as (
    select
        *,
        figures_text || ' at a steady rate, which gives '
        || coalesce({{ number_text('expected_lower * reported_per_canonical') }}, 'any') || ' to '
        || coalesce({{ number_text('expected_upper * reported_per_canonical') }}, 'any')
        || ' ' || replace(unit_reported, '_', ' ') || ' by ' || cast(period_end as {{ dbt.type_string() }})
            as finding,
        concat_ws(
            '; ',
            case
                when growth_id is null
                    then 'no growth figure for ' || geography_code || ' ' || period_text
            end,
            case
                when start_level_id is null
                    then 'no ' || reference_indicator_code || ' for ' || geography_code || ' the day before the period'
            end,
            case
                when inside_level_id is null
                    then 'no ' || reference_indicator_code || ' for ' || geography_code || ' within the period'
            end
        ) as missing
    from on_the_path
),

{{ evaluation_ctes('combinations') }}

select * from final
