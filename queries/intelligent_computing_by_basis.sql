-- Intelligent computing capacity over time, one series per basis (CAICT's infrastructure or device side, the NDA
-- survey, IDC's estimate, FP16, or not stated), in EFLOPS: at each date the figure chosen among the pages that give
-- one, how many did, and how far apart they lie. Two bases are two measures: never read one series into another.
select
    basis.name as basis,
    series.period_end,
    series.value_canonical as capacity_eflops,
    series.lower_bound_canonical as lowest_eflops,
    series.upper_bound_canonical as highest_eflops,
    series.source_count,
    series.relative_spread,
    series.source_id,
    series.citation
from marts.mart_indicator_series as series
inner join marts.dim_basis as basis on series.basis_code = basis.basis_code
where series.indicator_code = 'intelligent_computing_capacity' and series.geography_code = 'CN'
order by basis.name, series.period_end
