-- Every consistency rule evaluated on every run: one row per rule and combination of figures it compares. The
-- evaluations of every int_consistency_<rule type> model (var('rule_types') lists them), numbered within their rule
-- and put in a sentence; macros/consistency/comparison.sql says how status, deviation and tolerance are derived.
-- Built once here: the bridge to the figures (fct_consistency_check_observation) reads this table.
with

rules as (
    select * from {{ ref('stg_seeds__consistency_rules') }}
),

evaluations as (
    {%- for rule_type in var('rule_types') %}
        {% if not loop.first %}union all{% endif %}
        select * from {{ ref('int_consistency_' ~ rule_type) }}
    {%- endfor %}
),

compared as (
    select
        evaluations.*,
        rules.rule_type,
        rules.severity,
        rules.subject_indicator_code,
        rules.description,
        rules.explanation
    from evaluations
    inner join rules
        on evaluations.rule_id = rules.rule_id
),

-- No two findings evaluate one relation on the same figures: where rules of one type overlap (every date's rule and
-- 2024's), the finding of the stricter rule (error before warn), then of the narrower (a dated rule), is kept.
distinct_evaluations as (
    select *
    from (
        select
            compared.*,
            row_number() over (
                partition by compared.rule_type, compared.observation_ids
                order by
                    case compared.severity when 'error' then 0 else 1 end,
                    case when rules.period_end is null then 1 else 0 end,
                    compared.rule_id
            ) as overlap_rank
        from compared
        inner join rules
            on compared.rule_id = rules.rule_id
    ) as ranked
    where overlap_rank = 1 or observation_ids is null
),

numbered as (
    select
        *,
        row_number() over (partition by rule_id order by observation_ids, finding, missing) as evaluation_number
    from distinct_evaluations
),

final as (
    select
        rule_id || '#' || cast(evaluation_number as {{ dbt.type_string() }}) as check_id,
        rule_id,
        rule_type,
        severity,
        status,
        subject_indicator_code as indicator_code,
        geography_code,
        period_end,
        expected_value,
        expected_lower,
        expected_upper,
        observed_value,
        observed_lower,
        observed_upper,
        canonical_unit,
        tolerance,
        deviation,
        observation_ids,
        source_ids,
        observation_roles,
        basis_codes,
        case status
            when 'not_evaluable' then 'Not evaluable (' || description || '): ' || missing || '.'
            when 'not_comparable'
                then
                    'Not comparable: ' || finding || '; the figures are counted on different bases (' || basis_codes
                    || ')' || coalesce(', the one ' || {{ number_text('basis_ratio') }} || ' times the other', '')
                    || ': a difference of measure, not a conflict.'
            when 'pass'
                then
                    'Holds: ' || finding || coalesce('; deviation ' || {{ percent_text('deviation') }}, '')
                    || coalesce(
                        ', within the ' || {{ percent_text('tolerance') }} || ' the figures allow',
                        ', within their bounds'
                    )
                    || '.' || {{ unstated_basis_text() }}
            else
                'Conflict: ' || finding || coalesce('; deviation ' || {{ percent_text('deviation') }}, '')
                || coalesce(', beyond the ' || {{ percent_text('tolerance') }} || ' the figures allow', '')
                || '.' || {{ unstated_basis_text() }} || ' ' || coalesce(explanation, '')
        end as message
    from numbered
)

select * from final
