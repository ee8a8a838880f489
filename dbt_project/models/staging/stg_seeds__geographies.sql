with

source as (
    select * from {{ source('seeds', 'geographies') }}
),

final as (
    select
        trim(geography_code) as geography_code,
        trim(name) as name,
        lower(trim(level)) as level,
        nullif(trim(parent_code), '') as parent_code
    from source
)

select * from final
