-- Each figure in the canonical unit of its indicator, with the half-width of its rounding in that unit.
with

observations as (
    select * from {{ ref('stg_seeds__observations') }}
),

units as (
    select * from {{ ref('stg_seeds__units') }}
),

indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

converted as (
    select
        observations.*,
        indicators.canonical_unit,
        units.quantity_kind as unit_quantity_kind,
        indicators.quantity_kind as indicator_quantity_kind,
        indicators.min_value as indicator_min_value,
        indicators.max_value as indicator_max_value,
        observations.value_reported * units.factor_to_canonical as value_canonical,
        {{ rounding_half_unit('observations.value_reported') }} * units.factor_to_canonical
            as rounding_half_width_canonical
    from observations
    left join units
        on observations.unit_reported = units.unit_code
    left join indicators
        on observations.indicator_code = indicators.indicator_code
),

final as (
    select * from converted
)

select * from final
