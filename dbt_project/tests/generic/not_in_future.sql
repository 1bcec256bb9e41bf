{#- Rows whose timestamp lies after the build started (plus a minute of clock skew). -#}
{% test not_in_future(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} > {{ reference_time() }} + interval 1 minute
{% endtest %}
