-- The range of true values each figure allows, from its qualifier and the precision it was written with:
--   exact                 value ± half a unit of its last written digit (280 -> 279.5 to 280.5)
--   about                 value ± the larger of that half unit and var('about_relative_band') of the value
--   more_than, at_least   from the value up, no upper bound
--   at_most, less_than    up to the value, no lower bound
-- An indicator's own limits (shares within 0-100, capacities not below 0) then close or clip either side.
-- A table, not a view: the fact table and every consistency model read it.
{{ config(materialized='table') }}

with

normalised as (
    select * from {{ ref('int_observations_normalised') }}
),

half_widths as (
    select
        *,
        case qualifier
            when 'exact' then rounding_half_width_canonical
            when 'about' then greatest(
                rounding_half_width_canonical,
                {{ var('about_relative_band') }} * abs(value_canonical)
            )
        end as half_width_canonical
    from normalised
),

open_bounds as (
    select
        *,
        case
            when qualifier in ('exact', 'about') then value_canonical - half_width_canonical
            when qualifier in ('more_than', 'at_least') then value_canonical
        end as qualifier_lower_bound,
        case
            when qualifier in ('exact', 'about') then value_canonical + half_width_canonical
            when qualifier in ('at_most', 'less_than') then value_canonical
        end as qualifier_upper_bound
    from half_widths
),

limited as (
    select
        *,
        case
            when indicator_min_value is null then qualifier_lower_bound
            when qualifier_lower_bound is null then indicator_min_value
            else greatest(qualifier_lower_bound, indicator_min_value)
        end as lower_bound_canonical,
        case
            when indicator_max_value is null then qualifier_upper_bound
            when qualifier_upper_bound is null then indicator_max_value
            else least(qualifier_upper_bound, indicator_max_value)
        end as upper_bound_canonical
    from open_bounds
),

final as (
    select
        observation_id,
        indicator_code,
        geography_code,
        source_id,
        period_start,
        period_end,
        period_type,
        period_inferred,
        value_reported,
        unit_reported,
        value_canonical,
        canonical_unit,
        qualifier,
        basis_code,
        body_code,
        rounding_half_width_canonical,
        lower_bound_canonical,
        upper_bound_canonical,
        is_forecast,
        value_as_written,
        unit_as_written,
        erratum,
        note
    from limited
)

select * from final
