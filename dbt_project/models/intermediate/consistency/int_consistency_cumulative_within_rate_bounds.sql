-- cumulative_within_rate_bounds: a flow over the rule's period lies between the number of days times the lowest and
-- the highest daily rate reported within the period (each rate read as its interval); its expected value is the
-- days times the mean of the two.
with

rules as (
    {{ consistency_rules('cumulative_within_rate_bounds') }}
),

figures as (
    select * from {{ ref('int_observations_bounded') }}
),

rates as (
    select
        rules.rule_id,
        count(*) as rate_count,
        min(coalesce(rate.lower_bound_canonical, rate.value_canonical)) as lowest_rate_lower,
        max(coalesce(rate.upper_bound_canonical, rate.value_canonical)) as highest_rate_upper,
        min(rate.value_canonical) as lowest_rate,
        max(rate.value_canonical) as highest_rate,
        {{ dbt.listagg('rate.observation_id', "', '", 'order by rate.period_end, rate.observation_id') }}
            as observation_ids,
        {{ dbt.listagg('rate.source_id', "', '", 'order by rate.period_end, rate.observation_id') }} as source_ids,
        {{ dbt.listagg("'rate'", "', '", 'order by rate.period_end, rate.observation_id') }} as observation_roles,
        {{ dbt.listagg(figure_text('rate'), "', '", 'order by rate.period_end, rate.observation_id') }} as rates_text
    from rules
    inner join figures as rate
        on rules.reference_indicator_code = rate.indicator_code
        and rules.geography_code = rate.geography_code
        and rules.period_start <= rate.period_start
        and rules.period_end >= rate.period_end
    group by rules.rule_id
),

combinations as (
    select
        rules.rule_id,
        rules.period_end,
        concat_ws(', ', cumulative.observation_id, rates.observation_ids) as observation_ids,
        concat_ws(', ', cumulative.source_id, rates.source_ids) as source_ids,
        concat_ws(
            ', ', case when cumulative.observation_id is not null then 'cumulative' end, rates.observation_roles
        ) as observation_roles,
        cumulative.value_canonical as observed_value,
        cumulative.lower_bound_canonical as observed_lower,
        cumulative.upper_bound_canonical as observed_upper,
        -- a single rate gives no range to test against
        case when rates.rate_count > 1 then rules.period_days * (rates.lowest_rate + rates.highest_rate) / 2 end
            as expected_value,
        rules.period_days * rates.lowest_rate_lower as expected_lower,
        rules.period_days * rates.highest_rate_upper as expected_upper,
        cumulative.canonical_unit,
        {{ figure_text('cumulative') }} || ' against ' || cast(rules.period_days as {{ dbt.type_string() }})
        || ' days at the daily rates reported (' || rates.rates_text || '), which give '
        || {{ number_text(in_reported_unit('rules.period_days * rates.lowest_rate_lower', 'cumulative')) }}
        || ' to '
        || {{ number_text(in_reported_unit('rules.period_days * rates.highest_rate_upper', 'cumulative')) }}
        || ' ' || replace(cumulative.unit_reported, '_', ' ') as finding,
        concat_ws(
            '; ',
            {{ missing_figure_text('cumulative', 'subject_indicator_code', 'rules') }},
            case
                when rates.rule_id is null
                    then
                        'no '
                        || rules.reference_indicator_code
                        || ' for '
                        || rules.geography_code
                        || ' '
                        || rules.period_text
            end,
            case
                when rates.rate_count = 1
                    then 'only one ' || rules.reference_indicator_code || ' ' || rules.period_text
            end
        ) as missing
    from rules
    left join figures as cumulative
        on rules.subject_indicator_code = cumulative.indicator_code
        and rules.geography_code = cumulative.geography_code
        and rules.period_start = cumulative.period_start
        and rules.period_end = cumulative.period_end
    left join rates
        on rules.rule_id = rates.rule_id
),

{{ evaluation_ctes('combinations') }}

select * from final
