with

source as (
    select * from {{ source('seeds', 'sources') }}
),

final as (
    select
        trim(source_id) as source_id,
        trim(title) as title,
        nullif(trim(publisher), '') as publisher,
        nullif(trim(event), '') as event,
        published_on,
        lower(trim(source_kind)) as source_kind,
        nullif(trim(url), '') as url,
        accessed_on,
        nullif(trim(quotes_source_id), '') as quotes_source_id,
        nullif(trim(note), '') as note
    from source
)

select * from final
