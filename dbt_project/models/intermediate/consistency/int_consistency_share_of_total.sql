-- share_of_total: the part agrees with share × whole, for every part figure the rule applies to (its date, or every
-- date where it names none) and every share and whole reported for the part's date and geography.
with

rules as (
    {{ consistency_subjects('share_of_total') }}
),

figures as (
    {{ rule_figures() }}
),

combinations as (
    select
        rules.rule_id,
        rules.at_geography_code as geography_code,
        rules.at_period_end as period_end,
        {{ evaluation_figures([['part', 'part'], ['share', 'share'], ['whole', 'whole']]) }},
        part.value_canonical as observed_value,
        part.lower_bound_canonical as observed_lower,
        part.upper_bound_canonical as observed_upper,
        share.value_canonical / 100 * whole.value_canonical as expected_value,
        share.lower_bound_canonical / 100 * whole.lower_bound_canonical as expected_lower,
        share.upper_bound_canonical / 100 * whole.upper_bound_canonical as expected_upper,
        part.canonical_unit,
        {{ figure_text('part') }} || ' against ' || {{ figure_text('share') }} || ' of '
        || {{ figure_text('whole') }} || ', which is '
        || {{ number_text(in_reported_unit('share.value_canonical / 100 * whole.value_canonical', 'part')) }}
        || ' ' || replace(part.unit_reported, '_', ' ') as finding,
        concat_ws(
            '; ',
            {{ missing_figure_text('part', 'subject_indicator_code', 'rules') }},
            {{ missing_figure_text('share', 'factor_indicator_code', 'rules') }},
            {{ missing_figure_text('whole', 'reference_indicator_code', 'rules') }}
        ) as missing
    from rules
    left join figures as part
        on rules.subject_id = part.observation_id
    left join figures as share
        on rules.factor_indicator_code = share.indicator_code
        and rules.at_geography_code = share.geography_code
        and rules.at_period_end = share.period_end
        and {{ same_page('share') }}
    left join figures as whole
        on rules.reference_indicator_code = whole.indicator_code
        and rules.at_geography_code = whole.geography_code
        and rules.at_period_end = whole.period_end
        and {{ same_page('whole') }}
),

{{ evaluation_ctes('combinations') }}

select * from final
