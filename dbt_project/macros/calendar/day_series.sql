{#-
    One row per day from first_day to last_day, both included, as a column of timestamps: the set-returning
    expression to select from a one-row relation. Unlike dbt.date_spine it runs no query while compiling, so the
    project compiles (and sqlfluff lints it) before any table exists. Dispatched: an engine without generate_series
    gets its own implementation here.
-#}
{% macro day_series(first_day, last_day) -%}
    {{ return(adapter.dispatch('day_series')(first_day, last_day)) }}
{%- endmacro %}

{% macro default__day_series(first_day, last_day) -%}
    unnest(generate_series(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day))
{%- endmacro %}

{% macro spark__day_series(first_day, last_day) -%}
    explode(sequence(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day))
{%- endmacro %}
