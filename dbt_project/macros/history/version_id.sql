{#-
    An identifier of a row's content: the md5 of its columns as text, a null written as \N so that it differs from
    any text. Two rows get the same version_id exactly when every one of the columns is equal.
-#}
{% macro version_id(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '\\N'){% if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
