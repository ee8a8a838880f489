with

source as (
    select * from {{ source('seeds', 'observation_quotes') }}
),

-- The quote is kept exactly as written: its offsets count its characters.
final as (
    select
        trim(observation_id) as observation_id,
        quote,
        quote_start,
        quote_end
    from source
)

select * from final
