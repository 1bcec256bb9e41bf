{#-
    customer_features' window pass costs about the same per windowed aggregate (measured on the
    13.4M rows of a 250k-customer chunk: one sum 2.3 s, ten sums over the same window 10.8 s,
    the same ten counts in three packed sums 5.7 s), and 22 of its 32 aggregates are sums of
    integer counts. Three counts of one window summed as one 128-bit integer, each in a 42-bit
    lane (count + count2 * 2^42 + count3 * 2^84), give the three sums in one aggregate: a sum
    of packed values is the packed value of the sums while no lane's total reaches 2^42 (4.4
    trillion events of one customer in one window, which no real customer has). A missing
    count adds 0 rather than a null that would blank the pack's other lanes.

    Returns the packs, each window's counts in the order customer_feature_aggregates() declares
    them: [{days, lanes: [{name, counted, shift}], lane_mask}], a lane's sum being
    (pack >> shift) & lane_mask. In a file of its own for the reason
    customer_feature_aggregates.sql gives.
-#}
{% macro customer_feature_count_packs() %}
    {% set lane_bits = 42 %}
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
                {% do lanes.append({'name': name, 'counted': counted, 'shift': lane_bits * loop.index0}) %}
            {% endfor %}
            {% do packs.append({'days': days, 'lanes': lanes, 'lane_mask': 2 ** lane_bits - 1}) %}
        {% endfor %}
    {% endfor %}
    {% do return(packs) %}
{% endmacro %}
