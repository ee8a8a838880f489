{#-
    The raw tables, where the engine's catalog does not keep them between processes: on Spark, each seed source is
    declared over the Parquet files the loader wrote (SPARK_RAW_DIR/<name>). DuckDB keeps them in its file.
-#}
{% macro declare_raw_tables() -%}
    {{ return(adapter.dispatch('declare_raw_tables')()) }}
{%- endmacro %}

{% macro default__declare_raw_tables() -%}
{%- endmacro %}

{% macro spark__declare_raw_tables() -%}
    {%- if execute -%}
        {%- set raw_dir = env_var('SPARK_RAW_DIR') -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do run_query(
                "create table if not exists raw." ~ source.name ~ " using parquet location '"
                ~ raw_dir ~ "/" ~ source.name ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
