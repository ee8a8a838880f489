with

geographies as (
    select * from {{ ref('stg_seeds__geographies') }}
),

final as (
    select
        geography_code,
        name,
        level,
        parent_code
    from geographies
)

select * from final
