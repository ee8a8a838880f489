{#-
    The interval a growth figure allows, in percent. A "more than X" growth has no upper bound unless the rule reads it
    up to open_bound_factor × X; "less than X" likewise down to X / open_bound_factor.
-#}
{% macro growth_lower(figure, open_bound_factor) -%}
    coalesce(
        {{ figure }}.lower_bound_canonical,
        case when {{ figure }}.qualifier in ('at_most', 'less_than') then {{ figure }}.value_canonical / {{ open_bound_factor }} end
    )
{%- endmacro %}

{% macro growth_upper(figure, open_bound_factor) -%}
    coalesce(
        {{ figure }}.upper_bound_canonical,
        case when {{ figure }}.qualifier in ('more_than', 'at_least') then {{ figure }}.value_canonical * {{ open_bound_factor }} end
    )
{%- endmacro %}

{#- A figure with an open bound for a sentence, with how the rule reads it: "more than 40 percent (...) (read as 40 to 60 percent)". -#}
{% macro growth_figure_text(figure, open_bound_factor) -%}
    {{ figure_text(figure) }}
    || case
        when {{ open_bound_factor }} is not null and {{ figure }}.qualifier in ('more_than', 'at_least')
            then ' (read as ' || {{ number_text(figure ~ '.value_reported') }} || ' to '
                || {{ number_text(figure ~ '.value_reported * ' ~ open_bound_factor) }} || ' '
                || replace({{ figure }}.unit_reported, '_', ' ') || ')'
        else ''
    end
{%- endmacro %}

{#-
    The mean daily rate of a rate growing at a steady compound rate from `first` to `last` over a period:
    (last - first) / ln(last / first), or `first` when the two are equal; null when either is missing or not positive.
-#}
{% macro compound_mean(first, last) -%}
    case
        when {{ first }} <= 0 or {{ last }} <= 0 then null
        when {{ first }} = {{ last }} then {{ first }}
        else ({{ last }} - {{ first }}) / ln({{ last }} / {{ first }})
    end
{%- endmacro %}
