with

source as (
    select * from {{ source('seeds', 'bases') }}
),

final as (
    select
        lower(trim(basis_code)) as basis_code,
        trim(name) as name,
        trim(description) as description
    from source
)

select * from final
