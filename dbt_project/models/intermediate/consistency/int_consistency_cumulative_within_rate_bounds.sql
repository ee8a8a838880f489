-- cumulative_within_rate_bounds: a flow over a period agrees with the daily rates reported within it, for every
-- cumulative figure the rule applies to. Between the first and the last rate reported in the period, the rate is
-- taken to grow along a straight line (days × the mean of the two) or at a steady compound rate (days × (last -
-- first) / ln(last / first)); each path's range comes from the two rates' bounds ("more than X" read up to
-- open_bound_factor × X where the rule sets one). The figure agrees when it lies within reach of either path; it
-- is compared with a path it fits, or else with the nearer one, and the message says which paths it fits.
with

rules as (
    {{ consistency_subjects('cumulative_within_rate_bounds') }}
),

figures as (
    {{ rule_figures() }}
),

rates as (
    select
        rules.rule_id,
        rules.subject_id,
        rate.*,
        row_number() over (
            partition by rules.rule_id, rules.subject_id order by rate.period_end, rate.observation_id
        ) as from_first,
        row_number() over (
            partition by rules.rule_id, rules.subject_id order by rate.period_end desc, rate.observation_id desc
        ) as from_last
    from rules
    inner join figures as rate
        on rules.reference_indicator_code = rate.indicator_code
        and rules.at_geography_code = rate.geography_code
        and rules.at_period_start <= rate.period_start
        and rules.at_period_end >= rate.period_end
),

joined as (
    select
        rules.*,
        cumulative.observation_id as cumulative_id,
        first_rate.observation_id as first_rate_id,
        {{ evaluation_figures([['cumulative', 'cumulative'], ['first_rate', 'rate'], ['last_rate', 'rate']]) }},
        cumulative.value_canonical as observed_value,
        cumulative.lower_bound_canonical as observed_lower,
        cumulative.upper_bound_canonical as observed_upper,
        cumulative.canonical_unit,
        cumulative.value_reported / nullif(cumulative.value_canonical, 0) as reported_per_canonical,
        cumulative.unit_reported,
        first_rate.value_canonical as first_value,
        {{ growth_lower('first_rate', 'rules.open_bound_factor') }} as first_lower,
        {{ growth_upper('first_rate', 'rules.open_bound_factor') }} as first_upper,
        last_rate.value_canonical as last_value,
        {{ growth_lower('last_rate', 'rules.open_bound_factor') }} as last_lower,
        {{ growth_upper('last_rate', 'rules.open_bound_factor') }} as last_upper,
        {{ figure_text('cumulative') }} || ' against ' || cast(rules.period_days as {{ dbt.type_string() }})
        || ' days of daily rates from ' || {{ growth_figure_text('first_rate', 'rules.open_bound_factor') }}
        || ' to ' || {{ figure_text('last_rate') }} as figures_text,
        concat_ws(
            '; ',
            {{ missing_figure_text('cumulative', 'subject_indicator_code', 'rules') }},
            case
                when first_rate.observation_id is null or last_rate.observation_id is null
                    then
                        'fewer than two ' || rules.reference_indicator_code || ' for '
                        || coalesce(rules.at_geography_code, 'any geography') || ' ' || rules.period_text
            end
        ) as missing
    from rules
    left join figures as cumulative
        on rules.subject_id = cumulative.observation_id
    left join rates as first_rate
        on rules.rule_id = first_rate.rule_id
        and coalesce(rules.subject_id, '') = coalesce(first_rate.subject_id, '')
        and first_rate.from_first = 1
        and first_rate.from_last > 1
    left join rates as last_rate
        on rules.rule_id = last_rate.rule_id
        and coalesce(rules.subject_id, '') = coalesce(last_rate.subject_id, '')
        and last_rate.from_last = 1
        and last_rate.from_first > 1
),

paths as (
    select
        *,
        period_days * (first_value + last_value) / 2 as straight_value,
        period_days * (first_lower + last_lower) / 2 as straight_lower,
        period_days * (first_upper + last_upper) / 2 as straight_upper,
        {{ compound_mean('first_value', 'last_value') }} * period_days as compound_value,
        {{ compound_mean('first_lower', 'last_lower') }} * period_days as compound_lower,
        {{ compound_mean('first_upper', 'last_upper') }} * period_days as compound_upper
    from joined
),

judged as (
    select
        *,
        (compound_upper is null or observed_lower is null or observed_lower <= compound_upper)
        and (observed_upper is null or observed_upper >= compound_lower) as fits_compound,
        (straight_upper is null or observed_lower is null or observed_lower <= straight_upper)
        and (observed_upper is null or observed_upper >= straight_lower) as fits_straight
    from paths
),

-- The figure is compared with a path it fits (the straight line first), or else with the nearer of the two.
chosen as (
    select
        *,
        coalesce(
            fits_straight
            or (not fits_compound and abs(observed_value - straight_value) <= abs(observed_value - compound_value)),
            true
        ) as compared_with_straight
    from judged
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
        case when compared_with_straight then straight_value else compound_value end as expected_value,
        case when compared_with_straight then straight_lower else compound_lower end as expected_lower,
        case when compared_with_straight then straight_upper else compound_upper end as expected_upper,
        canonical_unit,
        figures_text || ': a straight line gives '
        || {{ number_text('straight_value * reported_per_canonical') }} || ' ('
        || {{ number_text('straight_lower * reported_per_canonical') }} || ' to '
        || coalesce({{ number_text('straight_upper * reported_per_canonical') }}, 'any') || '), steady compound growth '
        || {{ number_text('compound_value * reported_per_canonical') }} || ' ('
        || {{ number_text('compound_lower * reported_per_canonical') }} || ' to '
        || coalesce({{ number_text('compound_upper * reported_per_canonical') }}, 'any') || ') '
        || replace(unit_reported, '_', ' ') || '; consistent with '
        || case
            when fits_straight and fits_compound then 'both paths'
            when fits_straight then 'the straight line only'
            when fits_compound then 'steady compound growth only'
            else 'neither path'
        end as finding,
        missing
    from chosen
),

{{ evaluation_ctes('combinations') }}

select * from final
