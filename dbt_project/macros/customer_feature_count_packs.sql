{#-
    customer_features' window pass costs about the same per windowed aggregate (measured on the
    13.4M rows of a 250k-customer chunk: one sum 2.3 s, ten sums over the same window 10.8 s,
    the same ten counts in three packed sums 5.7 s), and 22 of its 32 aggregates are sums of
    integer counts. Three counts of one window summed as one 128-bit integer, each in a 42-bit
    lane (count + count2 * 2^42 + count3 * 2^84), give the three sums in one aggregate: a sum
    of packed values is the packed value of the sums while no lane's total reaches 2^42 (4.4
    trillion events of one customer in one window, which no real customer has). A missing
    count adds 0 rather than a null that would blank the pack's other lanes.

    Returns the packs, each window's counts in the order customer_feature_counts() declares
    them: [{days, lanes: [{name, counted, shift}], lane_mask}], a lane's sum being
    (pack >> shift) & lane_mask. In a file of its own for the reason
    customer_feature_aggregates.sql gives.
-#}
{% macro customer_feature_count_packs() %}
    {% set lane_bits = 42 %}
    {% set counts = customer_feature_counts() %}
    {% set windows = [] %}
    {% for _name, _counted, days in counts if days not in windows %}
        {% do windows.append(days) %}
    {% endfor %}
    {% set packs = [] %}
    {% for days in windows %}
        {% for batch in counts | selectattr(2, 'equalto', days) | batch(3) %}
            {% set lanes = [] %}
            {% for name, counted, _days in batch %}
                {% do lanes.append({'name': name, 'counted': counted,
                                    'shift': lane_bits * loop.index0}) %}
            {% endfor %}
            {% do packs.append({'days': days, 'lanes': lanes, 'lane_mask': 2 ** lane_bits - 1}) %}
        {% endfor %}
    {% endfor %}
    {% do return(packs) %}
{% endmacro %}
