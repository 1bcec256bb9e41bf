-- A view: it is only ever aggregated downstream, and materialising one row per event (70M at
-- 1M customers) would cost more than the aggregations that read it.
{{ config(materialized='view') }}
-- One row per web event of a known customer: directly by its user id, or through the identity
-- graph, in which case it becomes available only once its device was linked (no future
-- identity knowledge leaks into earlier snapshots).
with

events as (
    select
        event_id,
        anonymous_id,
        user_id,
        event_name,
        occurred_at
    from {{ ref('stg_web__events') }}
),

contacts as (
    select contact_id from {{ ref('stg_crm__contacts') }}
),

links as (
    select
        anonymous_id,
        customer_id,
        linked_at
    from {{ ref('int_anonymous_ids_linked_to_customers') }}
),

final as (
    select
        events.event_id,
        coalesce(contacts.contact_id, links.customer_id) as customer_id,
        events.event_name,
        events.occurred_at,
        case
            when contacts.contact_id is not null then events.occurred_at
            else greatest(events.occurred_at, links.linked_at)
        end as available_at,
        -- when the event's device was linked to a customer (null if never), whether or not
        -- the event needed it: an incremental reader finds old events that became available
        -- through a recent link by this column (macros/known_since.sql)
        links.linked_at
    from events
    left join contacts
        on events.user_id = contacts.contact_id
    left join links
        on events.anonymous_id = links.anonymous_id
    where coalesce(contacts.contact_id, links.customer_id) is not null
)

select * from final
