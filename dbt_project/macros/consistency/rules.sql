{#- The rules of one rule type: the first CTE of a model whose rule type is not anchored on a subject figure. -#}
{% macro consistency_rules(rule_type) -%}
    select *
    from {{ ref('stg_seeds__consistency_rules') }}
    where rule_type = '{{ rule_type }}'
{%- endmacro %}

{#-
    One row per rule of one rule type and subject figure it applies to: every figure of the subject indicator in
    the rule's geography and period where the rule names them, in every geography and period where it leaves them
    blank. A rule that finds no subject figure keeps one row (subject_id null), to be reported not evaluable. The
    other figures of an evaluation are joined at the subject's geography and period:
      at_geography_code, at_period_start, at_period_end   the subject's (or, without one, the rule's)
      period_text        "on 2024-12-31" for a date, "for 2025-01-01 to 2025-12-31" for a period
      start_level_date   the day before the period starts: the date of the level a growth starts from
      period_days        the days in the period, both ends included
      subject_page       the address the subject figure is printed at (its source id where it has none): a
                         same_page rule joins only figures of this page ({{ same_page('figure') }})
-#}
{% macro consistency_subjects(rule_type) -%}
    with rules as (
        {{ consistency_rules(rule_type) }}
    ),

    anchored as (
        select
            rules.*,
            subject.observation_id as subject_id,
            coalesce(subject_source.url, subject.source_id) as subject_page,
            coalesce(subject.geography_code, rules.geography_code) as at_geography_code,
            coalesce(subject.period_start, rules.period_start) as at_period_start,
            coalesce(subject.period_end, rules.period_end) as at_period_end
        from rules
        left join {{ ref('int_observations_bounded') }} as subject
            on rules.subject_indicator_code = subject.indicator_code
            and (rules.geography_code is null or rules.geography_code = subject.geography_code)
            and (rules.period_start is null or rules.period_start = subject.period_start)
            and (rules.period_end is null or rules.period_end = subject.period_end)
        left join {{ ref('stg_seeds__sources') }} as subject_source
            on subject.source_id = subject_source.source_id
    )

    select
        *,
        coalesce(
            case
                when at_period_start is null or at_period_start = at_period_end
                    then 'on ' || cast(at_period_end as {{ dbt.type_string() }})
                else 'for ' || cast(at_period_start as {{ dbt.type_string() }}) || ' to '
                    || cast(at_period_end as {{ dbt.type_string() }})
            end,
            'in any period'
        ) as period_text,
        {{ dbt.dateadd('day', -1, 'at_period_start') }} as start_level_date,
        {{ dbt.datediff('at_period_start', 'at_period_end', 'day') }} + 1 as period_days
    from anchored
{%- endmacro %}


{#- The join condition that keeps a same_page rule's other figures on the subject figure's page. -#}
{% macro same_page(figure, rules='rules') -%}
    (not coalesce({{ rules }}.same_page, false) or {{ figure }}.page = {{ rules }}.subject_page)
{%- endmacro %}
