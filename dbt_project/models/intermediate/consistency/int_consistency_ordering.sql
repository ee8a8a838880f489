-- ordering: the subject exceeds the reference, for every pair of their figures with the same period and geography
-- (within the rule's geography and period end, where it names them). A rule with no such pair gives one
-- not_evaluable row: a statement such as "inference data overtook training data" is kept as a rule, and is
-- evaluated once a figure for each side is reported.
with

rules as (
    {{ consistency_rules('ordering') }}
),

figures as (
    {{ rule_figures() }}
),

pairs as (
    select
        rules.rule_id,
        subject.geography_code,
        subject.period_end,
        {{ evaluation_figures([['subject', 'subject'], ['reference', 'reference']]) }},
        subject.value_canonical as observed_value,
        subject.lower_bound_canonical as observed_lower,
        subject.upper_bound_canonical as observed_upper,
        reference.value_canonical as expected_value,
        reference.lower_bound_canonical as expected_lower,
        cast(null as double) as expected_upper,
        subject.canonical_unit,
        {{ figure_text('subject') }} || ' exceeding ' || {{ figure_text('reference') }} as finding,
        cast(null as {{ dbt.type_string() }}) as missing
    from rules
    inner join figures as subject
        on rules.subject_indicator_code = subject.indicator_code
        and (rules.geography_code is null or rules.geography_code = subject.geography_code)
        and (rules.period_end is null or rules.period_end = subject.period_end)
    inner join figures as reference
        on rules.reference_indicator_code = reference.indicator_code
        and subject.geography_code = reference.geography_code
        and subject.period_start = reference.period_start
        and subject.period_end = reference.period_end
),

rules_without_pairs as (
    select
        rules.rule_id,
        rules.geography_code,
        rules.period_end,
        {{ no_figures_columns() }},
        'no ' || rules.subject_indicator_code || ' and ' || rules.reference_indicator_code
        || ' reported for the same period and geography' as missing
    from rules
    where rules.rule_id not in (select pairs.rule_id from pairs)
),

combined as (
    select * from pairs
    union all
    select * from rules_without_pairs
),

{{ evaluation_ctes('combined') }}

select * from final
