with

source as (
    select * from {{ source('seeds', 'bodies') }}
),

final as (
    select
        trim(body_code) as body_code,
        trim(name) as name,
        trim(short_name) as short_name,
        lower(trim(body_kind)) as body_kind,
        nullif(trim(description), '') as description
    from source
)

select * from final
