-- reported_before_publication: no reported (non-forecast) figure's period ends after its source was published.
-- One evaluation per source (within the rule's geography, where it names one): how many days after publication
-- its latest reported period ends. A failing finding names the figures that end after publication; a passing one
-- names every figure it checked. A page that gives no date has nothing to check against and is left out.
with

rules as (
    {{ consistency_rules('reported_before_publication') }}
),

figures as (
    select * from {{ ref('int_observations_bounded') }}
    where not is_forecast
),

sources as (
    select * from {{ ref('stg_seeds__sources') }}
),

dated as (
    select
        figures.observation_id,
        figures.source_id,
        figures.geography_code,
        figures.period_end,
        sources.published_on,
        {{ dbt.datediff('sources.published_on', 'figures.period_end', 'day') }} as days_after_publication -- noqa: LT05
    from figures
    inner join sources
        on figures.source_id = sources.source_id
    where sources.published_on is not null
),

per_source as (
    select
        rules.rule_id,
        dated.source_id,
        min(dated.published_on) as published_on,
        max(dated.period_end) as latest_period_end,
        max(dated.days_after_publication) as days_after_publication,
        count(*) as figure_count,
        -- filter, not a case inside the aggregate: only the late figures are sorted, not every figure
        {{ dbt.listagg('dated.observation_id', "', '", 'order by dated.observation_id') }}
        filter (where dated.days_after_publication > 0) as late_observation_ids,
        {{ dbt.listagg("'figure'", "', '", 'order by dated.observation_id') }}
        filter (where dated.days_after_publication > 0) as late_roles,
        {{ dbt.listagg('dated.observation_id', "', '", 'order by dated.observation_id') }} as checked_observation_ids,
        {{ dbt.listagg("'figure'", "', '", 'order by dated.observation_id') }} as checked_roles
    from rules
    inner join dated
        on rules.geography_code is null or rules.geography_code = dated.geography_code
    group by rules.rule_id, dated.source_id
),

evaluated as (
    select
        rule_id,
        cast(null as {{ dbt.type_string() }}) as geography_code,
        latest_period_end as period_end,
        coalesce(late_observation_ids, checked_observation_ids) as observation_ids,
        source_id as source_ids,
        coalesce(late_roles, checked_roles) as observation_roles,
        cast(null as {{ dbt.type_string() }}) as basis_codes,  -- a figure's period against its own source's date
        false as bases_differ,
        cast(null as double) as basis_ratio,
        cast(days_after_publication as double) as observed_value,
        cast(days_after_publication as double) as observed_lower,
        cast(days_after_publication as double) as observed_upper,
        cast(0 as double) as expected_value,
        cast(null as double) as expected_lower,
        cast(0 as double) as expected_upper,
        'days' as canonical_unit,
        'the ' || cast(figure_count as {{ dbt.type_string() }}) || ' reported figures of ' || source_id
        || ' (published ' || cast(published_on as {{ dbt.type_string() }}) || ') end by '
        || cast(latest_period_end as {{ dbt.type_string() }}) || ', '
        || case
            when days_after_publication > 0
                then cast(days_after_publication as {{ dbt.type_string() }}) || ' days after publication'
            when days_after_publication = 0 then 'the day of publication'
            else cast(-days_after_publication as {{ dbt.type_string() }}) || ' days before publication'
        end as finding,
        cast(null as {{ dbt.type_string() }}) as missing
    from per_source
),

{{ evaluation_ctes('evaluated') }}

select * from final
