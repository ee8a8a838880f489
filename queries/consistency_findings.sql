-- What the consistency rules found: failures first, errors before warnings.
select rule_id, severity, status, indicator_code, period_end, deviation, tolerance, message
from marts.fct_consistency_check
order by
    case status when 'fail' then 0 when 'not_evaluable' then 1 else 2 end,
    case severity when 'error' then 0 else 1 end,
    rule_id
