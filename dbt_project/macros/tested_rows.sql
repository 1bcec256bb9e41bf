{#-
    Data tests of the large incremental models check the rows no passing build has checked yet,
    not every row again: at 1M customers re-testing 69M events and 38M feature rows made up 71 s
    of the one-day build's 197 s of node time.

    A model opts in with `config: {meta: {build_stamp: <column>}}`, a column holding the start
    of the dbt run that wrote the row (`run_started_at_utc()`). A build (or test run) in which
    every node passed and nothing was deselected records its start in `dbt_passing_builds`
    (on-run-end); rows stamped after the newest such start are the untested ones. A failed
    build records nothing, so its rows are tested again next time. With no passing build yet
    (a first build, a new warehouse) every row is tested.

    Only tests whose verdict on a row depends on that row alone are narrowed: not_null,
    accepted_values, non_negative, within_range, not_in_future. unique and unique_combination
    check the untested rows' keys against the whole table (a new row may collide with an old
    one). Every other test (relationships: the parent may have lost a row) sees every row.
-#}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set untested = untested_rows_filter(relation) -%}
    {%- if untested and where -%}
        {%- set where = '(' ~ where ~ ') and ' ~ untested -%}
    {%- elif untested -%}
        {%- set where = untested -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The predicate selecting what the running test must see of `relation`, or '' for every row. -#}
{% macro untested_rows_filter(relation) -%}
    {%- set row_tests = ['not_null', 'accepted_values', 'non_negative', 'within_range',
                         'not_in_future'] -%}
    {%- set key_tests = ['unique', 'unique_combination'] -%}
    {#- --full-refresh rewrites every stamped row: all are untested, no filter needed. -#}
    {%- if not execute or flags.FULL_REFRESH or model.resource_type != 'test'
           or not model.test_metadata -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set test_name = model.test_metadata.name -%}
    {%- set tested = graph.nodes.get(model.attached_node or '') -%}
    {%- set stamp = ((tested.config.meta if tested else none) or {}).get('build_stamp') -%}
    {%- if not stamp or test_name not in row_tests + key_tests -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set tested_through = newest_passing_build() -%}
    {%- if tested_through is none -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set untested = stamp ~ " > timestamptz '" ~ tested_through ~ "'" -%}
    {%- if test_name in row_tests -%}
        {%- do return(untested) -%}
    {%- endif -%}
    {%- set kwargs = model.test_metadata.kwargs -%}
    {%- set keys = kwargs.get('columns') or [kwargs.get('column_name')] -%}
    {%- do return('(' ~ keys | join(', ') ~ ') in (select (' ~ keys | join(', ') ~ ') from '
        ~ relation ~ ' where ' ~ untested ~ ')') -%}
{%- endmacro %}

{#- The table of passing builds' starts (its name; it lives in the target schema). -#}
{% macro passing_builds_table() %}{% do return('dbt_passing_builds') %}{% endmacro %}

{#- The start of the newest build in which every node passed (a string), or none. -#}
{% macro newest_passing_build() %}
    {% set log = adapter.get_relation(database=target.database, schema=target.schema,
                                      identifier=passing_builds_table()) %}
    {% if log is none %}{% do return(none) %}{% endif %}
    {% set newest = run_query(
        "select strftime(max(run_started_at) at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f') || '+00'"
        ~ " from " ~ log).columns[0].values()[0] %}
    {% do return(newest) %}
{% endmacro %}

{#- on-run-end: record this run's start if it was a whole build (or test run) and every node
    passed. A selection, an --empty run or any error, failure, warning or skip records nothing. -#}
{% macro record_passing_build(results) %}
    {% if not is_whole_passing_run(results, ['build', 'test']) %}{% do return('') %}{% endif %}
    {% set log = target.schema ~ "." ~ passing_builds_table() %}
    {% do run_query("create table if not exists " ~ log
        ~ " (run_started_at timestamptz not null, invocation_id varchar not null)") %}
    {% do run_query("insert into " ~ log ~ " values ("
        ~ run_started_at_utc() ~ ", '" ~ invocation_id ~ "')") %}
{% endmacro %}


{#- True for a `dbt <one of commands>` over the whole project in which every node passed. -#}
{% macro is_whole_passing_run(results, commands) %}
    {% if not execute or flags.WHICH not in commands %}{% do return(false) %}{% endif %}
    {% set args = invocation_args_dict %}
    {% for narrowing in ['select', 'exclude', 'selector', 'resource_types',
                         'exclude_resource_types', 'empty', 'sample'] %}
        {% if args.get(narrowing) %}{% do return(false) %}{% endif %}
    {% endfor %}
    {% for result in results %}
        {# no-op: exposures, which have nothing to run #}
        {% if result.status not in ['success', 'pass', 'no-op'] %}{% do return(false) %}{% endif %}
    {% endfor %}
    {% do return(true) %}
{% endmacro %}
