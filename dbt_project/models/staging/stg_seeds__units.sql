with

source as (
    select * from {{ source('seeds', 'units') }}
),

final as (
    select
        trim(unit_code) as unit_code,
        trim(name) as name,
        trim(quantity_kind) as quantity_kind,
        trim(canonical_unit) as canonical_unit,
        factor_to_canonical
    from source
)

select * from final
