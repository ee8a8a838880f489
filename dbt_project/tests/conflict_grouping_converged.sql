-- int_conflict_claims finds each conflict in var('conflict_grouping_passes') passes: a finding whose claims ended in
-- two conflicts means a group needed more (raise the var). Returns those findings.
select check_id
from {{ ref('int_conflict_claims') }}
group by check_id
having count(distinct conflict_key) > 1
