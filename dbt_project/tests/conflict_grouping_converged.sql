-- int_conflict_claims finds each conflict in var('conflict_grouping_passes') passes: a linking claim whose findings
-- ended in two conflicts means a group needed more (raise the var). Returns those claims.
select
    rule_id,
    claim_key
from {{ ref('int_conflict_claims') }}
where links
group by rule_id, claim_key
having count(distinct conflict_key) > 1
