{#-
    Expose each raw export as a view in the `raw` schema, whatever its format:
    <raw_dir>/<table>.parquet, <raw_dir>/<table>.csv (read as text; staging parses it), or,
    for an optional table with no file, an empty view typed from the source's YAML columns.
    Runs on-run-start, so `dbt build` from the repo root needs no other set-up.
    raw._files records what was found; staging asks it which tables came as CSV.
-#}
{% macro register_raw_sources() %}
    {% if not execute %}{% do return('') %}{% endif %}
    {% set raw_dir = var('raw_dir') %}
    {% do run_query("create schema if not exists raw") %}
    {% do run_query("create or replace table raw._files (table_name varchar, path varchar, format varchar)") %}
    {% for node in graph.sources.values() if node.schema == 'raw' %}
        {% set table = node.identifier %}
        {% set found = run_query(
            "select file from glob('" ~ raw_dir ~ "/" ~ table ~ ".parquet') union all "
            ~ "select file from glob('" ~ raw_dir ~ "/" ~ table ~ ".csv')"
        ).columns[0].values() %}
        {% if found | length > 1 %}
            {{ exceptions.raise_compiler_error(raw_dir ~ ": both " ~ table ~ ".parquet and " ~ table ~ ".csv exist; keep one") }}
        {% elif found | length == 1 %}
            {% set path = found[0] %}
            {% if path.endswith('.csv') %}
                {% set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true)" %}
                {% set format = 'csv' %}
            {% else %}
                {% set reader = "read_parquet('" ~ path ~ "')" %}
                {% set format = 'parquet' %}
            {% endif %}
            {% do run_query("create or replace view raw." ~ table ~ " as select * from " ~ reader) %}
        {% elif (node.config.meta or {}).get('required', node.meta.get('required', false)) %}
            {{ exceptions.raise_compiler_error("required raw table " ~ table ~ " not found in " ~ raw_dir ~ " (expected " ~ table ~ ".parquet or " ~ table ~ ".csv)") }}
        {% else %}
            {% set columns = [] %}
            {% for column in node.columns.values() %}
                {% do columns.append("cast(null as " ~ column.data_type ~ ") as " ~ column.name) %}
            {% endfor %}
            {% do run_query("create or replace view raw." ~ table ~ " as select " ~ columns | join(', ') ~ " where false") %}
            {% set path = none %}
            {% set format = 'absent' %}
        {% endif %}
        {% do run_query("insert into raw._files values ('" ~ table ~ "', " ~ ("'" ~ path ~ "'" if path else "null") ~ ", '" ~ format ~ "')") %}
    {% endfor %}
{% endmacro %}


{#- 'parquet', 'csv' or 'absent': how a raw table arrived (read at run time, parquet at parse time). -#}
{% macro raw_format(table) %}
    {% if not execute %}{% do return('parquet') %}{% endif %}
    {% set result = run_query("select format from raw._files where table_name = '" ~ table ~ "'") %}
    {% do return(result.columns[0].values()[0] if result.rows | length else 'parquet') %}
{% endmacro %}
