{#- A rejection rule: the row belongs to an erased person (see base_privacy__erased_subjects).
    Listed first in each base model, so an erased person's rows are counted as `erased` whatever
    else is wrong with them. -#}
{% macro erased_problem(subject_type, column) -%}
    case
        when {{ column }} in (
            select erased.subject_id from {{ ref('base_privacy__erased_subjects') }} as erased
            where erased.subject_type = '{{ subject_type }}'
        ) then 'erased'
    end
{%- endmacro %}

{#-
    Expose the erasure register (var `erasure_register`, written by `mfs forget`) as the view
    privacy.erasure_requests; an empty view of the same columns while no request exists.
    Runs on-run-start beside register_raw_sources.
-#}
{% macro register_erasure_register() %}
    {% if not execute %}{% do return('') %}{% endif %}
    {% set register = var('erasure_register') %}
    {% do run_query("create schema if not exists privacy") %}
    {% set found = run_query("select file from glob('" ~ register ~ "')").columns[0].values() %}
    {% if found | length %}
        {% set body = "select request_id, subject_type, subject_sha256, requested_at from read_parquet('" ~ found[0] ~ "')" %}
    {% else %}
        {% set body = "select cast(null as varchar) as request_id, cast(null as varchar) as subject_type, cast(null as varchar) as subject_sha256, cast(null as timestamptz) as requested_at where false" %}
    {% endif %}
    {% do run_query("create or replace view privacy.erasure_requests as " ~ body) %}
{% endmacro %}

{#- The final select of a base view: an erased person's rows stay (so raw rows are still
    counted) but show nothing except their reason and the listed non-personal keys. -#}
{% macro select_without_erased_values(relation, keep=[]) -%}
    select
        {% for column in keep -%}
        {{ column }},
        {% endfor -%}
        case
            when rejection_reason = 'erased' then null
            else columns(* exclude (rejection_reason{% for column in keep %}, {{ column }}{% endfor %}))
        end,
        rejection_reason
    from {{ relation }}
{%- endmacro %}
