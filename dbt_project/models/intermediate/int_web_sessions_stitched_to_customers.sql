-- A view: it is only ever aggregated downstream, and materialising one row per event (70M at
-- 1M customers) would cost more than the aggregations that read it.
{{ config(materialized='view') }}
-- One row per session of a known customer. `available_at` is when the session could first be
-- attributed: its start, or the moment its device was linked to the customer if that came later.
-- Features at snapshot T use only sessions with available_at <= T.
with

sessions as (
    select * from {{ ref('int_web_sessions') }}
),

links as (
    select * from {{ ref('int_anonymous_ids_linked_to_customers') }}
),

final as (
    select
        sessions.session_id,
        links.customer_id,
        sessions.anonymous_id,
        sessions.channel,
        sessions.utm_campaign,
        sessions.click_id,
        sessions.started_at,
        greatest(sessions.started_at, links.linked_at) as available_at,
        links.linked_at
    from sessions
    inner join links
        on sessions.anonymous_id = links.anonymous_id
)

select * from final
