-- One row per day from the first of January of the earliest period to the last of December of the latest.
with

observations as (
    select * from {{ ref('stg_seeds__observations') }}
),

bounds as (
    select
        {{ dbt.date_trunc('year', 'min(period_start)') }} as first_day,
        {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'max(period_end)'))) }} as last_day
    from observations
),

days as (
    select {{ day_series('first_day', 'last_day') }} as date_day
    from bounds
),

final as (
    select
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(date_day as date) = cast({{ dbt.last_day('date_day', 'month') }} as date) as is_month_end,
        extract(month from date_day) = 12 and extract(day from date_day) = 31 as is_year_end
    from days
)

select * from final
