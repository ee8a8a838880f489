-- One row per page or report that published figures, with the citation a reader copies: outlet, title, date,
-- address and the day it was read.
with

sources as (
    select * from {{ ref('stg_seeds__sources') }}
),

final as (
    select
        source_id,
        title,
        outlet,
        language,
        event,
        published_on,
        source_kind,
        url,
        accessed_on,
        quotes_source_id,
        {{ citation() }} as citation,
        note
    from sources
)

select * from final
