{#-
    customer_features' window pass costs about the same per windowed aggregate (measured: one
    sum over 13.4M rows 2.3 s, ten sums over the same frame 10.8 s, three packed sums 5.7 s),
    and 22 of its 32 aggregates are sums of integer counts. Summing three counts at once as one
    128-bit integer, each in a 42-bit lane (count + count2 * 2^42 + count3 * 2^84), gives the
    three sums in one aggregate: a sum of packed values is the packed value of the sums as long
    as no lane's total reaches 2^42 (4.4 trillion events of one customer in one window, which
    no real customer has). A missing count adds 0, not a null that would
    blank its pack's other lanes. This groups the counts of each window into such packs, in the
    order customer_feature_aggregates() declares them. In a file of its own for the reason
    customer_feature_aggregates.sql gives.
-#}
{% macro customer_feature_count_packs() %}
    {% set aggregates = customer_feature_aggregates() %}
    {% set windows = [] %}
    {% for _name, _aggregate, days, counted in aggregates %}
        {% if counted is not none and days not in windows %}{% do windows.append(days) %}{% endif %}
    {% endfor %}
    {% set packs = [] %}
    {% for days in windows %}
        {% set members = [] %}
        {% for name, _aggregate, member_days, counted in aggregates %}
            {% if counted is not none and member_days == days %}
                {% do members.append((name, counted)) %}
            {% endif %}
        {% endfor %}
        {% for batch in members | batch(3) %}
            {% set lanes = [] %}
            {% for name, counted in batch %}
                {% do lanes.append({'name': name, 'counted': counted, 'shift': 42 * loop.index0}) %}
            {% endfor %}
            {% do packs.append({'days': days, 'lanes': lanes, 'lane_mask': 2 ** 42 - 1}) %}
        {% endfor %}
    {% endfor %}
    {% do return(packs) %}
{% endmacro %}
