{#-
    The rules of one rule type, the first CTE of every int_consistency_ model, with what the models derive from a
    rule's period:
      period_text       "on 2024-12-31" for a date, "for 2025-01-01 to 2025-12-31" for a period
      start_level_date  the day before the period starts: the date of the level a growth starts from
      period_days       the days in the period, both ends included
-#}
{% macro consistency_rules(rule_type) -%}
    select
        *,
        case
            when period_start is null or period_start = period_end
                then 'on ' || cast(period_end as {{ dbt.type_string() }})
            else 'for ' || cast(period_start as {{ dbt.type_string() }}) || ' to '
                || cast(period_end as {{ dbt.type_string() }})
        end as period_text,
        {{ dbt.dateadd('day', -1, 'period_start') }} as start_level_date,
        {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 as period_days
    from {{ ref('stg_seeds__consistency_rules') }}
    where rule_type = '{{ rule_type }}'
{%- endmacro %}
