{#-
    An identifier of a row's content: the md5 of its columns as text, a null written as \N so that it differs from
    any text. Two rows get the same version_id exactly when every one of the columns is equal. The text is DuckDB's
    (a published warehouse's history keeps the identifiers it was given), and every engine writes the same text, so
    the identifiers agree across engines.
-#}
{% macro version_id(columns) -%}
    {{ return(adapter.dispatch('version_id')(columns)) }}
{%- endmacro %}

{% macro default__version_id(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '\\N'){% if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#-
    Spark unescapes backslashes in literals, and writes doubles as Java does: both are brought to DuckDB's text. A
    column is a double when the calling model's contract declares it one.
-#}
{% macro spark__version_id(columns) -%}
    md5(
        {%- for column in columns %}
        {%- set declared = model.columns.get(column) %}
        coalesce(
            {%- if declared and declared.data_type == 'double' %} {{ spark_double_text(column) }}
            {%- else %} cast({{ column }} as string)
            {%- endif %},
            '\\\\N'
        ){% if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#-
    A double as DuckDB (and Python's repr) write it: the shortest digits that read back as the same double, plain
    from 1e-4 up to 1e16 (90.0, 0.0001, 1000000000000000.0), otherwise 2.11e+16 or 1e-05. Spark's own text switches to
    2.11E16 at 1e7 and below 1e-3. Its decimal cast keeps Java's shortest digits in the plain range; subnormal doubles
    (below 2.3e-308) may differ in the last digit on Java 17.
-#}
{% macro spark_double_text(value) -%}
    {%- set exponent = "cast(substring_index(cast(" ~ value ~ " as string), 'E', -1) as int)" -%}
    case
        when isnan({{ value }}) then 'nan'
        when {{ value }} = double('infinity') then 'inf'
        when {{ value }} = -double('infinity') then '-inf'
        when {{ value }} = 0 then cast({{ value }} as string)
        when abs({{ value }}) >= 1e-4 and abs({{ value }}) < 1e16
            then regexp_replace(
                regexp_replace(cast(cast({{ value }} as decimal(38, 20)) as string), '0+$', ''), '\\.$', '.0'
            )
        else regexp_replace(substring_index(cast({{ value }} as string), 'E', 1), '\\.0$', '') || 'e'
            || case when {{ exponent }} < 0 then '-' else '+' end
            || case when abs({{ exponent }}) < 10 then '0' else '' end
            || cast(abs({{ exponent }}) as string)
    end
{%- endmacro %}
