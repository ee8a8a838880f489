-- One row per revision of an indicator, geography and period: a figure and a figure of a later source that
-- superseded it (marts.fct_indicator_observation's known_until), with the change and whether the two agree within
-- the bounds their qualifiers and precision allow. Where several sources published the superseding figures on the
-- same day, each is a revision of its own.
with

observations as (
    select * from {{ ref('fct_indicator_observation') }}
),

final as (
    select
        old.indicator_code,
        old.geography_code,
        old.period_start,
        old.period_end,
        old.is_forecast,
        new.known_from as revised_on,
        old.observation_id as old_observation_id,
        old.source_id as old_source_id,
        old.known_from as old_known_from,
        old.value_reported as old_value_reported,
        old.unit_reported as old_unit_reported,
        old.value_canonical as old_value_canonical,
        old.lower_bound_canonical as old_lower_bound_canonical,
        old.upper_bound_canonical as old_upper_bound_canonical,
        new.observation_id as new_observation_id,
        new.source_id as new_source_id,
        new.value_reported as new_value_reported,
        new.unit_reported as new_unit_reported,
        new.value_canonical as new_value_canonical,
        new.lower_bound_canonical as new_lower_bound_canonical,
        new.upper_bound_canonical as new_upper_bound_canonical,
        new.canonical_unit,
        new.value_canonical - old.value_canonical as change_canonical,
        100 * (new.value_canonical - old.value_canonical) / nullif(abs(old.value_canonical), 0) as change_percent,
        -- the intervals overlap; a null bound is open
        coalesce(new.upper_bound_canonical >= old.lower_bound_canonical, true)
        and coalesce(new.lower_bound_canonical <= old.upper_bound_canonical, true) as within_bounds
    from observations as old
    inner join observations as new
        on old.indicator_code = new.indicator_code
        and old.geography_code = new.geography_code
        and old.period_start = new.period_start
        and old.period_end = new.period_end
        and old.is_forecast = new.is_forecast
        and old.known_until = new.known_from
)

select * from final
