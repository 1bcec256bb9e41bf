-- One row per customer per day on which something became known about them: web events,
-- sessions, marketing touches, orders placed and refunds processed, counted on the day they
-- became available. The feature marts sum these over windows ending at each snapshot.
with

events as (
    select
        customer_id,
        {{ epoch_day('available_at') }} as activity_day,
        count(*) filter (where event_name = 'page_view') as page_views,
        count(*) filter (where event_name = 'product_view') as product_views,
        count(*) filter (where event_name = 'add_to_cart') as add_to_carts,
        count(*) filter (where event_name = 'begin_checkout') as checkout_starts,
        count(*) filter (where event_name = 'pricing_view') as pricing_views,
        count(*) filter (where event_name = 'form_submit') as form_submits
    from {{ ref('int_web_events_stitched_to_customers') }}
    group by all
),

sessions as (
    select
        customer_id,
        {{ epoch_day('available_at') }} as activity_day,
        count(*) as sessions
    from {{ ref('int_web_sessions_stitched_to_customers') }}
    group by all
),

touches as (
    select
        customer_id,
        {{ epoch_day('available_at') }} as activity_day,
        count(*) filter (where is_paid) as paid_clicks,
        count(*) filter (where is_email) as email_clicks,
        sum(cost_usd) as attributed_spend_usd
    from {{ ref('int_marketing_touches') }}
    where customer_id is not null
    group by all
),

orders as (
    select
        customer_id,
        {{ epoch_day('ordered_at') }} as activity_day,
        count(*) as orders,
        sum(gross_amount_usd) as gross_revenue_usd
    from {{ ref('int_orders_net_of_refunds') }}
    group by all
),

refunds as (
    select
        customer_id,
        {{ epoch_day('refunded_at') }} as activity_day,
        count(*) as refunds,
        sum(gross_amount_usd) as refunded_usd
    from {{ ref('int_orders_net_of_refunds') }}
    where is_refunded
    group by all
),

leads as (
    select
        contact_id as customer_id,
        {{ epoch_day('created_at') }} as activity_day,
        count(*) as leads_created
    from {{ ref('stg_crm__leads') }}
    where contact_id is not null
    group by all
),

days as (
    select
        customer_id,
        activity_day
    from events
    union
    select
        customer_id,
        activity_day
    from sessions
    union
    select
        customer_id,
        activity_day
    from touches
    union
    select
        customer_id,
        activity_day
    from orders
    union
    select
        customer_id,
        activity_day
    from refunds
    union
    select
        customer_id,
        activity_day
    from leads
),

final as (
    select
        days.customer_id,
        days.activity_day,
        coalesce(sessions.sessions, 0) as sessions,
        coalesce(events.page_views, 0) as page_views,
        coalesce(events.product_views, 0) as product_views,
        coalesce(events.add_to_carts, 0) as add_to_carts,
        coalesce(events.checkout_starts, 0) as checkout_starts,
        coalesce(events.pricing_views, 0) as pricing_views,
        coalesce(events.form_submits, 0) as form_submits,
        coalesce(touches.paid_clicks, 0) as paid_clicks,
        coalesce(touches.email_clicks, 0) as email_clicks,
        coalesce(touches.attributed_spend_usd, 0) as attributed_spend_usd,
        coalesce(orders.orders, 0) as orders,
        coalesce(orders.gross_revenue_usd, 0) as gross_revenue_usd,
        coalesce(refunds.refunds, 0) as refunds,
        coalesce(refunds.refunded_usd, 0) as refunded_usd,
        coalesce(leads.leads_created, 0) as leads_created
    from days
    left join events using (customer_id, activity_day)
    left join sessions using (customer_id, activity_day)
    left join touches using (customer_id, activity_day)
    left join orders using (customer_id, activity_day)
    left join refunds using (customer_id, activity_day)
    left join leads using (customer_id, activity_day)
)

select * from final
