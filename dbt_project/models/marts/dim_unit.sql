with

units as (
    select * from {{ ref('stg_seeds__units') }}
),

final as (
    select
        unit_code,
        name,
        quantity_kind,
        canonical_unit,
        factor_to_canonical
    from units
)

select * from final
