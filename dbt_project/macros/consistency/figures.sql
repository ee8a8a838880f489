{#-
    The figures an evaluation used, in four parallel comma-separated columns: observation_ids, source_ids,
    observation_roles (the role each figure plays: part, whole, share, growth, start_level, ...) and basis_codes. A
    figure that is missing (not joined) is left out of all four. bases_differ is true when two of the figures are on
    known bases that differ (fp16 and nda_survey): different measures, which the evaluation does not compare;
    basis_ratio is then the later of the first such pair over the earlier (788 EFLOPS in FP16 over 90 in the NDA survey).
    `figures` is a list of [alias, role] pairs.
-#}
{% macro evaluation_figures(figures) -%}
    concat_ws(', '{% for alias, role in figures %}, {{ alias }}.observation_id{% endfor %}) as observation_ids,
    concat_ws(', '{% for alias, role in figures %}, {{ alias }}.source_id{% endfor %}) as source_ids,
    concat_ws(
        ', '{% for alias, role in figures %}, case when {{ alias }}.observation_id is not null then '{{ role }}' end{% endfor %}
    ) as observation_roles,
    concat_ws(
        ', '{% for alias, role in figures %}, case when {{ alias }}.observation_id is not null then {{ known_basis(alias) }} end{% endfor %}
    ) as basis_codes,
    {% for left, _ in figures %}{% for right, _ in figures[loop.index:] -%}
        coalesce({{ known_basis(left) }} != {{ known_basis(right) }} and {{ known_basis(left) }} != 'unspecified'
            and {{ known_basis(right) }} != 'unspecified', false) or
    {% endfor %}{% endfor %}false as bases_differ,
    case
    {%- for left, _ in figures %}{% for right, _ in figures[loop.index:] %}
        when {{ known_basis(left) }} != {{ known_basis(right) }} and {{ known_basis(left) }} != 'unspecified'
            and {{ known_basis(right) }} != 'unspecified'
            then {{ right }}.value_canonical / nullif({{ left }}.value_canonical, 0)
    {%- endfor %}{% endfor %}
    {%- if figures | length < 2 %}
        when false then cast(null as double)
    {%- endif %}
    end as basis_ratio
{%- endmacro %}

{#- A figure's basis, unspecified where the figure has none (a unit test's fixture leaves it out). -#}
{% macro known_basis(alias) -%}
    coalesce({{ alias }}.basis_code, 'unspecified')
{%- endmacro %}

{#-
    One row per position of comma-separated list columns (as evaluation_figures writes them), their items side by side:
    `columns` is a list of [list column, item column name] pairs, and the result is select items. Dispatched: DuckDB
    unnests each list in step; Spark allows one generator per select, so it zips the lists first.
-#}
{% macro split_lists(columns) -%}
    {{ return(adapter.dispatch('split_lists')(columns)) }}
{%- endmacro %}

{% macro default__split_lists(columns) -%}
    {%- for column, name in columns %}
        unnest(string_split({{ column }}, ', ')) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro spark__split_lists(columns) -%}
    inline(arrays_zip(
        {%- for column, name in columns %}split({{ column }}, ', '){{ ", " if not loop.last }}{% endfor -%}
    )) as ({% for column, name in columns %}{{ name }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#-
    The evaluation columns of a rule that found no figures to compare, all null (its `missing` says why): the row a
    rule type that evaluates pairs gives a rule with no pair.
-#}
{% macro no_figures_columns() -%}
    cast(null as {{ dbt.type_string() }}) as observation_ids,
    cast(null as {{ dbt.type_string() }}) as source_ids,
    cast(null as {{ dbt.type_string() }}) as observation_roles,
    cast(null as {{ dbt.type_string() }}) as basis_codes,
    false as bases_differ,
    cast(null as double) as basis_ratio,
    cast(null as double) as observed_value,
    cast(null as double) as observed_lower,
    cast(null as double) as observed_upper,
    cast(null as double) as expected_value,
    cast(null as double) as expected_lower,
    cast(null as double) as expected_upper,
    cast(null as {{ dbt.type_string() }}) as canonical_unit,
    cast(null as {{ dbt.type_string() }}) as finding
{%- endmacro %}

{#-
    The figures of the indicators a rule type's rules name (subject, reference, factor): the `figures` CTE of an
    int_consistency_ model. Filtered before the joins, so that their hash tables hold those indicators' figures and
    not every figure in the warehouse (at 10M figures, seconds instead of tens of seconds).
-#}
{% macro rule_figures(rules='rules') -%}
    select
        figures.*,
        coalesce(sources.url, figures.source_id) as page  -- the address a figure is printed at, for same_page rules
    from {{ ref('int_observations_bounded') }} as figures
    left join {{ ref('stg_seeds__sources') }} as sources
        on figures.source_id = sources.source_id
    where figures.indicator_code in (
        select subject_indicator_code from {{ rules }}
        union all
        select reference_indicator_code from {{ rules }}
        union all
        select factor_indicator_code from {{ rules }}
    )
{%- endmacro %}
