-- The latest reported (not forecast) figure of every indicator in China, with its source.
with

ranked as (
    select
        fact.indicator_code,
        indicator.name as indicator_name,
        fact.period_end,
        fact.value_canonical,
        fact.canonical_unit,
        fact.qualifier,
        source.title as source_title,
        row_number() over (
            partition by fact.indicator_code
            order by fact.period_end desc, source.published_on desc
        ) as recency
    from marts.fct_indicator_observation as fact
    inner join marts.dim_indicator as indicator on fact.indicator_code = indicator.indicator_code
    inner join marts.dim_source as source on fact.source_id = source.source_id
    where fact.geography_code = 'CN' and not fact.is_forecast
)

select indicator_code, indicator_name, period_end, value_canonical, canonical_unit, qualifier, source_title
from ranked
where recency = 1
order by indicator_code
