with

indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

final as (
    select
        indicator_code,
        name,
        description,
        quantity_kind,
        canonical_unit,
        min_value,
        max_value
    from indicators
)

select * from final
