-- Intelligent computing capacity over time, one line per source, in EFLOPS with the range each figure allows.
select
    fact.period_end,
    source.title as source_title,
    fact.value_canonical as capacity_eflops,
    fact.lower_bound_canonical as lowest_eflops,
    fact.upper_bound_canonical as highest_eflops,
    fact.value_reported,
    fact.unit_reported
from marts.fct_indicator_observation as fact
inner join marts.dim_source as source on fact.source_id = source.source_id
where fact.indicator_code = 'intelligent_computing_capacity' and fact.geography_code = 'CN'
order by source.title, fact.period_end
