-- The latest reported (not forecast) figure of every indicator in every geography that has one: the figure for the
-- latest period end, from the latest published source where several give one. Precomputed, so that the question
-- BI dashboards ask first stays a lookup however many figures the fact holds. A figure its page misprints (erratum)
-- is never the latest value.
with

observations as (
    select * from {{ ref('fct_indicator_observation') }}
    where not is_forecast and erratum is null
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

sources as (
    select * from {{ ref('dim_source') }}
),

ranked as (
    select
        observations.*,
        sources.title as source_title,
        sources.published_on as source_published_on,
        row_number() over (
            partition by observations.indicator_code, observations.geography_code
            order by observations.period_end desc, sources.published_on desc nulls last, observations.observation_id asc
        ) as recency_rank,
        count(*) over (
            partition by observations.indicator_code, observations.geography_code, observations.period_end
        ) as figure_count
    from observations
    inner join sources
        on observations.source_id = sources.source_id
),

final as (
    select
        ranked.indicator_code,
        indicators.name as indicator_name,
        ranked.geography_code,
        ranked.period_start,
        ranked.period_end,
        ranked.period_type,
        ranked.period_inferred,
        ranked.value_canonical,
        ranked.canonical_unit,
        ranked.qualifier,
        ranked.lower_bound_canonical,
        ranked.upper_bound_canonical,
        ranked.value_reported,
        ranked.unit_reported,
        ranked.source_id,
        ranked.source_title,
        ranked.source_published_on,
        ranked.figure_count,
        ranked.has_conflict,
        ranked.observation_id
    from ranked
    inner join indicators
        on ranked.indicator_code = indicators.indicator_code
    where ranked.recency_rank = 1
)

select * from final
