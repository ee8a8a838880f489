-- What the world could know on 2026-01-01: for every indicator in China and every basis it is counted on, the latest
-- reported (not forecast, not misprinted) figure whose source had been published by that day and not yet superseded
-- by a later one. Change the date to ask about another day; plain SQL, so the same query runs on the PostgreSQL copy.
with

known as (
    select *
    from marts.fct_indicator_observation
    where
        geography_code = 'CN'
        and not is_forecast
        and erratum is null
        and known_from <= date '2026-01-01'
        and (known_until is null or known_until > date '2026-01-01')
),

ranked as (
    select
        *,
        row_number() over (
            partition by indicator_code, basis_code order by period_end desc, known_from desc, observation_id
        ) as recency
    from known
)

select indicator_code, basis_code, period_end, value_canonical, canonical_unit, qualifier, source_id, known_from
from ranked
where recency = 1
order by indicator_code, basis_code
