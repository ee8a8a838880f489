{#-
    The figures an evaluation used, in three parallel comma-separated columns: observation_ids, source_ids and
    observation_roles (the role each figure plays: part, whole, share, growth, start_level, ...). A figure that is
    missing (not joined) is left out of all three. `figures` is a list of [alias, role] pairs.
-#}
{% macro evaluation_figures(figures) -%}
    concat_ws(', '{% for alias, role in figures %}, {{ alias }}.observation_id{% endfor %}) as observation_ids,
    concat_ws(', '{% for alias, role in figures %}, {{ alias }}.source_id{% endfor %}) as source_ids,
    concat_ws(
        ', '{% for alias, role in figures %}, case when {{ alias }}.observation_id is not null then '{{ role }}' end{% endfor %}
    ) as observation_roles
{%- endmacro %}

{#-
    One row per item of a comma-separated list column (as evaluation_figures writes them); two such calls in one
    select unnest in step. Dispatched: an engine without unnest/string_split gets its own implementation here.
-#}
{% macro split_list(column) -%}
    {{ return(adapter.dispatch('split_list')(column)) }}
{%- endmacro %}

{% macro default__split_list(column) -%}
    unnest(string_split({{ column }}, ', '))
{%- endmacro %}
