{#-
    customer_features' windowed aggregates, declared once. Windows are in days (none: lifetime)
    and end at the snapshot's day (activity_day = the day before the snapshot): "30" covers that
    day and the 29 before it. macros/customer_features.sql renders them as RANGE windows (a full
    pass) or as filtered aggregates (a few new snapshots). In a file of its own because
    sqlfluff's jinja templater only honours `return` in a macro called from another file.
-#}

{#- (column, aggregate of the daily activity, window) for everything but plain counts.
    distinct_campaigns_90d is a running sum: campaigns enter and leave its 90 days as rows of
    their own (macros/customer_features.sql). -#}
{% macro customer_feature_aggregates() %}
    {% do return([
        ('last_order_day', 'max(case when orders > 0 then activity_day end)', none),
        ('net_revenue_30d_usd', 'sum(gross_revenue_usd - refunded_usd)', 30),
        ('net_revenue_90d_usd', 'sum(gross_revenue_usd - refunded_usd)', 90),
        ('net_revenue_365d_usd', 'sum(gross_revenue_usd - refunded_usd)', 365),
        ('gross_revenue_365d_usd', 'sum(gross_revenue_usd)', 365),
        ('last_visit_day', 'max(case when sessions > 0 then activity_day end)', none),
        ('attributed_spend_90d_usd', 'sum(attributed_spend_usd)', 90),
        ('distinct_campaigns_90d', 'sum(campaign_window_change)', none),
        ('first_touch_channel', 'arg_min(touch_channel, touched_at)', none),
        ('last_touch_channel', 'arg_max(touch_channel, touched_at)', none),
    ]) %}
{% endmacro %}

{#- (column, the daily count it sums, window): summed in packs (customer_feature_count_packs). -#}
{% macro customer_feature_counts() %}
    {% do return([
        ('orders_30d', 'orders', 30),
        ('orders_90d', 'orders', 90),
        ('orders_365d', 'orders', 365),
        ('orders_lifetime', 'orders', none),
        ('refunds_lifetime', 'refunds', none),
        ('sessions_7d', 'sessions', 7),
        ('sessions_30d', 'sessions', 30),
        ('sessions_90d', 'sessions', 90),
        ('page_views_7d', 'page_views', 7),
        ('page_views_30d', 'page_views', 30),
        ('product_views_7d', 'product_views', 7),
        ('product_views_30d', 'product_views', 30),
        ('add_to_carts_7d', 'add_to_carts', 7),
        ('add_to_carts_30d', 'add_to_carts', 30),
        ('checkout_starts_7d', 'checkout_starts', 7),
        ('checkout_starts_30d', 'checkout_starts', 30),
        ('pricing_views_30d', 'pricing_views', 30),
        ('paid_clicks_30d', 'paid_clicks', 30),
        ('paid_clicks_90d', 'paid_clicks', 90),
        ('email_clicks_30d', 'email_clicks', 30),
        ('email_clicks_90d', 'email_clicks', 90),
        ('leads_lifetime', 'leads_created', none),
    ]) %}
{% endmacro %}
