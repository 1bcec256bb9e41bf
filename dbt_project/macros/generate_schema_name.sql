{#- Custom schemas are used as given (`reference`), not prefixed with the target schema: the
    warehouse is one local DuckDB file, and `reference.countries` reads better than
    `main_reference.countries`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
