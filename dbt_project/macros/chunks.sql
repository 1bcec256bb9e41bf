{#-
    Models whose one pass would outgrow DuckDB's memory limit at scale run in chunks: the rows
    are split by a hash of the key their computation never crosses (a customer, a visitor), the
    model file renders chunk 0 and its post-hook runs the others, inside the model's
    transaction. Below one chunk's size there is a single pass, as if there were no chunks.
-#}

{#- How many chunks of at most `per_chunk` rows `relation` splits into. A unit test's inputs
    are a handful of fixture rows, and parsing runs no queries: one chunk. -#}
{% macro chunk_count(relation, per_chunk) %}
    {% if not execute or model.resource_type == 'unit_test' %}{% do return(1) %}{% endif %}
    {% set rows = run_query("select count(*) from " ~ relation).columns[0].values()[0] %}
    {% set per_chunk = per_chunk | int %}
    {% do return([1, ((rows + per_chunk - 1) // per_chunk) | int] | max) %}
{% endmacro %}

{#- The predicate "`column` falls in chunk `chunk` of `chunks`"; `true` when there is one. -#}
{% macro in_chunk(column, chunk, chunks) -%}
    {%- if chunks == 1 -%}
        true
    {%- else -%}
        hash({{ column }}) % {{ chunks }} = {{ chunk }}
    {%- endif -%}
{%- endmacro %}
