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
        url,
        accessed_on,
        quotes_source_id,
        note
    from sources
)

select * from final
