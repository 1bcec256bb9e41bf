{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_day',
        on_schema_change='fail'
    )
}}
-- One row per customer per day on which something became known about them: web events,
-- sessions, marketing touches, orders placed and refunds processed, counted on the day they
-- became available. The feature marts sum these over windows ending at each snapshot;
-- customer_profile takes the latest visit from here (last_visit_at) rather than stitching
-- every session to its customer again on each build.
--
-- Incremental: the days from the newest day built minus `incremental_lookback_days` on are
-- recomputed and replace those days whole (delete+insert on activity_day). Everything counts
-- on the day it became known, so older days never change: an identity link made today makes a
-- device's old events available today, not on the days they happened. The first recomputed
-- day is a literal (daily_recompute_from) and the stitched views are read through known_since,
-- so that scans skip the older events instead of joining all of them to the identity graph
-- (the one-day query at 1M: 5.2 -> 1.6 s, same rows; macros/known_since.sql).
{% set recompute_from = daily_recompute_from('activity_day') %}
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
    from
        {{ known_since(ref('int_web_events_stitched_to_customers'), 'occurred_at',
                       recompute_from) }} as known_events
    group by all
),

sessions as (
    select
        customer_id,
        {{ epoch_day('available_at') }} as activity_day,
        count(*) as sessions,
        max(available_at) as last_visit_at
    from
        {{ known_since(ref('int_web_sessions_stitched_to_customers'), 'started_at',
                       recompute_from) }} as known_sessions
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
    where
        customer_id is not null
        and available_at >= {{ recompute_from }}
    group by all
),

orders as (
    select
        customer_id,
        {{ epoch_day('ordered_at') }} as activity_day,
        count(*) as orders,
        sum(gross_amount_usd) as gross_revenue_usd
    from {{ ref('int_orders_net_of_refunds') }}
    where ordered_at >= {{ recompute_from }}
    group by all
),

refunds as (
    select
        customer_id,
        {{ epoch_day('refunded_at') }} as activity_day,
        count(*) as refunds,
        sum(gross_amount_usd) as refunded_usd
    from {{ ref('int_orders_net_of_refunds') }}
    where
        is_refunded
        and refunded_at >= {{ recompute_from }}
    group by all
),

leads as (
    select
        contact_id as customer_id,
        {{ epoch_day('created_at') }} as activity_day,
        count(*) as leads_created
    from {{ ref('stg_crm__leads') }}
    where
        contact_id is not null
        and created_at >= {{ recompute_from }}
    group by all
),

-- One pass: the six daily aggregates stacked (each with only its own measures) and folded per
-- customer and day, instead of a distinct union of their keys and six joins back onto it.
-- Each branch has at most one row per customer and day, so the fold takes each measure's one
-- value with max(): sum() gave the same but kept 128-bit accumulators for the integer counts,
-- and the fold (28M rows into 11.7M at 1M customers) took 21.7 s instead of 18.0 s.
stacked as (
    select * from events
    union all by name
    select * from sessions
    union all by name
    select * from touches
    union all by name
    select * from orders
    union all by name
    select * from refunds
    union all by name
    select * from leads
),

final as (
    select
        customer_id,
        activity_day,
        cast(coalesce(max(sessions), 0) as bigint) as sessions,
        cast(coalesce(max(page_views), 0) as bigint) as page_views,
        cast(coalesce(max(product_views), 0) as bigint) as product_views,
        cast(coalesce(max(add_to_carts), 0) as bigint) as add_to_carts,
        cast(coalesce(max(checkout_starts), 0) as bigint) as checkout_starts,
        cast(coalesce(max(pricing_views), 0) as bigint) as pricing_views,
        cast(coalesce(max(form_submits), 0) as bigint) as form_submits,
        cast(coalesce(max(paid_clicks), 0) as bigint) as paid_clicks,
        cast(coalesce(max(email_clicks), 0) as bigint) as email_clicks,
        coalesce(max(attributed_spend_usd), 0) as attributed_spend_usd,
        cast(coalesce(max(orders), 0) as bigint) as orders,
        coalesce(max(gross_revenue_usd), 0) as gross_revenue_usd,
        cast(coalesce(max(refunds), 0) as bigint) as refunds,
        coalesce(max(refunded_usd), 0) as refunded_usd,
        cast(coalesce(max(leads_created), 0) as bigint) as leads_created,
        max(last_visit_at) as last_visit_at,
        {{ run_started_at_utc() }} as built_at
    from stacked
    group by customer_id, activity_day
)

select * from final
