{#-
    How a reconciliation rule compares two figures. Each side is a value with the interval of true values it allows
    (from the figures' qualifiers and written precision, carried through the rule's arithmetic). The figures agree
    when the intervals overlap; an interval side that is null is unbounded.

    deviation  (observed - expected) / |expected|
    tolerance  the largest |deviation| at which the intervals would still overlap, in the observed value's direction:
               (expected_upper - expected + observed - observed_lower) / |expected| when observed >= expected,
               (expected - expected_lower + observed_upper - observed) / |expected| otherwise; null when unbounded.
    status     pass when the intervals overlap, fail when not, not_evaluable when a figure is missing.
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

{#- status, deviation and tolerance of an evaluation with the standard observed_* and expected_* columns. -#}
{% macro comparison_columns() -%}
    {{ consistency_status('observed_value', 'observed_lower', 'observed_upper', 'expected_value', 'expected_lower', 'expected_upper') }}
        as status,
    {{ relative_deviation('observed_value', 'expected_value') }} as deviation,
    {{ relative_tolerance('observed_value', 'observed_lower', 'observed_upper', 'expected_value', 'expected_lower', 'expected_upper') }}
        as tolerance
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

{#- A number for a sentence: four significant digits, whole numbers up to 1e15 in full (DuckDB's printf). -#}
{% macro number_text(value) -%}
    case
        when abs({{ value }}) >= 1000 and abs({{ value }}) < 1e15 then printf('%.0f', {{ value }})
        else printf('%.4g', {{ value }})
    end
{%- endmacro %}

{#- A ratio as a percentage for a sentence: 0.0045 -> "0.4%". -#}
{% macro percent_text(ratio) -%}
    printf('%.1f%%', 100 * {{ ratio }})
{%- endmacro %}

{#- A figure as reported, for a sentence: "more than 40 percent (ccpc_2025, 2025-12-31)". -#}
{% macro figure_text(alias) -%}
    case {{ alias }}.qualifier
        when 'about' then 'about '
        when 'more_than' then 'more than '
        when 'at_least' then 'at least '
        when 'at_most' then 'at most '
        when 'less_than' then 'less than '
        else ''
    end
    || {{ number_text(alias ~ '.value_reported') }} || ' ' || replace({{ alias }}.unit_reported, '_', ' ')
    || ' (' || {{ alias }}.source_id || ', ' || cast({{ alias }}.period_end as {{ dbt.type_string() }}) || ')'
{%- endmacro %}

{#- A canonical value expressed in the unit a figure was reported in (EFLOPS back to million PFLOPS). -#}
{% macro in_reported_unit(value, alias) -%}
    {{ value }} * {{ alias }}.value_reported / nullif({{ alias }}.value_canonical, 0)
{%- endmacro %}

{#-
    "no intelligent_computing_share for CN on 2024-12-31" when the figure joined as `alias` is missing, else null.
    Expects the rule joined as `rules`, with a `period_text` column.
-#}
{% macro missing_figure_text(alias, indicator_column) -%}
    case when {{ alias }}.observation_id is null
        then 'no ' || coalesce(rules.{{ indicator_column }}, '?') || ' for ' || rules.geography_code
            || ' ' || rules.period_text
    end
{%- endmacro %}

{#-
    The last two CTEs of every int_consistency_ model: its evaluations in the columns fct_consistency_check unions,
    and their status, deviation and tolerance. `relation` is the CTE holding one row per evaluation.
-#}
{% macro evaluation_ctes(relation) -%}
evaluations as (
    select
        rule_id,
        period_end,
        observation_ids,
        source_ids,
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

final as (
    select
        *,
        {{ comparison_columns() }}
    from evaluations
)
{%- endmacro %}

{#-
    The interval a growth figure allows, in percent. A "more than X" growth has no upper bound unless the rule reads it
    up to open_bound_factor × X; "less than X" likewise down to X / open_bound_factor. Expects the rule joined as
    `rules`.
-#}
{% macro growth_lower(alias) -%}
    coalesce(
        {{ alias }}.lower_bound_canonical,
        case when {{ alias }}.qualifier in ('at_most', 'less_than') then {{ alias }}.value_canonical / rules.open_bound_factor end
    )
{%- endmacro %}

{% macro growth_upper(alias) -%}
    coalesce(
        {{ alias }}.upper_bound_canonical,
        case when {{ alias }}.qualifier in ('more_than', 'at_least') then {{ alias }}.value_canonical * rules.open_bound_factor end
    )
{%- endmacro %}

{#- A growth figure for a sentence, with how an open bound is read: "more than 40 percent (...) (read as 40 to 60 percent)". -#}
{% macro growth_figure_text(alias) -%}
    {{ figure_text(alias) }}
    || case
        when rules.open_bound_factor is not null and {{ alias }}.qualifier in ('more_than', 'at_least')
            then ' (read as ' || {{ number_text(alias ~ '.value_reported') }} || ' to '
                || {{ number_text(alias ~ '.value_reported * rules.open_bound_factor') }} || ' percent)'
        else ''
    end
{%- endmacro %}

{#- The rules of one growth rule type, with the date of the level the growth starts from (the day before the period). -#}
{% macro growth_rules(rule_type) -%}
    select
        *,
        'for ' || cast(period_start as {{ dbt.type_string() }}) || ' to '
            || cast(period_end as {{ dbt.type_string() }}) as period_text,
        {{ dbt.dateadd('day', -1, 'period_start') }} as start_level_date
    from {{ ref('stg_seeds__reconciliation_rules') }}
    where rule_type = '{{ rule_type }}'
{%- endmacro %}
