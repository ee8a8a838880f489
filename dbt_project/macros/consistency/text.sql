{#-
    A number for a sentence: four significant digits, whole numbers up to 1e15 in full. The text is C's printf (as
    DuckDB's): `%.4g` drops trailing zeros, halves round to even, and a null stays null. Dispatched: Spark's printf
    is Java's, which keeps the zeros, rounds halves up and writes a null as "null".
-#}
{% macro number_text(value) -%}
    {{ return(adapter.dispatch('number_text')(value)) }}
{%- endmacro %}

{% macro default__number_text(value) -%}
    case
        when abs({{ value }}) >= 1000 and abs({{ value }}) < 1e15 then printf('%.0f', {{ value }})
        else printf('%.4g', {{ value }})
    end
{%- endmacro %}

{% macro spark__number_text(value) -%}
    case
        when {{ value }} is null then null
        when abs({{ value }}) >= 1000 and abs({{ value }}) < 1e15 then format_string('%.0f', bround({{ value }}, 0))
        else regexp_replace(
            regexp_replace(format_string('%.4g', {{ value }}), '(\\.[0-9]*?)0+(e|$)', '$1$2'), '\\.(e|$)', '$1'
        )
    end
{%- endmacro %}

{#- A ratio as a percentage for a sentence: 0.0045 -> "0.4%" (dispatched as number_text is). -#}
{% macro percent_text(ratio) -%}
    {{ return(adapter.dispatch('percent_text')(ratio)) }}
{%- endmacro %}

{#- A ratio that rounds to zero reads 0.0%, never -0.0% (as Spark's bround writes it). -#}
{% macro default__percent_text(ratio) -%}
    printf('%.1f%%', case when abs(100 * {{ ratio }}) < 0.05 then 0.0 else 100 * {{ ratio }} end)
{%- endmacro %}

{% macro spark__percent_text(ratio) -%}
    case when {{ ratio }} is not null then format_string('%.1f%%', bround(100 * {{ ratio }}, 1)) end
{%- endmacro %}

{#- How a qualifier reads before its number: "about ", "more than "; empty for an exact figure. -#}
{% macro qualifier_text(qualifier) -%}
    case {{ qualifier }}
        when 'about' then 'about '
        when 'more_than' then 'more than '
        when 'at_least' then 'at least '
        when 'at_most' then 'at most '
        when 'less_than' then 'less than '
        else ''
    end
{%- endmacro %}

{#-
    A figure as reported, for a sentence, with its canonical value where the unit differs, and whether it is a
    forecast and whether its date was inferred by the seed: "1.59 million PFLOPS = 1590 EFLOPS (ndrs_2025,
    2025-12-31, date inferred)", "more than 40 percent (ccpc_2025, 2025-12-31, forecast)".
-#}
{% macro figure_text(figure) -%}
    {{ qualifier_text(figure ~ '.qualifier') }}
    || {{ number_text(figure ~ '.value_reported') }} || ' ' || replace({{ figure }}.unit_reported, '_', ' ')
    || case
        when {{ figure }}.unit_reported != {{ figure }}.canonical_unit
            then ' = ' || {{ number_text(figure ~ '.value_canonical') }} || ' '
                || replace({{ figure }}.canonical_unit, '_', ' ')
        else ''
    end
    || ' (' || {{ figure }}.source_id || ', ' || cast({{ figure }}.period_end as {{ dbt.type_string() }})
    || case when {{ figure }}.is_forecast then ', forecast' else '' end
    || case
        when {{ figure }}.period_inferred and {{ figure }}.period_start = {{ figure }}.period_end then ', date inferred'
        when {{ figure }}.period_inferred then ', period inferred'
        else ''
    end
    || ')'
{%- endmacro %}

{#- A canonical value expressed in the unit a figure was reported in (EFLOPS back to million PFLOPS). -#}
{% macro in_reported_unit(value, figure) -%}
    {{ value }} * {{ figure }}.value_reported / nullif({{ figure }}.value_canonical, 0)
{%- endmacro %}

{#-
    "no intelligent_computing_share for CN on 2024-12-31" when the figure joined as `figure` is missing, else null.
    `indicator_column` names the rule's column for that figure, in the rules relation (consistency_subjects) joined
    as `rules`.
-#}
{% macro missing_figure_text(figure, indicator_column, rules) -%}
    case when {{ figure }}.observation_id is null
        then 'no ' || coalesce({{ rules }}.{{ indicator_column }}, '?') || ' for '
            || coalesce({{ rules }}.at_geography_code, 'any geography') || ' ' || {{ rules }}.period_text
    end
{%- endmacro %}

{#- A finding's note where a figure it compared states no basis: the comparison was made, and says so. -#}
{% macro unstated_basis_text() -%}
    case when basis_codes like '%unspecified%' then ' The basis of a figure compared is not stated.' else '' end
{%- endmacro %}
