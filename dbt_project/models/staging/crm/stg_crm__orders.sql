-- A table, not a view: 13 data tests and five models read it, and each read of the view
-- re-parsed the raw orders and re-checked every contact (1.8M orders at 1M customers).
{{ config(materialized='table') }}
-- One row per accepted order, amounts in the order currency and in USD (fixed rates).
-- `refunded_at` is the time a refund or cancellation became known.
select
    -- ids
    order_id,
    contact_id,
    -- strings
    currency,
    status,
    channel,
    -- numerics
    amount,
    amount_usd,
    item_count,
    -- booleans
    status in ('refunded', 'cancelled') as is_refunded,
    -- timestamps
    ordered_at,
    case when status in ('refunded', 'cancelled') then coalesce(refunded_at, ordered_at) end
        as refunded_at
from {{ ref('base_crm__orders') }}
where rejection_reason is null
