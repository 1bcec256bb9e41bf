{#-
    Expose each raw export as a view in the `raw` schema, whatever its format:
    <raw_dir>/<table>.parquet, <raw_dir>/<table>.csv (read as text with its table's dialect from
    <raw_dir>/_csv.yml, never sniffed; staging parses the text), or, for an optional table with
    no file, an empty view typed from the source's YAML columns.
    Runs on-run-start, so `dbt build` from the repo root needs no other set-up.
    raw._files records what was found and how it is read. The CSV reader is the one `mfs validate` uses (mfs/contract/reader.py), option for
    option; tests/contract/test_csv_dialects.py compares the two.
-#}
{% macro register_raw_sources() %}
    {% if not execute %}{% do return('') %}{% endif %}
    {% set raw_dir = var('raw_dir') %}
    {% set dialects = raw_csv_dialects(raw_dir) %}
    {% do run_query("create schema if not exists raw") %}
    {% do run_query("create or replace table raw._files (table_name varchar, path varchar, format varchar, reader varchar)") %}
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
                {% set dialect = dialects.get(table) or {} %}
                {% set names = [] %}
                {% if dialect.get('header', true) %}
                    {% set first = run_query(csv_header_query(path, dialect)) %}
                    {% for value in first.rows[0] if first.rows | length %}
                        {% if value is not none %}{% do names.append(value) %}{% endif %}
                    {% endfor %}
                {% else %}
                    {% for column in node.columns.values() %}{% do names.append(column.name) %}{% endfor %}
                {% endif %}
                {% set reader = csv_reader(path, dialect, names) %}
                {% set format = 'csv' %}
            {% else %}
                {% set reader = "read_parquet('" ~ path ~ "')" %}
                {% set names = run_query("describe select * from " ~ reader).columns[0].values() %}
                {% set format = 'parquet' %}
            {% endif %}
            {#- Contract columns the file leaves out: its default, else null (mfs validate and
                mfs build refuse a file without a required column before dbt runs). -#}
            {% set stand_ins = [] %}
            {% for column in node.columns.values() if column.name not in names %}
                {% set default = ((column.get('config') or {}).get('meta') or column.get('meta') or {}).get('default_when_absent') %}
                {% do stand_ins.append("cast(" ~ ("'" ~ default ~ "'" if default is not none else "null")
                    ~ " as " ~ column.data_type ~ ") as " ~ column.name) %}
            {% endfor %}
            {% do run_query("create or replace view raw." ~ table ~ " as select *"
                ~ (", " ~ stand_ins | join(", ") if stand_ins else "") ~ " from " ~ reader) %}
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
        {% do run_query("insert into raw._files values ('" ~ table ~ "', " ~ ("'" ~ path ~ "'" if path else "null") ~ ", '" ~ format ~ "', " ~ ("'" ~ reader | replace("'", "''") ~ "'" if format == 'csv' else "null") ~ ")") %}
    {% endfor %}
{% endmacro %}


{#- The CSV dialect of each table named in <raw_dir>/_csv.yml ({} when there is none).
    `mfs validate` and `mfs build` check the file strictly before dbt runs. -#}
{% macro raw_csv_dialects(raw_dir) %}
    {% set path = raw_dir ~ '/_csv.yml' %}
    {% set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] %}
    {% if not found %}{% do return({}) %}{% endif %}
    {% set text = run_query("select content from read_text('" ~ path ~ "')").columns[0].values()[0] %}
    {% do return(fromyaml(text) or {}) %}
{% endmacro %}


{#- read_csv's options for a dialect: RFC 4180 and UTF-8 unless the dialect says otherwise. -#}
{% macro csv_options(dialect) -%}
    {%- set quote = dialect.get('quote', '"') -%}
    {%- set escape = dialect.get('escape') or quote -%}
    delim = '{{ dialect.get("delimiter", ",") | replace("'", "''") }}', quote = '{{ quote | replace("'", "''") }}', escape = '{{ escape | replace("'", "''") }}', encoding = '{{ dialect.get("encoding", "utf-8") }}', auto_detect = false, skip = 0
{%- endmacro %}


{#- The file's first record split by its dialect, as fields f0..f255 (unused ones null). -#}
{% macro csv_header_query(path, dialect) -%}
    {%- set fields = [] -%}
    {%- for i in range(256) -%}{%- do fields.append("'f" ~ i ~ "': 'VARCHAR'") -%}{%- endfor -%}
    select * replace (ltrim(f0, chr(65279)) as f0) from read_csv('{{ path | replace("'", "''") }}', {{ csv_options(dialect) }}, header = false, columns = { {{- fields | join(', ') -}} }, null_padding = true, strict_mode = false, parallel = false) limit 1
{%- endmacro %}


{#- Every value as text under the given column names; strict: a ragged row is an error. -#}
{% macro csv_reader(path, dialect, names) -%}
    {%- set declared = [] -%}
    {%- for name in names -%}{%- do declared.append("'" ~ name | replace("'", "''") ~ "': 'VARCHAR'") -%}{%- endfor -%}
    read_csv('{{ path | replace("'", "''") }}', {{ csv_options(dialect) }}, header = {{ 'true' if dialect.get('header', true) else 'false' }}, columns = { {{- declared | join(', ') -}} }, strict_mode = true)
{%- endmacro %}
