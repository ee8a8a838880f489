{#-
    How a consistency rule compares two figures. Each side is a value with the interval of true values it allows
    (from the figures' qualifiers and written precision, carried through the rule's arithmetic). The figures agree
    when the intervals overlap; an interval side that is null is unbounded.

    deviation  (observed - expected) / |expected|
    tolerance  the largest |deviation| at which the intervals would still overlap, in the observed value's direction:
               (expected_upper - expected + observed - observed_lower) / |expected| when observed >= expected,
               (expected - expected_lower + observed_upper - observed) / |expected| otherwise; null when unbounded.
    status     pass when the intervals overlap, fail when not, not_evaluable when a figure is missing;
               not_comparable when two of the figures are on known bases that differ (evaluation_ctes).
-#}
{% macro consistency_status(observed, observed_lower, observed_upper, expected, expected_lower, expected_upper) -%}
    case
        when {{ observed }} is null or {{ expected }} is null then 'not_evaluable'
        when ({{ expected_lower }} is null or {{ observed_upper }} is null or {{ observed_upper }} >= {{ expected_lower }})
            and ({{ expected_upper }} is null or {{ observed_lower }} is null or {{ observed_lower }} <= {{ expected_upper }})
            then 'pass'
        else 'fail'
    end
{%- endmacro %}

{% macro relative_deviation(observed, expected) -%}
    ({{ observed }} - {{ expected }}) / nullif(abs({{ expected }}), 0)
{%- endmacro %}

{% macro relative_tolerance(observed, observed_lower, observed_upper, expected, expected_lower, expected_upper) -%}
    case
        when {{ observed }} >= {{ expected }}
            then ({{ expected_upper }} - {{ expected }} + {{ observed }} - {{ observed_lower }}) / nullif(abs({{ expected }}), 0)
        else ({{ expected }} - {{ expected_lower }} + {{ observed_upper }} - {{ observed }}) / nullif(abs({{ expected }}), 0)
    end
{%- endmacro %}

{#- status, deviation and tolerance of a relation with the evaluation columns (observed_*, expected_*). -#}
{% macro comparison_columns() -%}
    {{ consistency_status('observed_value', 'observed_lower', 'observed_upper', 'expected_value', 'expected_lower', 'expected_upper') }}
        as status,
    {{ relative_deviation('observed_value', 'expected_value') }} as deviation,
    {{ relative_tolerance('observed_value', 'observed_lower', 'observed_upper', 'expected_value', 'expected_lower', 'expected_upper') }}
        as tolerance
{%- endmacro %}

{#-
    The last CTEs of every int_consistency_ model: its evaluations in the columns marts.fct_consistency_check
    unions, and their status, deviation and tolerance. `relation` is the CTE holding one row per evaluation.
-#}
{% macro evaluation_ctes(relation) -%}
evaluations as (
    select
        rule_id,
        geography_code,
        period_end,
        -- concat_ws over figures none of which was found gives '': no figures, as no_figures_columns() says it
        nullif(observation_ids, '') as observation_ids,
        nullif(source_ids, '') as source_ids,
        nullif(observation_roles, '') as observation_roles,
        nullif(basis_codes, '') as basis_codes,
        bases_differ,
        basis_ratio,
        observed_value,
        observed_lower,
        observed_upper,
        expected_value,
        expected_lower,
        expected_upper,
        canonical_unit,
        finding,
        nullif(missing, '') as missing
    from {{ relation }}
),

compared as (
    select
        *,
        {{ comparison_columns() }}
    from evaluations
),

-- Figures on two known bases are different measures: their evaluation is not a finding about the figures.
final as (
    select
        rule_id,
        geography_code,
        period_end,
        observation_ids,
        source_ids,
        observation_roles,
        basis_codes,
        basis_ratio,
        observed_value,
        observed_lower,
        observed_upper,
        expected_value,
        expected_lower,
        expected_upper,
        canonical_unit,
        finding,
        missing,
        case when bases_differ and status != 'not_evaluable' then 'not_comparable' else status end as status,
        deviation,
        tolerance
    from compared
)
{%- endmacro %}
