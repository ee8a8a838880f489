-- part_within_whole: the part does not exceed the whole on the rule's date (expected: anywhere up to the whole).
with

rules as (
    {{ consistency_rules('part_within_whole') }}
),

figures as (
    select * from {{ ref('int_observations_bounded') }}
),

combinations as (
    select
        rules.rule_id,
        rules.period_end,
        {{ evaluation_figures([['part', 'part'], ['whole', 'whole']]) }},
        part.value_canonical as observed_value,
        part.lower_bound_canonical as observed_lower,
        part.upper_bound_canonical as observed_upper,
        whole.value_canonical as expected_value,
        cast(null as double) as expected_lower,
        whole.upper_bound_canonical as expected_upper,
        part.canonical_unit,
        {{ figure_text('part') }} || ' as a part of ' || {{ figure_text('whole') }} as finding,
        concat_ws(
            '; ',
            {{ missing_figure_text('part', 'subject_indicator_code', 'rules') }},
            {{ missing_figure_text('whole', 'reference_indicator_code', 'rules') }}
        ) as missing
    from rules
    left join figures as part
        on rules.subject_indicator_code = part.indicator_code
        and rules.geography_code = part.geography_code
        and rules.period_end = part.period_end
    left join figures as whole
        on rules.reference_indicator_code = whole.indicator_code
        and rules.geography_code = whole.geography_code
        and rules.period_end = whole.period_end
),

{{ evaluation_ctes('combinations') }}

select * from final
