-- Every version of every figure the warehouse ever published, with when it was published (recorded time). The
-- table carries itself over from one publication to the next: a run reads the history it was published with (the
-- working file always holds it: WarehouseResource.prepare_working_file carries it over even into a run that starts
-- empty) and adds this run's figures:
--   a version still in the seeds stays open, and this run is the last that published it;
--   a version no longer in the seeds (a corrected or deleted row) is closed by this run (recorded_until_run_id);
--   a version first seen is opened by this run (first_published_run_id).
-- This run's publication time is not known while it builds: publishing stamps recorded_from and recorded_until on
-- the rows this run opened and closed (orchestration/publish/publishing.py), so they are null only in a working
-- file. A version is the content of the figure's seed row (version_id); what is derived from other rows (known_until,
-- superseded_by_observation_id) is as it was at the version's last publication.
{%- set published_history = previous_history(this) %}
{#- The run that builds the warehouse (Dagster passes its run id; by hand, dbt-dev): which run first and last
    published each version of a figure. -#}
{%- set run_id = "'" ~ env_var('WAREHOUSE_RUN_ID', 'dbt-dev') ~ "'" %}
{%- set seed_columns = [
    'observation_id', 'indicator_code', 'geography_code', 'source_id', 'period_start', 'period_end', 'period_type',
    'period_inferred', 'value_reported', 'unit_reported', 'qualifier', 'is_forecast', 'note'
] %}
{%- set figure_columns = [
    'observation_id', 'indicator_code', 'geography_code', 'source_id', 'period_start', 'period_end', 'period_type',
    'period_inferred', 'value_reported', 'unit_reported', 'value_canonical', 'canonical_unit', 'qualifier',
    'lower_bound_canonical', 'upper_bound_canonical', 'is_forecast', 'known_from', 'known_until',
    'superseded_by_observation_id', 'note'
] %}
{%- set recorded_columns = [
    'recorded_from', 'recorded_until', 'first_published_run_id', 'last_published_run_id', 'recorded_until_run_id'
] %}

with

figures as (
    select
        {{ version_id(seed_columns) }} as version_id,
        {{ figure_columns | join(',\n        ') }}
    from {{ ref('fct_indicator_observation') }}
),

previous as (
    {% if published_history is not none -%}
        select
            version_id,
            {{ (figure_columns + recorded_columns) | join(',\n            ') }}
        from {{ published_history }}
    {%- else -%}
        -- the first publication: no history yet
        select
            *,
            cast(null as timestamp) as recorded_from,
            cast(null as timestamp) as recorded_until,
            cast(null as {{ dbt.type_string() }}) as first_published_run_id,
            cast(null as {{ dbt.type_string() }}) as last_published_run_id,
            cast(null as {{ dbt.type_string() }}) as recorded_until_run_id
        from figures
        where false
    {%- endif %}
),

open_before as (
    select * from previous
    where recorded_until is null and recorded_until_run_id is null
),

published_now as (
    select
        figures.*,
        open_before.recorded_from,
        cast(null as timestamp) as recorded_until,
        coalesce(open_before.first_published_run_id, {{ run_id }}) as first_published_run_id,
        {{ run_id }} as last_published_run_id,
        cast(null as {{ dbt.type_string() }}) as recorded_until_run_id
    from figures
    left join open_before
        on figures.version_id = open_before.version_id
),

closed_now as (
    select
        version_id,
        {{ figure_columns | join(',\n        ') }},
        recorded_from,
        recorded_until,
        first_published_run_id,
        last_published_run_id,
        {{ run_id }} as recorded_until_run_id
    from open_before
    where not exists (
        select 1 from figures
        where figures.version_id = open_before.version_id
    )
),

closed_before as (
    select * from previous
    where recorded_until is not null or recorded_until_run_id is not null
),

final as (
    select * from published_now
    union all
    select * from closed_now
    union all
    select * from closed_before
)

select * from final
