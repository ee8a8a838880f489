{#-
    A source's citation as a reader copies it: outlet, title in quotes (where known), the date the page gives (or "undated"), its
    address and the day it was read. Columns of stg_seeds__sources; plain concatenation, so both engines run it.
-#}
{% macro citation(alias=none) -%}
    {%- set column = (alias ~ '.') if alias else '' -%}
    {{ column }}outlet || coalesce(', "' || {{ column }}title || '"', '') || ', '
    || coalesce(cast({{ column }}published_on as {{ dbt.type_string() }}), 'undated')
    || coalesce(', ' || {{ column }}url, '')
    || coalesce(' (read ' || cast({{ column }}accessed_on as {{ dbt.type_string() }}) || ')', '')
{%- endmacro %}
