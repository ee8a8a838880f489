-- growth_consistency: a growth rate reported for a period agrees with the growth implied by every pair of levels (a
-- stock such as capacity, or a rate such as daily token calls; not a flow over a period)
-- reported in or around that period (from the day before it starts to the day it ends), each pair's change scaled
-- to the growth period at a steady (compound) rate: 100 × ((later / earlier) ^ (period days / days between) - 1)
-- percent. For the levels on the day before the period and on its last day that is 100 × (end / start - 1).
-- A growth figure reported as "more than X" is read up to open_bound_factor × X where the rule sets one.
with

rules as (
    {{ consistency_subjects('growth_consistency') }}
),

figures as (
    {{ rule_figures() }}
),

levels as (
    select
        rules.rule_id,
        rules.subject_id,
        level_figure.*
    from rules
    inner join figures as level_figure
        on rules.reference_indicator_code = level_figure.indicator_code
        and rules.at_geography_code = level_figure.geography_code
        and rules.start_level_date <= level_figure.period_end
        and rules.at_period_end >= level_figure.period_end
        and level_figure.period_type != 'flow'  -- a level: a stock, or a rate such as calls a day
),

level_pairs as (
    select
        start_level.rule_id,
        start_level.subject_id,
        start_level.observation_id as start_level_id,
        end_level.observation_id as end_level_id
    from levels as start_level
    inner join levels as end_level
        on start_level.rule_id = end_level.rule_id
        and coalesce(start_level.subject_id, '') = coalesce(end_level.subject_id, '')
        and start_level.period_end < end_level.period_end
),

joined as (
    select
        rules.*,
        growth.observation_id as growth_id,
        level_pairs.start_level_id,
        {{ dbt.datediff('start_level.period_end', 'end_level.period_end', 'day') }} as days_between, -- noqa: LT05
        {{ evaluation_figures([['growth', 'growth'], ['start_level', 'start_level'], ['end_level', 'end_level']]) }},
        growth.value_canonical as observed_value,
        {{ growth_lower('growth', 'rules.open_bound_factor') }} as observed_lower,
        {{ growth_upper('growth', 'rules.open_bound_factor') }} as observed_upper,
        growth.canonical_unit,
        start_level.value_canonical as start_value,
        start_level.lower_bound_canonical as start_lower,
        start_level.upper_bound_canonical as start_upper,
        end_level.value_canonical as end_value,
        end_level.lower_bound_canonical as end_lower,
        end_level.upper_bound_canonical as end_upper,
        'growth of ' || {{ growth_figure_text('growth', 'rules.open_bound_factor') }}
        || ' against the levels ' || {{ figure_text('start_level') }} || ' and ' || {{ figure_text('end_level') }}
            as figures_text,
        concat_ws(
            '; ',
            {{ missing_figure_text('growth', 'subject_indicator_code', 'rules') }},
            case
                when level_pairs.start_level_id is null
                    then
                        'fewer than two ' || rules.reference_indicator_code || ' levels for '
                        || coalesce(rules.at_geography_code, 'any geography') || ' from '
                        || coalesce(cast(rules.start_level_date as {{ dbt.type_string() }}), '?') || ' to '
                        || coalesce(cast(rules.at_period_end as {{ dbt.type_string() }}), '?')
            end
        ) as missing
    from rules
    left join figures as growth
        on rules.subject_id = growth.observation_id
    left join level_pairs
        on rules.rule_id = level_pairs.rule_id
        and coalesce(rules.subject_id, '') = coalesce(level_pairs.subject_id, '')
    left join figures as start_level
        on level_pairs.start_level_id = start_level.observation_id
    left join figures as end_level
        on level_pairs.end_level_id = end_level.observation_id
),

scaled as (
    select
        *,
        cast(period_days as double) / days_between as scale
    from joined
),

combinations as (
    select
        rule_id,
        at_geography_code as geography_code,
        at_period_end as period_end,
        observation_ids,
        source_ids,
        observation_roles,
        basis_codes,
        bases_differ,
        basis_ratio,
        observed_value,
        observed_lower,
        observed_upper,
        100 * (power(end_value / nullif(start_value, 0), scale) - 1) as expected_value,
        100 * (power(end_lower / nullif(start_upper, 0), scale) - 1) as expected_lower,
        100 * (power(end_upper / nullif(start_lower, 0), scale) - 1) as expected_upper,
        canonical_unit,
        figures_text || ', which imply '
        || {{ number_text('100 * (power(end_value / nullif(start_value, 0), scale) - 1)') }}
        || ' percent'
        || case
            when days_between != period_days
                then
                    ' over the period of ' || cast(period_days as {{ dbt.type_string() }})
                    || ' days at the pace of their ' || cast(days_between as {{ dbt.type_string() }}) || ' days'
            else ''
        end as finding,
        missing
    from scaled
),

{{ evaluation_ctes('combinations') }}

select * from final
