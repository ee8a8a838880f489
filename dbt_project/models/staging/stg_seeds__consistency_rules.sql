with

source as (
    select * from {{ source('seeds', 'consistency_rules') }}
),

final as (
    select
        trim(rule_id) as rule_id,
        lower(trim(rule_type)) as rule_type,
        lower(trim(severity)) as severity,
        nullif(trim(subject_indicator_code), '') as subject_indicator_code,
        nullif(trim(reference_indicator_code), '') as reference_indicator_code,
        nullif(trim(factor_indicator_code), '') as factor_indicator_code,
        nullif(trim(geography_code), '') as geography_code,
        period_start,
        period_end,
        open_bound_factor,
        coalesce(same_page, false) as same_page,
        trim(description) as description,
        nullif(trim(explanation), '') as explanation
    from source
)

select * from final
