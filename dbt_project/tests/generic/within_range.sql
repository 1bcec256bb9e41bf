{#- Values outside [min_value, max_value]; an omitted bound compares the value with itself. -#}
{% test within_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} < {{ min_value if min_value is not none else column_name }}
    or {{ column_name }} > {{ max_value if max_value is not none else column_name }}
{% endtest %}
