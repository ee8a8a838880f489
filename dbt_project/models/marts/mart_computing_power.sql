-- Intelligent against total computing capacity over time: one row per date, geography and basis with a reported
-- level, each figure traced to its source. The two capacities and the share are set side by side only on one basis:
-- IDC's 725.3 EFLOPS (FP16) against the NDA survey's 280 EFLOPS total would imply a share of 259 %. Where several
-- sources give the same figure for a date and basis, the latest published one is shown and the count says how many
-- there were (marts.fct_indicator_observation holds them all). A figure its page misprints (erratum) is left out.
with

observations as (
    select * from {{ ref('fct_indicator_observation') }}
),

sources as (
    select * from {{ ref('dim_source') }}
),

point_in_time_figures as (
    select
        observations.*,
        sources.published_on
    from observations
    inner join sources
        on observations.source_id = sources.source_id
    where
        observations.indicator_code in (
            'intelligent_computing_capacity',
            'total_computing_capacity',
            'intelligent_computing_share'
        )
        and not observations.is_forecast
        and observations.erratum is null
        and observations.period_start = observations.period_end
),

ranked as (
    select
        *,
        row_number() over (
            partition by indicator_code, geography_code, basis_code, period_end
            order by published_on desc, observation_id asc
        ) as recency_rank,
        count(*) over (partition by indicator_code, geography_code, basis_code, period_end) as source_count
    from point_in_time_figures
),

latest as (
    select * from ranked
    where recency_rank = 1
),

dates as (
    select distinct
        period_end as as_of_date,
        geography_code,
        basis_code
    from latest
),

intelligent as (
    select * from latest
    where indicator_code = 'intelligent_computing_capacity'
),

total as (
    select * from latest
    where indicator_code = 'total_computing_capacity'
),

share as (
    select * from latest
    where indicator_code = 'intelligent_computing_share'
),

final as (
    select
        dates.as_of_date,
        dates.geography_code,
        dates.basis_code,
        intelligent.value_canonical as intelligent_capacity_eflops,
        intelligent.qualifier as intelligent_capacity_qualifier,
        intelligent.source_id as intelligent_capacity_source_id,
        coalesce(intelligent.source_count, 0) as intelligent_capacity_source_count,
        total.value_canonical as total_capacity_eflops,
        total.qualifier as total_capacity_qualifier,
        total.source_id as total_capacity_source_id,
        coalesce(total.source_count, 0) as total_capacity_source_count,
        share.value_canonical as reported_intelligent_share_percent,
        share.source_id as reported_intelligent_share_source_id,
        100 * intelligent.value_canonical / nullif(total.value_canonical, 0) as implied_intelligent_share_percent
    from dates
    left join intelligent
        on
        dates.as_of_date = intelligent.period_end
        and dates.geography_code = intelligent.geography_code
        and dates.basis_code = intelligent.basis_code
    left join total
        on
        dates.as_of_date = total.period_end
        and dates.geography_code = total.geography_code
        and dates.basis_code = total.basis_code
    left join share
        on
        dates.as_of_date = share.period_end
        and dates.geography_code = share.geography_code
        and dates.basis_code = share.basis_code
)

select * from final
