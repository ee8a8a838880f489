-- The conflicts, one row each, in one sentence. A conflict is the failing findings of one rule that share claims
-- (int_conflict_claims: a claim is what a figure says, whichever page carries it): 788 EFLOPS at mid-2025 on five
-- pages against 725.3 EFLOPS for 2024 on two is one conflict, not ten findings. The sentence names each claim with its
-- date, basis and the pages that carry it (the rule's subject first, the growth rate before the levels it is tested
-- against, then in time order), and the rule they break.
with

claims as (
    select * from {{ ref('int_conflict_claims') }}
),

checks as (
    select * from {{ ref('fct_consistency_check') }}
),

rules as (
    select * from {{ ref('stg_seeds__consistency_rules') }}
),

-- Each claim of a conflict once, with the pages that carry it (claim_text follows from claim_key).
conflict_claims as (
    select
        conflict_key,
        claim_key,
        claim_text,
        links,
        count(*) as source_count,
        {{ dbt.listagg('source_id', "', '", 'order by source_id') }} as page_list
    from (select distinct
        conflict_key,
        claim_key,
        claim_text,
        links,
        source_id
    from claims) as claim_pages
    group by conflict_key, claim_key, claim_text, links
),

described as (
    select
        conflict_key,
        count(*) as claim_count,
        {{ dbt.listagg(
            "claim_text || ' (' || case when source_count = 1 then page_list else cast(source_count as "
            ~ dbt.type_string() ~ ") || ' pages: ' || page_list end || ')'",
            "'; '",
            'order by case when links then 0 else 1 end, claim_key'
        ) }} as claims_text
    from conflict_claims
    group by conflict_key
),

-- The indicators a conflict's claims are of, for a reader who looks for one.
conflict_indicators as (
    select
        conflict_key,
        {{ dbt.listagg('indicator_code', "', '", 'order by indicator_code') }} as indicator_codes
    from (
        select distinct
            conflict_key,
            indicator_code
        from claims
    ) as distinct_indicators
    group by conflict_key
),

counted as (
    select
        claims.conflict_key,
        min(claims.rule_id) as rule_id,
        count(distinct claims.check_id) as finding_count,
        count(distinct claims.observation_id) as figure_count,
        count(distinct claims.source_id) as source_count,
        max(abs(checks.deviation)) as largest_deviation
    from claims
    inner join checks
        on claims.check_id = checks.check_id
    group by claims.conflict_key
),

final as (
    select
        counted.rule_id || '#' || cast(
            row_number() over (partition by counted.rule_id order by counted.conflict_key) as {{ dbt.type_string() }}
        ) as conflict_id,
        counted.rule_id,
        rules.severity,
        rules.subject_indicator_code as indicator_code,
        described.claims_text
        || case when described.claim_count = 1 then ' cannot be right: ' else ' cannot all be right: ' end
        || lower(substr(rules.description, 1, 1)) || trim(trailing '.' from substr(rules.description, 2))
        || coalesce('; off by up to ' || {{ percent_text('counted.largest_deviation') }}, '')
        || '.' as sentence,
        conflict_indicators.indicator_codes,
        described.claim_count,
        counted.figure_count,
        counted.source_count,
        counted.finding_count,
        counted.largest_deviation,
        rules.explanation
    from counted
    inner join described
        on counted.conflict_key = described.conflict_key
    inner join conflict_indicators
        on counted.conflict_key = conflict_indicators.conflict_key
    inner join rules
        on counted.rule_id = rules.rule_id
)

select * from final
