with

sources as (
    select * from {{ ref('stg_seeds__sources') }}
),

final as (
    select
        source_id,
        title,
        publisher,
        event,
        published_on,
        source_kind,
        note
    from sources
)

select * from final
