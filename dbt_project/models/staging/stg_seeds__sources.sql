with

source as (
    select * from {{ source('seeds', 'sources') }}
),

final as (
    select
        trim(source_id) as source_id,
        nullif(trim(title), '') as title,
        trim(outlet) as outlet,
        trim(language) as language,
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
