{#-
    The vars that define what stored rows mean (var definition_vars: the snapshot grid, the
    session timeout, the label horizons). Incremental models keep the rows earlier builds made,
    so a build under other values would mix two definitions in one table: a "60-day" label
    table still holding 30-day labels. So every whole passing build records the values it ran
    with (table dbt_definitions), and a build under other values stops before it starts unless
    it rebuilds every row (--full-refresh). `mfs build` compares the same values first and
    rebuilds by itself (mfs/build/definitions.py).
-#}

{% macro definitions_table() %}{% do return('dbt_definitions') %}{% endmacro %}

{#- {var name: its value as text} for this run. -#}
{% macro current_definitions() %}
    {% set values = {} %}
    {% for name in var('definition_vars') %}
        {% do values.update({name: var(name, none) | string}) %}
    {% endfor %}
    {% do return(values) %}
{% endmacro %}

{#- on-run-start of `dbt build` / `dbt run`: refuse a change of definition on stored rows. -#}
{% macro check_definitions() %}
    {% if not execute or flags.FULL_REFRESH or flags.WHICH not in ['build', 'run'] %}
        {% do return('') %}
    {% endif %}
    {% set stored_table = adapter.get_relation(database=target.database, schema=target.schema,
                                               identifier=definitions_table()) %}
    {% if stored_table is none %}{% do return('') %}{% endif %}
    {% set stored = {} %}
    {% for row in run_query("select name, value from " ~ stored_table).rows %}
        {% do stored.update({row[0]: row[1]}) %}
    {% endfor %}
    {% set changed = [] %}
    {% for name, value in current_definitions().items() %}
        {% if name in stored and stored[name] != value %}
            {% do changed.append(name ~ " " ~ stored[name] ~ " -> " ~ value) %}
        {% endif %}
    {% endfor %}
    {% if changed %}
        {{ exceptions.raise_compiler_error(
            "the warehouse was built with other definitions (" ~ changed | join(", ")
            ~ "): its stored rows would mix the two. Rebuild every row: `mfs build "
            ~ "--full-refresh` (mfs build does it by itself), or `dbt build --full-refresh` "
            ~ "with the same --vars") }}
    {% endif %}
{% endmacro %}

{#- on-run-end: a whole passing build records the definitions its rows were made with. -#}
{% macro record_definitions(results) %}
    {% if not is_whole_passing_run(results, ['build']) %}{% do return('') %}{% endif %}
    {% set rows = [] %}
    {% for name, value in current_definitions().items() %}
        {% do rows.append("('" ~ name ~ "', '" ~ value | replace("'", "''") ~ "')") %}
    {% endfor %}
    {% do run_query("create or replace table " ~ target.schema ~ "." ~ definitions_table()
        ~ " as select * from (values " ~ rows | join(", ") ~ ") as definitions (name, value)") %}
{% endmacro %}
