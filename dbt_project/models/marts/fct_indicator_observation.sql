with

observations as (
    select * from {{ ref('int_observations_bounded') }}
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
        observations.lower_bound_canonical,
        observations.upper_bound_canonical,
        observations.is_forecast,
        in_conflict.observation_id is not null as has_conflict,
        observations.note
    from observations
    left join in_conflict
        on observations.observation_id = in_conflict.observation_id
    -- Stored in this order so that DuckDB's zone maps skip most of the table for one indicator's series.
    order by
        observations.indicator_code, observations.geography_code, observations.period_end, observations.source_id
)

select * from final
