{#-
    What the engine's catalog does not keep between processes. On Spark (an in-memory catalog), the on-run-start hook
    declares each seed source raw.<name> over the Parquet files the loader wrote (SPARK_RAW_DIR/<name>) and, when
    SPARK_PUBLISHED_HISTORY names one, the published warehouse's history as published.<name>; the history model reads
    it there. DuckDB keeps both in its file.
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
            {%- do declare_parquet_table('raw.' ~ source.name, raw_dir ~ '/' ~ source.name) -%}
        {%- endfor -%}
        {#- A rollback rebuilds the history beside the tables of a kept publication: those are declared too. -#}
        {%- for name in env_var('SPARK_DECLARED_TABLES', '').split(',') if name -%}
            {%- set schema, table = name.split('.') -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
            {%- do declare_parquet_table(
                name, env_var('SPARK_WAREHOUSE_DIR') ~ '/' ~ schema ~ '.db/' ~ table
            ) -%}
        {%- endfor -%}
        {%- set history = env_var('SPARK_PUBLISHED_HISTORY', '') -%}
        {%- do run_query('create schema if not exists published') -%}
        {%- if history -%}
            {%- do declare_parquet_table('published.fct_indicator_observation_history', history) -%}
        {%- else -%}
            {%- do run_query('drop table if exists published.fct_indicator_observation_history') -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- A table declared over Parquet files, replacing what the name meant before: a cluster's catalog outlives a run. -#}
{% macro declare_parquet_table(name, location) -%}
    {%- do run_query('drop table if exists ' ~ name) -%}
    {%- do run_query("create table " ~ name ~ " using parquet location '" ~ location ~ "'") -%}
{%- endmacro %}

{#- The history a model carries over from the published warehouse, or none before the first publication: on DuckDB
    the table itself (the run's working file starts with it), on Spark the one the hook declared. -#}
{% macro previous_history(relation) -%}
    {{ return(adapter.dispatch('previous_history')(relation)) }}
{%- endmacro %}

{% macro default__previous_history(relation) -%}
    {{ return(adapter.get_relation(relation.database, relation.schema, relation.identifier)) }}
{%- endmacro %}

{% macro spark__previous_history(relation) -%}
    {{ return(adapter.get_relation(none, 'published', relation.identifier)) }}
{%- endmacro %}
