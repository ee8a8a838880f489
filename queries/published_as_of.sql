-- What the warehouse published at the end of 2026-11-20 (UTC): every figure as the warehouse gave it then, with the
-- run that published it, even if its seed row has been corrected or removed since. Change the time to ask about
-- another moment; plain SQL, so the same query runs on the PostgreSQL copy.
select
    observation_id,
    indicator_code,
    geography_code,
    period_end,
    value_reported,
    unit_reported,
    value_canonical,
    canonical_unit,
    source_id,
    recorded_from,
    first_published_run_id
from marts.fct_indicator_observation_history
where
    recorded_from <= timestamp '2026-11-20 23:59:59'
    and (recorded_until is null or recorded_until > timestamp '2026-11-20 23:59:59')
order by indicator_code, geography_code, period_end, observation_id
