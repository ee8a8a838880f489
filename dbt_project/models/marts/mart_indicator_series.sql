-- What an analyst charts: one row per indicator, geography, basis and period end, drawn from the reported (not
-- forecast) figures of every page that gives one. A figure on another basis is another series (CAICT's 230 and 435
-- EFLOPS for 2023 are two measures, not a revision); a figure its page misprints (erratum) is in none.
-- Where several figures share a point, one is chosen, by this rule in order:
--   1. a stated value over a bound: "more than 40 %" says less than "41 %" does;
--   2. the page known first: a later page that carries the figure mostly repeats it, often rounded;
--   3. the figure's id, so that the choice never varies between runs.
-- The point keeps how many pages gave a figure for it and how far apart their figures lie (the spread).
with

observations as (
    select * from {{ ref('fct_indicator_observation') }}
    where not is_forecast and erratum is null
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

ranked as (
    select
        observations.*,
        row_number() over (
            partition by
                observations.indicator_code,
                observations.geography_code,
                observations.basis_code,
                observations.period_end
            order by
                case when observations.qualifier in ('exact', 'about') then 0 else 1 end,
                observations.known_from,
                observations.observation_id
        ) as choice_rank
    from observations
),

points as (
    select
        indicator_code,
        geography_code,
        basis_code,
        period_end,
        count(*) as figure_count,
        count(distinct source_id) as source_count,
        min(value_canonical) as lowest_value_canonical,
        max(value_canonical) as highest_value_canonical,
        max(case when has_conflict then 1 else 0 end) = 1 as has_conflict
    from observations
    group by indicator_code, geography_code, basis_code, period_end
),

final as (
    select
        ranked.indicator_code,
        indicators.name as indicator_name,
        ranked.geography_code,
        ranked.basis_code,
        ranked.period_start,
        ranked.period_end,
        ranked.period_type,
        ranked.value_canonical,
        ranked.canonical_unit,
        ranked.qualifier,
        ranked.lower_bound_canonical,
        ranked.upper_bound_canonical,
        points.source_count,
        points.figure_count,
        points.lowest_value_canonical,
        points.highest_value_canonical,
        (points.highest_value_canonical - points.lowest_value_canonical)
        / nullif(abs(ranked.value_canonical), 0) as relative_spread,
        points.has_conflict,
        ranked.observation_id,
        ranked.source_id,
        ranked.citation
    from ranked
    inner join points
        on ranked.indicator_code = points.indicator_code
        and ranked.geography_code = points.geography_code
        and ranked.basis_code = points.basis_code
        and ranked.period_end = points.period_end
    inner join indicators
        on ranked.indicator_code = indicators.indicator_code
    where ranked.choice_rank = 1
)

select * from final
