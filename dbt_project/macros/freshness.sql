{#-
    Source freshness measured against the build's reference_time() rather than the database
    clock, so `mfs build`, its staging checks and its snapshot calendar agree on what "now" is
    (MFS_NOW fixes it for a test or a replay of an old export; unset, it is the build's start).
    dbt dispatches collect_freshness to the root project's duckdb__ implementation first.
-#}
{% macro duckdb__collect_freshness(source, loaded_at_field, filter) %}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {{ reference_time() }} as snapshotted_at
        from {{ source }}
        {% if filter %}
            where {{ filter }}
        {% endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
