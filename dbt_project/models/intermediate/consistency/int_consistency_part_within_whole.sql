-- part_within_whole: the part does not exceed the whole (expected: anywhere up to the whole), for every part figure
-- the rule applies to. Where the whole is not reported on the part's date and the rule names the whole's growth
-- rate (factor_indicator_code), the whole is projected from its nearest reported level at the nearest reported
-- growth rate, growing steadily (compound), the bounds of both carried through; the message says so.
with

rules as (
    {{ consistency_subjects('part_within_whole') }}
),

figures as (
    {{ rule_figures() }}
),

whole_on_date as (
    select
        rules.rule_id,
        rules.subject_id,
        whole.*
    from rules
    inner join figures as whole
        on rules.reference_indicator_code = whole.indicator_code
        and rules.at_geography_code = whole.geography_code
        and rules.at_period_end = whole.period_end
        and {{ same_page('whole') }}
),

-- The parts whose whole is not reported on their date, and that the rule can project a whole for.
to_project as (
    select rules.*
    from rules
    where
        rules.factor_indicator_code is not null
        and not exists (
            select 1
            from whole_on_date
            where
                rules.rule_id = whole_on_date.rule_id
                and coalesce(rules.subject_id, '') = coalesce(whole_on_date.subject_id, '')
        )
),

-- The level and growth rate a whole not reported on the part's date is projected from: the nearest of each.
nearest_levels as (
    select
        rules.rule_id,
        rules.subject_id,
        level_figure.*,
        row_number() over (
            partition by rules.rule_id, rules.subject_id
            order by
                abs({{ dbt.datediff('level_figure.period_end', 'rules.at_period_end', 'day') }}),
                level_figure.period_end desc,
                level_figure.observation_id asc
        ) as nearness
    from to_project as rules
    inner join figures as level_figure
        on rules.reference_indicator_code = level_figure.indicator_code
        and rules.at_geography_code = level_figure.geography_code
        and level_figure.period_type = 'stock'
        and {{ same_page('level_figure') }}
),

nearest_growths as (
    select
        rules.rule_id,
        rules.subject_id,
        growth_figure.*,
        row_number() over (
            partition by rules.rule_id, rules.subject_id
            order by
                abs({{ dbt.datediff('growth_figure.period_end', 'rules.at_period_end', 'day') }}),
                growth_figure.period_end desc,
                growth_figure.observation_id asc
        ) as nearness
    from to_project as rules
    inner join figures as growth_figure
        on rules.factor_indicator_code = growth_figure.indicator_code
        and rules.at_geography_code = growth_figure.geography_code
        and {{ same_page('growth_figure') }}
),

joined as (
    select
        rules.rule_id,
        rules.at_period_end as period_end,
        rules.reference_indicator_code,
        rules.at_geography_code,
        rules.period_text,
        rules.subject_indicator_code,
        rules.factor_indicator_code,
        part.observation_id as part_id,
        whole.observation_id as whole_id,
        start_level.observation_id as start_level_id,
        growth.observation_id as growth_id,
        {{ evaluation_figures([
            ['part', 'part'], ['whole', 'whole'], ['start_level', 'whole'], ['growth', 'growth']
        ]) }},
        part.value_canonical as observed_value,
        part.lower_bound_canonical as observed_lower,
        part.upper_bound_canonical as observed_upper,
        part.canonical_unit,
        start_level.value_reported / nullif(start_level.value_canonical, 0) as reported_per_canonical,
        start_level.unit_reported,
        whole.value_canonical as whole_value,
        whole.upper_bound_canonical as whole_upper,
        start_level.value_canonical as start_value,
        start_level.upper_bound_canonical as start_upper,
        growth.value_canonical as growth_value,
        {{ growth_lower('growth', 'rules.open_bound_factor') }} as growth_lower,
        {{ growth_upper('growth', 'rules.open_bound_factor') }} as growth_upper,
        cast({{ dbt.datediff('start_level.period_end', 'rules.at_period_end', 'day') }} as double) / 365 as years_projected, -- noqa: LT05
        {{ figure_text('part') }} as part_text,
        {{ figure_text('whole') }} as whole_text,
        {{ figure_text('start_level') }} as start_level_text,
        {{ figure_text('growth') }} as growth_text
    from rules
    left join figures as part
        on rules.subject_id = part.observation_id
    left join whole_on_date as whole
        on rules.rule_id = whole.rule_id
        and coalesce(rules.subject_id, '') = coalesce(whole.subject_id, '')
    left join nearest_levels as start_level
        on rules.rule_id = start_level.rule_id
        and coalesce(rules.subject_id, '') = coalesce(start_level.subject_id, '')
        and start_level.nearness = 1
        and whole.observation_id is null
    left join nearest_growths as growth
        on rules.rule_id = growth.rule_id
        and coalesce(rules.subject_id, '') = coalesce(growth.subject_id, '')
        and growth.nearness = 1
        and whole.observation_id is null
),

projected as (
    select
        *,
        coalesce(
            whole_value,
            start_value * power(1 + growth_value / 100, years_projected)
        ) as expected_value,
        coalesce(
            whole_upper,
            start_upper * power(
                1 + case when years_projected >= 0 then growth_upper else growth_lower end / 100, years_projected
            )
        ) as expected_upper
    from joined
),

combinations as (
    select
        rule_id,
        at_geography_code as geography_code,
        period_end,
        observation_ids,
        source_ids,
        observation_roles,
        basis_codes,
        bases_differ,
        basis_ratio,
        observed_value,
        observed_lower,
        observed_upper,
        expected_value,
        cast(null as double) as expected_lower,
        expected_upper,
        canonical_unit,
        case
            when whole_id is not null then part_text || ' as a part of ' || whole_text
            else
                part_text || ' as a part of the whole projected from ' || start_level_text || ' at '
                || growth_text || ' a year, growing steadily, which gives up to '
                || coalesce({{ number_text('expected_upper * reported_per_canonical') }}, 'any')
                || ' ' || replace(unit_reported, '_', ' ') || ' ' || period_text
        end as finding,
        concat_ws(
            '; ',
            case
                when part_id is null
                    then
                        'no ' || subject_indicator_code || ' for ' || coalesce(at_geography_code, 'any geography')
                        || ' ' || period_text
            end,
            case
                when whole_id is null and (start_level_id is null or growth_id is null)
                    then
                        'no ' || reference_indicator_code || ' for ' || coalesce(at_geography_code, 'any geography')
                        || ' ' || period_text
                        || case
                            when factor_indicator_code is not null
                                then ', nor a level and a ' || factor_indicator_code || ' to project it from'
                            else ''
                        end
            end
        ) as missing
    from projected
),

{{ evaluation_ctes('combinations') }}

select * from final
