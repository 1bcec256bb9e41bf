{#-
    customer_features' windowed aggregates, declared once: (column, aggregate of the daily
    activity, window in days or none for lifetime, the integer count it sums or none).
    macros/customer_features.sql renders them as RANGE windows (a full pass; the counts summed
    in packs, see customer_feature_count_packs.sql) or as filtered aggregates (a few new
    snapshots). Windows end
    at the snapshot's day (activity_day = the day before the snapshot): "30" covers that day
    and the 29 before it. In a file of its own because sqlfluff's jinja templater only honours
    `return` in a macro called from another file.
-#}
{% macro customer_feature_aggregates() %}
    {% do return([
        ('last_order_day', 'max(case when orders > 0 then activity_day end)', none, none),
        ('orders_30d', 'sum(orders)', 30, 'orders'),
        ('orders_90d', 'sum(orders)', 90, 'orders'),
        ('orders_365d', 'sum(orders)', 365, 'orders'),
        ('orders_lifetime', 'sum(orders)', none, 'orders'),
        ('net_revenue_30d_usd', 'sum(gross_revenue_usd - refunded_usd)', 30, none),
        ('net_revenue_90d_usd', 'sum(gross_revenue_usd - refunded_usd)', 90, none),
        ('net_revenue_365d_usd', 'sum(gross_revenue_usd - refunded_usd)', 365, none),
        ('gross_revenue_365d_usd', 'sum(gross_revenue_usd)', 365, none),
        ('refunds_lifetime', 'sum(refunds)', none, 'refunds'),
        ('last_visit_day', 'max(case when sessions > 0 then activity_day end)', none, none),
        ('sessions_7d', 'sum(sessions)', 7, 'sessions'),
        ('sessions_30d', 'sum(sessions)', 30, 'sessions'),
        ('sessions_90d', 'sum(sessions)', 90, 'sessions'),
        ('page_views_7d', 'sum(page_views)', 7, 'page_views'),
        ('page_views_30d', 'sum(page_views)', 30, 'page_views'),
        ('product_views_7d', 'sum(product_views)', 7, 'product_views'),
        ('product_views_30d', 'sum(product_views)', 30, 'product_views'),
        ('add_to_carts_7d', 'sum(add_to_carts)', 7, 'add_to_carts'),
        ('add_to_carts_30d', 'sum(add_to_carts)', 30, 'add_to_carts'),
        ('checkout_starts_7d', 'sum(checkout_starts)', 7, 'checkout_starts'),
        ('checkout_starts_30d', 'sum(checkout_starts)', 30, 'checkout_starts'),
        ('pricing_views_30d', 'sum(pricing_views)', 30, 'pricing_views'),
        ('paid_clicks_30d', 'sum(paid_clicks)', 30, 'paid_clicks'),
        ('paid_clicks_90d', 'sum(paid_clicks)', 90, 'paid_clicks'),
        ('email_clicks_30d', 'sum(email_clicks)', 30, 'email_clicks'),
        ('email_clicks_90d', 'sum(email_clicks)', 90, 'email_clicks'),
        ('attributed_spend_90d_usd', 'sum(attributed_spend_usd)', 90, none),
        ('distinct_campaigns_90d', 'count(distinct touch_campaign_id)', 90, none),
        ('first_touch_channel', 'arg_min(touch_channel, touched_at)', none, none),
        ('last_touch_channel', 'arg_max(touch_channel, touched_at)', none, none),
        ('leads_lifetime', 'sum(leads_created)', none, 'leads_created'),
    ]) %}
{% endmacro %}
