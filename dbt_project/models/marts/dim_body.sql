-- The bodies figures are attributed to: the ministry, agency, institute or firm whose figure a page carries. Two pages
-- carrying one body's figure are two sources of it; the body is what they have in common.
with

bodies as (
    select * from {{ ref('stg_seeds__bodies') }}
),

final as (
    select
        body_code,
        name,
        short_name,
        body_kind,
        description
    from bodies
)

select * from final
