-- Every figure, with when the world could know it: from its source's publication (known_from) until a later source
-- reported the same indicator, geography and period on the same basis (known_until, superseded_by_observation_id; null
-- while current): a figure on another basis is another measure, not a revision.
-- Outcomes supersede outcomes and forecasts forecasts: an outturn does not revise a forecast. A figure that came from
-- a report's text carries the sentence it was taken from (quote, with its offsets in that text). A page that gives no
-- date is known from the day it was read.
with

observations as (
    select * from {{ ref('int_observations_bounded') }}
),

sources as (
    select * from {{ ref('stg_seeds__sources') }}
),

quotes as (
    select * from {{ ref('stg_seeds__observation_quotes') }}
),

known as (
    select
        observations.*,
        coalesce(sources.published_on, sources.accessed_on) as known_from,
        {{ citation('sources') }} as citation
    from observations
    inner join sources
        on observations.source_id = sources.source_id
),

-- The publications of each indicator, geography, period and basis (one row per publication date), each with the next.
editions as (
    select
        indicator_code,
        geography_code,
        period_start,
        period_end,
        basis_code,
        is_forecast,
        known_from,
        lead(known_from) over figure_key as known_until,
        lead(first_observation_id) over figure_key as superseded_by_observation_id
    from (
        select
            indicator_code,
            geography_code,
            period_start,
            period_end,
            basis_code,
            is_forecast,
            known_from,
            min(observation_id) as first_observation_id
        from known
        group by indicator_code, geography_code, period_start, period_end, basis_code, is_forecast, known_from
    ) as publications
    window figure_key as (
        partition by indicator_code, geography_code, period_start, period_end, basis_code, is_forecast
        order by known_from
    )
),

check_figures as (
    select * from {{ ref('fct_consistency_check_observation') }}
),

checks as (
    select * from {{ ref('fct_consistency_check') }}
),

in_conflict as (
    select distinct check_figures.observation_id
    from check_figures
    inner join checks
        on check_figures.check_id = checks.check_id
    where checks.status = 'fail'
),

final as (
    select
        observations.observation_id,
        observations.indicator_code,
        observations.geography_code,
        observations.source_id,
        observations.period_start,
        observations.period_end,
        observations.period_type,
        observations.period_inferred,
        observations.value_reported,
        observations.unit_reported,
        observations.value_canonical,
        observations.canonical_unit,
        observations.qualifier,
        observations.basis_code,
        observations.body_code,
        observations.lower_bound_canonical,
        observations.upper_bound_canonical,
        observations.is_forecast,
        in_conflict.observation_id is not null as has_conflict,
        observations.known_from,
        editions.known_until,
        editions.superseded_by_observation_id,
        observations.value_as_written,
        observations.unit_as_written,
        observations.erratum,
        observations.citation,
        observations.note,
        quotes.quote,
        quotes.quote_start,
        quotes.quote_end
    from known as observations
    inner join editions
        on observations.indicator_code = editions.indicator_code
        and observations.geography_code = editions.geography_code
        and observations.period_start = editions.period_start
        and observations.period_end = editions.period_end
        and observations.basis_code = editions.basis_code
        and observations.is_forecast = editions.is_forecast
        and observations.known_from = editions.known_from
    left join in_conflict
        on observations.observation_id = in_conflict.observation_id
    left join quotes
        on observations.observation_id = quotes.observation_id
    -- Stored in this order so that DuckDB's zone maps skip most of the table for one indicator's series.
    order by
        observations.indicator_code, observations.geography_code, observations.period_end, observations.source_id
)

select * from final
