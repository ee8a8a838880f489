-- cross_source_agreement: every pair of figures from different sources for the same indicator (or the rule's one),
-- geography and period agree. The figure published later is the one under test against the earlier, and the message
-- says which is the later (marts.mart_indicator_revision lists the same pairs as revisions). A rule that finds no
-- such pair gives one not_evaluable row.
with

rules as (
    {{ consistency_rules('cross_source_agreement') }}
),

sources as (
    select * from {{ ref('stg_seeds__sources') }}
),

-- every figure: a rule that names no indicator compares the sources of every indicator
figures as (
    select
        bounded.*,
        sources.published_on
    from {{ ref('int_observations_bounded') }} as bounded
    inner join sources
        on bounded.source_id = sources.source_id
),

pairs as (
    select
        rules.rule_id,
        later.geography_code,
        earlier.period_end,
        {{ evaluation_figures([['earlier', 'figure'], ['later', 'figure']]) }},
        later.value_canonical as observed_value,
        later.lower_bound_canonical as observed_lower,
        later.upper_bound_canonical as observed_upper,
        earlier.value_canonical as expected_value,
        earlier.lower_bound_canonical as expected_lower,
        earlier.upper_bound_canonical as expected_upper,
        later.canonical_unit,
        later.indicator_code || ' ' || {{ figure_text('later') }}
        || case
            when later.published_on > earlier.published_on
                then
                    ' published ' || cast(later.published_on as {{ dbt.type_string() }}) || ', the later, against '
                    || {{ figure_text('earlier') }} || ' published '
                    || cast(earlier.published_on as {{ dbt.type_string() }})
            else
                ' against ' || {{ figure_text('earlier') }} || ', both published '
                || cast(later.published_on as {{ dbt.type_string() }})
        end as finding,
        cast(null as {{ dbt.type_string() }}) as missing
    from rules
    inner join figures as earlier
        on rules.geography_code = earlier.geography_code
        and (rules.subject_indicator_code is null or rules.subject_indicator_code = earlier.indicator_code)
    inner join figures as later
        on earlier.indicator_code = later.indicator_code
        and earlier.geography_code = later.geography_code
        and earlier.period_start = later.period_start
        and earlier.period_end = later.period_end
        and earlier.is_forecast = later.is_forecast
        and earlier.source_id != later.source_id
        and (
            earlier.published_on < later.published_on
            or (earlier.published_on = later.published_on and earlier.observation_id < later.observation_id)
        )
),

rules_without_pairs as (
    select
        rules.rule_id,
        rules.geography_code,
        rules.period_end,
        {{ no_figures_columns() }},
        'no two sources report ' || coalesce(rules.subject_indicator_code, 'any indicator')
        || ' for the same period in ' || rules.geography_code as missing
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
