with

source as (
    select * from {{ source('seeds', 'indicators') }}
),

final as (
    select
        trim(indicator_code) as indicator_code,
        trim(name) as name,
        trim(description) as description,
        trim(quantity_kind) as quantity_kind,
        trim(canonical_unit) as canonical_unit,
        min_value,
        max_value
    from source
)

select * from final
