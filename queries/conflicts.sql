-- The conflicts between published figures, one line each: the figures that cannot all be right, the pages that
-- carry them and the rule they break; errors first, then those with the most findings behind them.
select conflict_id, sentence, severity, indicator_codes, claim_count, source_count, finding_count
from marts.mart_conflict
order by case severity when 'error' then 0 else 1 end, finding_count desc, conflict_id
