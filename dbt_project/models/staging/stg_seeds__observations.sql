with

source as (
    select * from {{ source('seeds', 'observations') }}
),

final as (
    select
        trim(observation_id) as observation_id,
        trim(indicator_code) as indicator_code,
        trim(geography_code) as geography_code,
        trim(source_id) as source_id,
        period_start,
        period_end,
        lower(trim(period_type)) as period_type,
        period_inferred,
        value as value_reported,
        trim(unit_code) as unit_reported,
        lower(trim(qualifier)) as qualifier,
        lower(trim(basis_code)) as basis_code,
        trim(body_code) as body_code,
        is_forecast,
        nullif(trim(value_as_written), '') as value_as_written,
        nullif(trim(unit_as_written), '') as unit_as_written,
        nullif(trim(erratum), '') as erratum,
        nullif(trim(note), '') as note
    from source
)

select * from final
