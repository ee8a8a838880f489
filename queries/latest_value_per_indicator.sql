-- The latest reported (not forecast) figure of every indicator in China, with its source.
select
    indicator_code,
    indicator_name,
    period_end,
    value_canonical,
    canonical_unit,
    qualifier,
    source_title
from marts.mart_latest_indicator_value
where geography_code = 'CN'
order by indicator_code
