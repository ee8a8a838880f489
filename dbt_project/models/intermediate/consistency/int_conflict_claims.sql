-- Each figure a failing consistency finding used, as the claim it makes, and the conflict it belongs to. A claim is
-- what a figure says (indicator, geography, period, basis, qualifier, value), whichever page carries it: 788 EFLOPS at
-- mid-2025 on five pages is one claim. The findings of one rule that share a linking claim, directly or through other
-- findings, are one conflict. A linking claim is one of the rule's subject (the growth rate a growth rule tests, the
-- part a part-within-whole rule tests), or any claim where the rule has no subject (sources that should agree): so a
-- growth rate and the levels it disagrees with are one conflict, and another growth rate tested against the same
-- levels is another. Its key is the smallest linking claim key of the group, found by passing the smallest key
-- between findings and their claims var('conflict_grouping_passes') times (the data test
-- conflict_grouping_converged fails if a group needs more passes).
with

checks as (
    select * from {{ ref('fct_consistency_check') }}
    where status = 'fail'
),

check_figures as (
    select * from {{ ref('fct_consistency_check_observation') }}
),

observations as (
    select * from {{ ref('fct_indicator_observation') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

bases as (
    select * from {{ ref('dim_basis') }}
),

-- The key starts with the date, so that claims sort in time order.
claims as (
    select
        checks.check_id,
        checks.rule_id,
        coalesce(observations.indicator_code = checks.indicator_code, true) as links,
        observations.indicator_code,
        observations.observation_id,
        observations.source_id,
        cast(observations.period_end as {{ dbt.type_string() }})
        || '|' || observations.indicator_code
        || '|' || observations.geography_code
        || '|' || observations.basis_code
        || '|' || coalesce(observations.qualifier, 'exact')
        -- a fixed-point number: Spark writes a large double in scientific notation, DuckDB in full
        || '|' || cast(cast(observations.value_canonical as decimal(38, 6)) as {{ dbt.type_string() }})
        || '|' || cast(observations.is_forecast as {{ dbt.type_string() }})
        || '|' || cast(observations.period_start as {{ dbt.type_string() }})
        || case when observations.erratum is not null then '|erratum' else '' end as claim_key,
        indicators.name
        || ' ' || {{ qualifier_text('observations.qualifier') }}
        || {{ number_text('observations.value_canonical') }} || ' ' || replace(observations.canonical_unit, '_', ' ')
        || case
            when observations.period_start = observations.period_end
                then ' at ' || cast(observations.period_end as {{ dbt.type_string() }})
            else
                ' for ' || cast(observations.period_start as {{ dbt.type_string() }})
                || ' to ' || cast(observations.period_end as {{ dbt.type_string() }})
        end
        || case when observations.geography_code != 'CN' then ' in ' || observations.geography_code else '' end
        || case when observations.is_forecast then ' (forecast)' else '' end
        || case
            when observations.basis_code = 'unspecified' then ', basis not stated'
            else ', ' || bases.name
        end
        || case when observations.erratum is not null then ', misprinted by its page' else '' end as claim_text
    from checks
    inner join check_figures
        on checks.check_id = check_figures.check_id
    inner join observations
        on check_figures.observation_id = observations.observation_id
    inner join indicators
        on observations.indicator_code = indicators.indicator_code
    inner join bases
        on observations.basis_code = bases.basis_code
),

edges as (
    select distinct
        rule_id,
        check_id,
        claim_key
    from claims
    where links
),

claim_label_0 as (
    select distinct
        rule_id,
        claim_key,
        claim_key as label
    from edges
),
{% for pass in range(1, var('conflict_grouping_passes') + 1) %}
    finding_label_{{ pass }} as (
        select
            edges.check_id,
            min(claim_label_{{ pass - 1 }}.label) as label
        from edges
        inner join claim_label_{{ pass - 1 }}
            on edges.rule_id = claim_label_{{ pass - 1 }}.rule_id
            and edges.claim_key = claim_label_{{ pass - 1 }}.claim_key
        group by edges.check_id
    ),

    claim_label_{{ pass }} as (
        select
            edges.rule_id,
            edges.claim_key,
            min(finding_label_{{ pass }}.label) as label
        from edges
        inner join finding_label_{{ pass }}
            on edges.check_id = finding_label_{{ pass }}.check_id
        group by edges.rule_id, edges.claim_key
    ),
{% endfor %}
-- A finding with no linking claim (its subject missing) is a conflict of its own.
finding_labels as (
    select
        claims.check_id,
        coalesce(min(labels.label), min(claims.claim_key)) as label
    from claims
    left join finding_label_{{ var('conflict_grouping_passes') }} as labels
        on claims.check_id = labels.check_id
    group by claims.check_id
),

final as (
    select
        claims.rule_id,
        claims.rule_id || ' ' || finding_labels.label as conflict_key,
        claims.check_id,
        claims.claim_key,
        claims.links,
        claims.indicator_code,
        claims.claim_text,
        claims.observation_id,
        claims.source_id
    from claims
    inner join finding_labels
        on claims.check_id = finding_labels.check_id
)

select * from final
