-- What the consistency rules found, the first page of it: failures first, errors before warnings. A BI page shows a
-- hundred at a time; drop the limit for every finding (at 10 million figures they are hundreds of thousands).
select rule_id, severity, status, indicator_code, period_end, deviation, tolerance, message
from marts.fct_consistency_check
order by
    case status when 'fail' then 0 when 'not_evaluable' then 1 else 2 end,
    case severity when 'error' then 0 else 1 end,
    rule_id
limit 100
