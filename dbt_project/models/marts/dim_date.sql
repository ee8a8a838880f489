-- One row per day from the first of January of the earliest period to the last of December of the latest.
with

days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="(select " ~ dbt.date_trunc('year', 'min(period_start)') ~ " from " ~ ref('stg_seeds__observations') ~ ")",
        end_date="(select " ~ dbt.dateadd('year', 1, dbt.date_trunc('year', 'max(period_end)')) ~ " from " ~ ref('stg_seeds__observations') ~ ")",
    ) }}
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
