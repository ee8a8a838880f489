with

observations as (
    select * from {{ ref('int_observations_bounded') }}
),

final as (
    select
        observation_id,
        indicator_code,
        geography_code,
        source_id,
        period_start,
        period_end,
        period_type,
        value_reported,
        unit_reported,
        value_canonical,
        canonical_unit,
        qualifier,
        lower_bound_canonical,
        upper_bound_canonical,
        is_forecast,
        note
    from observations
    -- Stored in this order so that DuckDB's zone maps skip most of the table for one indicator's series.
    order by indicator_code, geography_code, period_end, source_id
)

select * from final
