{#-
    Half a unit in the last decimal place a number was written with: 280 -> 0.5, 1.59 -> 0.005, 101.34 -> 0.005.
    A figure is taken at the precision it is written, so 280 stands for 279.5 to 280.5. Trailing zeros after the
    decimal point do not survive the CSV's numeric type (10.50 reads as 10.5), which can only widen the reading.
-#}
{% macro rounding_half_unit(value, max_decimals=6) -%}
    case
        {%- for decimals in range(max_decimals + 1) %}
        when round({{ value }}, {{ decimals }}) = {{ value }} then {{ 0.5 / (10 ** decimals) }}
        {%- endfor %}
        else {{ 0.5 / (10 ** max_decimals) }}
    end
{%- endmacro %}
